// The live cluster source behind `serve --kubeconfig` (and in-cluster `serve`): list+watch caches of
// the kinds the rules need, feeding one ClusterStore, plus read-through reads for single reviews.
//
// Readiness: not ready until every cache has listed once; not ready again while any watch has been
// down for longer than `watchDownLimitMs` (default 30 s — long enough to ride out an API server
// rolling restart or a leader change without flapping, short enough that a replica whose cache may
// be missing recent policies is taken out of the Service before it answers from stale state for long).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterSource } from '../source.js';
import { ClusterStore, type StoredKind } from '../store.js';
import type { BackoffOptions } from './backoff.js';
import type { KubeClient } from './http.js';
import { KindInformer, type KindInformerStatus } from './kind-informer.js';
import { clientFor, loadKubeConfig } from './kubeconfig.js';
import { LiveReads } from './reader.js';
import { RESOURCES } from './resources.js';
import { StoreWriter } from './store-writer.js';

export const DEFAULT_WATCH_DOWN_LIMIT_MS = 30_000;

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
export function watchedKinds(needs: readonly StoredKind[]): StoredKind[] {
  const wanted = new Set<StoredKind>(['Namespace', ...needs]);
  wanted.delete('Pod');
  return (Object.keys(RESOURCES) as StoredKind[]).filter((kind) => wanted.has(kind));
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
  const informers = watchedKinds(options.needs).map(
    (kind) =>
      new KindInformer({ kc, client, writer, resource: RESOURCES[kind], logger, ...(options.backoff ? { backoff: options.backoff } : {}) }),
  );
  const synced = Promise.all(informers.map((i) => i.firstSync)).then(() => {
    logger.info({ kinds: informers.map((i) => i.kind), objects: store.size }, 'cluster cache synced');
  });
  synced.catch(() => undefined);
  // a kind never unsyncs once listed, so after the first full sync reviews skip the per-kind check
  let allSynced = false;
  void synced.then(() => (allSynced = true), () => undefined);
  for (const informer of informers) informer.start();
  logger.info({ server: client.server, kinds: informers.map((i) => i.kind), watchDownLimitMs: limitMs }, 'starting cluster cache');

  let closed = false;
  return {
    snapshot: store,
    store,
    synced,
    live: new LiveReads({ client, writer, logger, ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}) }),
    ready: () => !closed && informers.every((i) => i.isSynced() && !i.isDownLongerThan(limitMs)),
    status: () => informers.map((i) => i.status()),
    unsynced: (kinds) => {
      if (allSynced) return undefined;
      const missing = informers.filter((i) => kinds.includes(i.kind) && !i.isSynced()).map((i) => i.status());
      if (missing.length === 0) return undefined;
      return missing.map((s) => (s.lastError ? `${s.kind} (the API server answered: ${s.lastError})` : s.kind)).join(', ');
    },
    async close() {
      closed = true;
      await Promise.all(informers.map((i) => i.close()));
    },
  };
}
