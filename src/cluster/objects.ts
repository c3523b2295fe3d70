// Loose shapes of the Kubernetes objects netguard reads. Everything is optional: objects come from
// the API server, from files and from fuzzers, so readers must check types before trusting fields.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  resourceVersion?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function metaOf(object: unknown): ObjectMeta {
  return isRecord(object) && isRecord(object['metadata']) ? (object['metadata'] as ObjectMeta) : {};
}

/** Labels as a plain string map; non-string values (from malformed input) are dropped. */
export function labelsOf(object: unknown): Record<string, string> {
  const labels = metaOf(object).labels;
  if (!isRecord(labels)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') out[key] = value;
  return out;
}

export function annotationOf(object: unknown, key: string): string | undefined {
  const annotations = metaOf(object).annotations;
  return isRecord(annotations) ? asString(annotations[key]) : undefined;
}
