// Every error netguard raises on purpose: a stable code, an operator-facing message, and the HTTP
// status the transport answers with when the error reaches it.

export const ERROR_CODES = {
  NETGUARD_ERR_CONFIG_INVALID: 2,
  NETGUARD_ERR_CONFIG_UNREADABLE: 2,
  NETGUARD_ERR_FILE_UNREADABLE: 2,
  NETGUARD_ERR_MANIFEST_INVALID: 2,
  NETGUARD_ERR_MANIFEST_UNREADABLE: 2,
  NETGUARD_ERR_NO_OBJECTS: 2,
  NETGUARD_ERR_REVIEW_INVALID: 400,
  NETGUARD_ERR_USAGE: 2,
  NETGUARD_ERR_CLUSTER_UNREACHABLE: 503,
  NETGUARD_ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class NetguardError extends Error {
  readonly code: ErrorCode;
  /** where the problem is: a file, a file:line, or a field path */
  readonly location: string | undefined;

  constructor(code: ErrorCode, message: string, location?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetguardError';
    this.code = code;
    this.location = location;
  }

  get exitOrStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export const configInvalid = (file: string, message: string) =>
  new NetguardError('NETGUARD_ERR_CONFIG_INVALID', `${file}: ${message}`, file);

export const configUnreadable = (file: string, cause: unknown) =>
  new NetguardError('NETGUARD_ERR_CONFIG_UNREADABLE', `${file}: cannot read config: ${errorText(cause)}`, file, { cause });

/** A file named by a flag other than --config: the message says which one (a TLS key is not "config"). */
export const fileUnreadable = (file: string, what: string, cause: unknown) =>
  new NetguardError('NETGUARD_ERR_FILE_UNREADABLE', `${file}: cannot read ${what}: ${errorText(cause)}`, file, { cause });

export const manifestInvalid = (location: string, message: string) =>
  new NetguardError('NETGUARD_ERR_MANIFEST_INVALID', `${location}: ${message}`, location);

export const manifestUnreadable = (file: string, cause: unknown) =>
  new NetguardError('NETGUARD_ERR_MANIFEST_UNREADABLE', `${file}: cannot read: ${errorText(cause)}`, file, { cause });

/** A run that found nothing to judge must not pass: CI would be green on an empty checkout. */
export const noObjects = (paths: readonly string[]) =>
  new NetguardError('NETGUARD_ERR_NO_OBJECTS', `no Kubernetes objects found in ${paths.map((p) => (p === '-' ? 'stdin' : p)).join(', ')}`);

export const reviewInvalid = (message: string) => new NetguardError('NETGUARD_ERR_REVIEW_INVALID', message);

export const usageError = (message: string) => new NetguardError('NETGUARD_ERR_USAGE', message);

/** Never throws: it describes whatever a failure threw, to answer that failure. */
export function errorText(error: unknown): string {
  try {
    return String(error instanceof Error ? error.message : error);
  } catch {
    // Object.create(null), or a toString that throws
    return 'a thrown value that cannot be shown as text';
  }
}
