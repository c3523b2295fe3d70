// `netguard serve`: wires config (reloaded on change), cluster state (static or live), the engine,
// the HTTPS port (TLS re-read on rotation) and the metrics port, then runs until SIGTERM/SIGINT.
// Shutdown: readiness fails, no new connections are accepted, every review in flight is answered,
// the cluster source closes, and the process exits 0 — well inside Kubernetes' 30 s grace period.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import { AdmissionHandler } from '../admission/handler.js';
import type { LiveSourceOptions } from '../cluster/live/source.js';
import type { ClusterSource } from '../cluster/source.js';
import { loadStaticState } from '../cluster/static.js';
import type { StoredKind } from '../cluster/store.js';
import { countedKinds } from '../cluster/coverage/counted.js';
import type { CoverageKindId } from '../cluster/coverage/kinds.js';
import { loadConfigFile } from '../config/load.js';
import { watchConfig, type WatchOptions } from '../config/watch.js';
import { errorText, usageError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { Engine } from '../rules/engine.js';
import type { Config } from '../config/types.js';
import { expiredExceptions } from '../exceptions/apply.js';
import { buildApp } from '../server/app.js';
import { createMetrics, type NetguardMetrics } from '../server/metrics.js';
import { buildMetricsApp } from '../server/metrics-app.js';
import { httpsOptions, loadTlsMaterial, watchTls } from '../server/tls.js';

export interface ServeOptions {
  config: string;
  kubeconfig?: string;
  state?: string;
  tlsCert: string;
  tlsKey: string;
  clientCa?: string;
  port: number;
  host: string;
  metricsPort: number;
  dryRun: boolean;
  logLevel: string;
}

/** Past this, shutdown gives up on stragglers (kubelet sends SIGKILL at 30 s by default). */
export const SHUTDOWN_CAP_MS = 20_000;

export interface RunningServer {
  /** https://host:port/validate */
  url: string;
  port: number;
  metricsUrl: string;
  metricsPort: number;
  logger: Logger;
  /** graceful: stop accepting, finish reviews in flight, close the cluster source */
  close(): Promise<void>;
}

export interface StartExtras {
  /** a logger to use instead of one built from --log-level (tests collect lines) */
  logger?: Logger;
  /** file-watch timing (tests poll faster) */
  watch?: WatchOptions;
  /** live cache timing: watch-down bound for readiness, restart back-off (tests use short ones) */
  live?: LiveTiming;
  /** the clock exceptions expire by (tests move it; production uses Date.now) */
  now?: () => number;
}

export type LiveTiming = Pick<LiveSourceOptions, 'watchDownLimitMs' | 'backoff' | 'readTimeoutMs' | 'discoveryIntervalMs'>;

/** The live cache is loaded only when asked for: static runs never pay for client-node's import. */
async function liveSource(
  kubeconfig: string | undefined,
  needs: StoredKind[],
  policyKinds: () => readonly CoverageKindId[],
  logger: Logger,
  timing: LiveTiming = {},
): Promise<ClusterSource> {
  const { createLiveSource } = await import('../cluster/live/source.js');
  return createLiveSource({ ...timing, ...(kubeconfig !== undefined ? { kubeconfig } : {}), needs, policyKinds, logger });
}

function staticSource(dir: string, logger: Logger): ClusterSource {
  const store = loadStaticState([dir], 'default', { onNote: (note) => logger.info({ stateDir: dir }, note) });
  return { snapshot: store, ready: () => true, close: async () => undefined };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function listen(app: FastifyInstance, port: number, host: string, what: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    throw usageError(`cannot listen on ${urlHost(host)}:${port} for ${what}: ${errorText(error)}`);
  }
  return (app.server.address() as AddressInfo).port;
}

/** At start and on reload: each expired exception logged (one line each), every exception's series started. */
function noteExceptions(config: Config, now: number, logger: Logger, metrics: NetguardMetrics): void {
  for (const exception of expiredExceptions(config, now)) {
    logger.warn({ exception: exception.name, expires: exception.expires }, 'exception expired: it covers nothing; remove it or extend expires');
  }
  metrics.exceptionsConfigured(config.exceptionList.map((e) => e.name));
}

/** Starts everything and returns once both ports listen. Throws NetguardError for bad input. */
export async function startServe(opts: ServeOptions, extras: StartExtras = {}): Promise<RunningServer> {
  const logger = extras.logger ?? createLogger({ level: opts.logLevel });
  const initialConfig = loadConfigFile(opts.config);
  const tlsFiles = { cert: opts.tlsCert, key: opts.tlsKey, ...(opts.clientCa ? { clientCa: opts.clientCa } : {}) };
  const tls = loadTlsMaterial(tlsFiles);

  const engine = new Engine();
  // namespaces are always needed: their labels decide the mode
  const needs = [...new Set<StoredKind>(['Namespace', ...engine.rules.flatMap((r) => r.needs)])];
  // the policy CRDs worth watching follow the config's policyResources, reloads included
  let currentConfig = () => initialConfig;
  const policyKinds = () => [...countedKinds(currentConfig()).ids];
  const source =
    opts.state !== undefined ? staticSource(opts.state, logger) : await liveSource(opts.kubeconfig, needs, policyKinds, logger, extras.live);

  const now = extras.now ?? Date.now;
  let closing = false;
  const ready = () => !closing && source.ready();
  const metrics = createMetrics({ ready: () => source.ready(), expiredExceptions: () => expiredExceptions(configWatcher.current(), now()).length });
  const configWatcher = watchConfig(opts.config, initialConfig, {
    logger,
    onReload: (result) => {
      metrics.configReload(result);
      if (result === 'success') noteExceptions(configWatcher.current(), now(), logger, metrics);
    },
    ...extras.watch,
  });
  noteExceptions(initialConfig, now(), logger, metrics);
  currentConfig = configWatcher.current;
  const handler = new AdmissionHandler({
    now,
    engine,
    config: configWatcher.current,
    source,
    logger,
    dryRun: opts.dryRun,
    metrics: metrics.admission,
  });
  const app = buildApp({ handler, ready, logger, https: httpsOptions(tls) });
  const metricsApp = buildMetricsApp({ registry: metrics.registry, ready, logger });

  let tlsWatcher: { close(): void } | undefined;
  const stopAll = async () => {
    closing = true;
    configWatcher.close();
    tlsWatcher?.close();
    // both ports stop accepting at once; close() resolves when the reviews in flight are answered
    await Promise.allSettled([app.close(), metricsApp.close()]);
    await source.close();
  };

  let port: number;
  let metricsPort: number;
  try {
    port = await listen(app, opts.port, opts.host, 'the HTTPS port (--port)');
    metricsPort = await listen(metricsApp, opts.metricsPort, opts.host, 'metrics (--metrics-port)');
  } catch (error) {
    await stopAll();
    throw error;
  }
  tlsWatcher = watchTls({ server: app.server as unknown as HttpsServer, files: tlsFiles, initial: tls, logger, onReload: metrics.tlsReload, ...extras.watch });

  const url = `https://${urlHost(opts.host)}:${port}/validate`;
  const metricsUrl = `http://${urlHost(opts.host)}:${metricsPort}/metrics`;
  logger.info(
    {
      url,
      metricsUrl,
      config: opts.config,
      clusterState: opts.state !== undefined ? `static: ${opts.state}` : opts.kubeconfig ? `live: ${opts.kubeconfig}` : 'live: in-cluster',
      clientCertificates: opts.clientCa ? 'required' : 'not required',
      dryRun: opts.dryRun || initialConfig.dryRun,
      certificateSerial: tls.serial,
    },
    'listening',
  );

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    metricsUrl,
    metricsPort,
    logger,
    close: () => (closed ??= stopAll()),
  };
}

/** `netguard serve`: resolves after a graceful shutdown on SIGTERM or SIGINT. */
export async function runServe(opts: ServeOptions): Promise<void> {
  const server = await startServe(opts);
  const { logger } = server;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'already shutting down; waiting for reviews in flight');
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutting down: no new connections, finishing the reviews in flight');
      const cap = setTimeout(() => {
        logger.error({ afterMs: SHUTDOWN_CAP_MS }, 'shutdown did not finish in time; exiting with reviews possibly unanswered');
        process.exit(1);
      }, SHUTDOWN_CAP_MS);
      cap.unref();
      server.close().then(
        () => {
          clearTimeout(cap);
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          logger.info('stopped');
          resolve();
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // Everything is closed; if a library still holds the event loop open, do not hang in Terminating.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}
