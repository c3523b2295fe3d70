// The live cluster source behind `serve --kubeconfig` (and in-cluster `serve`): list+watch caches of
// the kinds the rules need, feeding one ClusterStore, plus read-through reads for single reviews.
// Policy kinds of the other network-policy APIs (CRDs) are watched only when the API server serves
// them: discovery is asked at start and every `discoveryIntervalMs` (default 60 s); a kind that
// appears gets an informer, one that disappears loses it and its objects (and never blocks readiness).
//
// Readiness: not ready until every cache has listed once; not ready again while any watch has been
// down for longer than `watchDownLimitMs` (default 30 s — long enough to ride out an API server
// rolling restart or a leader change without flapping, short enough that a replica whose cache may
// be missing recent policies is taken out of the Service before it answers from stale state for long).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterSource } from '../source.js';
import { errorText } from '../../errors.js';
import { COVERAGE_KIND_IDS, type CoverageKindId } from '../coverage/kinds.js';
import { ClusterStore, type StoredKind } from '../store.js';
import type { BackoffOptions } from './backoff.js';
import { discoverPolicyKinds } from './discovery.js';
import type { KubeClient } from './http.js';
import { KindInformer, type KindInformerStatus } from './kind-informer.js';
import { clientFor, loadKubeConfig } from './kubeconfig.js';
import { LiveReads } from './reader.js';
import { policyResource, RESOURCES, type ResourceInfo } from './resources.js';
import { StoreWriter } from './store-writer.js';

export const DEFAULT_WATCH_DOWN_LIMIT_MS = 30_000;
export const DEFAULT_DISCOVERY_INTERVAL_MS = 60_000;
const DISCOVERY_TIMEOUT_MS = 10_000;

export interface LiveSourceOptions {
  /** kubeconfig file; undefined: in-cluster ServiceAccount */
  kubeconfig?: string;
  /** kinds the enabled rules read (Rule.needs) */
  needs: readonly StoredKind[];
  logger: Logger;
  watchDownLimitMs?: number;
  /** informer restart back-off (default 250 ms doubling to 30 s) */
  backoff?: BackoffOptions;
  /** time limit of each read-through read (default 2 s) */
  readTimeoutMs?: number;
  /** policy kinds the config guards (re-read at each discovery, so a config reload takes effect) */
  policyKinds?: () => readonly CoverageKindId[];
  /** how often discovery is asked again for policy CRDs (default 60 s) */
  discoveryIntervalMs?: number;
}

export interface LiveClusterSource extends ClusterSource {
  readonly store: ClusterStore;
  /** resolves once every cache has listed once; rejects if closed first */
  readonly synced: Promise<void>;
  /** per kind: synced, down for how long, lists, failures */
  status(): KindInformerStatus[];
}

/**
 * Kinds to watch: what the rules need, minus Pods (far too many to cache; they are listed per
 * review when needed), plus Namespaces always — every review's mode comes from its namespace labels.
 */
export function watchedKinds(needs: readonly StoredKind[]): (keyof typeof RESOURCES)[] {
  const wanted = new Set<StoredKind>(['Namespace', ...needs]);
  wanted.delete('Pod');
  return (Object.keys(RESOURCES) as (keyof typeof RESOURCES)[]).filter((kind) => wanted.has(kind));
}

/** Policy kinds of the CRD-based APIs the rules need and the config guards (found through discovery). */
function discoveredKinds(needs: readonly StoredKind[], guarded: readonly CoverageKindId[] | undefined): CoverageKindId[] {
  return COVERAGE_KIND_IDS.filter((id) => !(id in RESOURCES) && needs.includes(id) && (guarded ?? COVERAGE_KIND_IDS).includes(id));
}

export async function createLiveSource(options: LiveSourceOptions): Promise<LiveClusterSource> {
  const kc = loadKubeConfig(options.kubeconfig);
  return startLiveSource(kc, clientFor(kc), options);
}

