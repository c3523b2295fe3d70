// Starts the HTTPS app (buildApp + AdmissionHandler) on 127.0.0.1, port 0, for tests; collects log
// lines; and gives a small HTTPS client that can send anything (bad bodies, client certs).
import { request as httpsRequest, Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AdmissionHandler } from '../../src/admission/handler.js';
import type { AdmissionRequest, AdmissionReviewResponse, ReviewApiVersion } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { ClusterSource } from '../../src/cluster/source.js';
import { storeFromObjects } from '../../src/cluster/static.js';
import { compileConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { createLogger, type Logger } from '../../src/log.js';
import { Engine } from '../../src/rules/engine.js';
import { podServiceAccount } from '../../src/rules/pod-service-account.js';
import { buildApp, type ServerTimeouts } from '../../src/server/app.js';
import { createMetrics, type NetguardMetrics } from '../../src/server/metrics.js';
import type { ServeOptions } from '../../src/cli/serve.js';
import { makeTestCerts, type TestCerts } from './tls.js';
import { namespace } from './kube-objects.js';

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** A logger whose JSON lines land in `lines`. */
export function collectingLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { logger, lines };
}

/** Namespaces in every mode, for tests that move a pod between them. */
export const MODE_NAMESPACES: KubeObject[] = [
  namespace('enforced', 'enforce'),
  namespace('warned', 'warn'),
  namespace('audited', 'audit'),
  namespace('off', 'disabled'),
  namespace('weird', 'bogus'),
  namespace('kube-system', 'enforce'),
];

export function reviewOf(request: AdmissionRequest, apiVersion: ReviewApiVersion = 'admission.k8s.io/v1') {
  return { apiVersion, kind: 'AdmissionReview', request };
}

export interface TestServerOptions {
  /** merged over the defaults (compileConfig) */
  config?: Record<string, unknown>;
  /** a getter, to swap configs during a test */
  configGetter?: () => Config;
  /** default: only pod-service-account, so verdicts do not shift as other rules evolve */
  engine?: Engine;
  /** the static cluster state; ignored when `source` is given */
  objects?: KubeObject[];
  source?: ClusterSource;
  dryRun?: boolean;
  ready?: () => boolean;
  certs?: TestCerts;
  /** extra https options (e.g. a client CA) */
  https?: Record<string, unknown>;
  /** shorter server timeouts (slow-client tests) */
  timeouts?: Partial<ServerTimeouts>;
  /** default info */
  logLevel?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  cert?: string;
  key?: string;
  agent?: Agent | false;
  /** fail with an error when the server sends nothing for this long (a hang), instead of waiting forever */
  timeoutMs?: number;
}

/** One HTTPS request trusting `ca`. */
export function send(baseUrl: string, ca: string, options: SendOptions = {}): Promise<HttpAnswer> {
  const url = new URL(options.path ?? '/validate', baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'POST',
        ca,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        headers: options.headers ?? {},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      req.setTimeout(ms, () => req.destroy(new Error(`no answer from ${url.pathname} within ${ms} ms (the server hangs)`)));
    }
    req.end(options.body);
  });
}

/** POSTs the AdmissionReview of `request` to a /validate URL trusting `ca`. */
export function sendReview(url: string, ca: string, request: AdmissionRequest): Promise<HttpAnswer> {
  return send(url, ca, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(reviewOf(request)) });
}

export interface TestServer {
  url: string;
  certs: TestCerts;
  lines: LogLine[];
  metrics: NetguardMetrics;
  post(body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  review(request: AdmissionRequest, apiVersion?: ReviewApiVersion): Promise<AdmissionReviewResponse>;
  get(path: string): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const certs = options.certs ?? (await makeTestCerts());
  const { logger, lines } = collectingLogger(options.logLevel);
  const config = compileConfig(options.config ?? {}, 'test-config.yaml');
  const source: ClusterSource = options.source ?? {
    snapshot: storeFromObjects((options.objects ?? MODE_NAMESPACES).map((object) => ({ object, source: 'test' }))),
    ready: () => true,
    close: async () => undefined,
  };
  const ready = options.ready ?? (() => source.ready());
  const metrics = createMetrics({ ready });
  const handler = new AdmissionHandler({
    engine: options.engine ?? new Engine([podServiceAccount]),
    config: options.configGetter ?? (() => config),
    source,
    logger,
    dryRun: options.dryRun ?? false,
    metrics: metrics.admission,
  });
  const app = buildApp({
    handler,
    ready,
    logger,
    https: { cert: certs.tlsCert, key: certs.tlsKey, ...options.https },
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const agent = new Agent({ keepAlive: true, ca: certs.caCert });
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    send(url, certs.caCert, { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), headers, agent });
  return {
    url,
    certs,
    lines,
    metrics,
    post,
    async review(request, apiVersion) {
      const answer = await post(reviewOf(request, apiVersion));
      if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${answer.text}`);
      return answer.json() as AdmissionReviewResponse;
    },
    get: (path) => send(url, certs.caCert, { method: 'GET', path, agent }),
    async close() {
      agent.destroy();
      await app.close();
    },
  };
}

/** serve's options for a test server on 127.0.0.1 with ephemeral ports. */
export function localServeOptions(config: string, certs: TestCerts, source: { state: string } | { kubeconfig: string }): ServeOptions {
  return {
    config,
    ...source,
    tlsCert: certs.paths.tlsCert,
    tlsKey: certs.paths.tlsKey,
    port: 0,
    host: '127.0.0.1',
    metricsPort: 0,
    dryRun: false,
    logLevel: 'info',
  };
}
