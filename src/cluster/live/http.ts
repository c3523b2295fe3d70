// One GET against the API server, with client-node's credentials and TLS settings but without its
// generated models: the objects are read as plain JSON (no per-field deserialisation of 50,000
// NetworkPolicies), and every call carries its own time limit.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { isRecord } from '../objects.js';

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; undefined for network errors and timeouts */
    readonly statusCode: number | undefined,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface GetOptions {
  query?: Record<string, string | number | undefined>;
  /** give up after this long (default 30 s) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Largest body accepted from the API server; a page of 500 objects is far below it. */
const MAX_BODY = 256 * 1024 * 1024;

export class KubeClient {
  readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server) throw new Error('the kubeconfig has no current cluster with a server address');
    this.server = cluster.server.replace(/\/+$/, '');
  }

  async getJson(path: string, options: GetOptions = {}): Promise<unknown> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    // Re-applied per call: tokens rotate (projected ServiceAccount tokens, exec plugins).
    const fetchOptions = await this.kc.applyToFetchOptions({});
    const headers: Record<string, string> = { accept: 'application/json' };
    new Headers(fetchOptions.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => {
      headers[key] = value;
    });
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<unknown>((resolve, reject) => {
      const req = transport.request(url, { method: 'GET', headers, agent: fetchOptions.agent as http.Agent | undefined, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) req.destroy(new ApiError(`response from ${url.pathname} is larger than ${MAX_BODY} bytes`, undefined));
          else chunks.push(chunk);
        });
        res.on('error', (error) => reject(asApiError(error, url, signal)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300 && body !== undefined) return resolve(body);
          const message = isRecord(body) && typeof body['message'] === 'string' ? body['message'] : `HTTP ${code} ${res.statusMessage ?? ''}`.trim();
          const reason = isRecord(body) && typeof body['reason'] === 'string' ? body['reason'] : undefined;
          reject(new ApiError(`GET ${url.pathname}: ${message}`, code >= 200 && code < 300 ? undefined : code, reason));
        });
      });
      req.on('error', (error) => reject(asApiError(error, url, signal)));
      req.end();
    });
  }
}

function asApiError(error: unknown, url: URL, signal: AbortSignal): ApiError {
  if (error instanceof ApiError) return error;
  if (signal.aborted) {
    const why = signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'timed out' : 'was cancelled';
    return new ApiError(`GET ${url.pathname} ${why}`, undefined);
  }
  const text = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  return new ApiError(`GET ${url.pathname} failed: ${text} (${url.host})`, undefined);
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.statusCode === 404;