function startLiveSource(kc: KubeConfig, client: KubeClient, options: LiveSourceOptions): LiveClusterSource {
  const logger = options.logger.child({ component: 'live-cache' });
  const limitMs = options.watchDownLimitMs ?? DEFAULT_WATCH_DOWN_LIMIT_MS;
  const store = new ClusterStore(false);
  const writer = new StoreWriter(store);
  const backoff = options.backoff ? { backoff: options.backoff } : {};
  const informer = (resource: ResourceInfo) => new KindInformer({ kc, client, writer, resource, logger, ...backoff });
  const core = watchedKinds(options.needs).map((kind) => informer(RESOURCES[kind]));
  /** policy CRD informers by kind, with the version they watch */
  const policies = new Map<CoverageKindId, { informer: KindInformer; version: string }>();
  /** where the read-through finds each served policy kind */
  const served = new Map<CoverageKindId, ResourceInfo>();
  const all = () => [...core, ...[...policies.values()].map((p) => p.informer)];
  let closed = false;
  let firstDiscovery = true;

  const discover = async (): Promise<void> => {
    const wanted = discoveredKinds(options.needs, options.policyKinds?.());
    let found: Map<CoverageKindId, string>;
    try {
      found = await discoverPolicyKinds(client, wanted, { timeoutMs: DISCOVERY_TIMEOUT_MS });
    } catch (error) {
      if (!firstDiscovery) return logger.warn({ err: errorText(error) }, 'API discovery failed; keeping the policy kinds watched so far');
      // no discovery at start: watch every wanted kind at its known version (a 404 reads as empty)
      logger.warn({ err: errorText(error) }, 'API discovery failed; watching every guarded policy kind at its usual version');
      found = new Map(wanted.map((id) => [id, policyResource(id).apiVersion.split('/')[1]!]));
    }
    firstDiscovery = false;
    if (closed) return;
    for (const [id, entry] of [...policies]) {
      if (found.get(id) === entry.version) continue;
      policies.delete(id);
      served.delete(id);
      await entry.informer.close();
      const removed = writer.reconcile(id, new Set());
      logger.info({ kind: id, removed }, `${id} is no longer served at ${entry.version}; its cache is dropped`);
    }
    for (const [id, version] of found) {
      if (policies.has(id) || closed) continue;
      const resource = policyResource(id, version);
      const started = informer(resource);
      policies.set(id, { informer: started, version });
      served.set(id, resource);
      started.start();
      logger.info({ kind: id, version }, `watching ${resource.listPath}`);
    }
  };

  const synced = Promise.all(core.map((i) => i.firstSync))
    .then(() => discover())
    .then(() => Promise.all([...policies.values()].map((p) => p.informer.firstSync)))
    .then(() => {
      logger.info({ kinds: all().map((i) => i.kind), objects: store.size }, 'cluster cache synced');
    });
  synced.catch(() => undefined);
  // a kind never unsyncs once listed, so after the first full sync reviews skip the per-kind check
  let allSynced = false;
  void synced.then(() => (allSynced = true), () => undefined);
  for (const i of core) i.start();
  logger.info({ server: client.server, kinds: core.map((i) => i.kind), watchDownLimitMs: limitMs }, 'starting cluster cache');
  const interval = options.discoveryIntervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS;
  const timer = setInterval(() => void synced.then(discover, () => undefined), interval);
  timer.unref();

  return {
    snapshot: store,
    store,
    synced,
    live: new LiveReads({
      client,
      writer,
      logger,
      policyResources: () => served,
      ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}),
    }),
    // policy kinds discovered after the first sync do not gate readiness until they have listed once
    ready: () => !closed && allSynced && all().every((i) => (i.isSynced() ? !i.isDownLongerThan(limitMs) : !core.includes(i))),
    status: () => all().map((i) => i.status()),
    unsynced: (kinds) => {
      if (allSynced) return undefined;
      const missing = all().filter((i) => kinds.includes(i.kind) && !i.isSynced()).map((i) => i.status());
      if (missing.length === 0) return undefined;
      return missing.map((s) => (s.lastError ? `${s.kind} (the API server answered: ${s.lastError})` : s.kind)).join(', ');
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all(all().map((i) => i.close()));
    },
  };
}
