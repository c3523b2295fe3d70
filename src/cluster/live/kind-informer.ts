// One kind's list+watch informer (client-node's ListWatch, which `makeInformer` builds), feeding the
// shared store, kept alive, and able to say whether it is synced and whether its watch is down.
//
// What client-node does and does not do (1.4): on a clean end of the watch stream it re-watches
// from the last resourceVersion; on a 410 (ERROR event or HTTP status) it relists; on any other
// failure — the API server unreachable, a LIST failing — it emits `error` once and stops for good.
// So this class restarts it after a capped, jittered back-off, and also slows down a server that
// keeps ending watch streams the moment they open (client-node would re-watch in a tight loop).
//
// The store is fed from the LIST pages and from the watch events themselves, not from the
// informer's add/update/delete callbacks: those only fire for objects in the informer's own map,
// and a read-through may have put an object into the store that the informer never saw (its later
// DELETED event must still remove it). A relist is reconciled against the store for the same reason.
//
// Memory: list pages go into the store as they arrive, and the informer's own object map (which
// nothing here reads) is kept nearly empty — the LIST hands it no items, and objects from watch
// events are cut down to name, namespace and resourceVersion — so a cluster with 50,000
// NetworkPolicies never has 50,000 full objects in memory at once.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorText } from '../../errors.js';
import { isRecord, metaOf } from '../objects.js';
import type { StoredKind } from '../store.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { isNotFound, type KubeClient } from './http.js';
import { listPages } from './paging.js';
import type { ResourceInfo } from './resources.js';
import type { StoreWriter } from './store-writer.js';

/** A watch stream shorter than this, ended by the server, counts as a hot-loop risk. */
const QUICK_END_MS = 1_000;
/** How often to ask again for a resource the API server does not serve (404 on its LIST). */
const NOT_SERVED_RETRY_MS = 60_000;
/** Per page of the informer's LIST: large pages from a busy API server can take a while. */
const LIST_PAGE_TIMEOUT_MS = 60_000;

/** Server-side watch timeout, 5–10 min like client-go: a watch that went quiet (half-open TCP) is renewed. */
const watchTimeoutSeconds = () => 300 + Math.floor(Math.random() * 300);

interface WatchObserver {
  /** sees each event before the informer does */
  onEvent(phase: string, object: unknown): void;
  beforeWatch(): number;
  watchConnected(): void;
  watchEnded(error: unknown, durationMs: number): void;
  readonly closed: boolean;
}

/** client-node's Watch, reporting when a stream is really open and when it ends. */
class ObservedWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly observer: WatchObserver,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    // ListWatch calls this from a stream's end handler without catching: a throw here (credentials
    // that cannot be loaded, say) would be an unhandled rejection. It goes to `done` instead, which
    // the informer turns into an `error` event, and that into a restart.
    try {
      const delay = this.observer.beforeWatch();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
      // Stopped while waiting: hand back a controller for a watch that never started.
      if (this.observer.closed) return new AbortController();
      const started = Date.now();
      let ended = false;
      let expired = false;
      let controller: AbortController | undefined;
      const observed = (phase: string, object: unknown, raw?: unknown) => {
        this.observer.onEvent(phase, object);
        callback(phase, object, raw);
        // The API server ends the stream after a 410 ERROR event; should one not, end it here so
        // the informer relists now instead of waiting on a stream that will never say more.
        if (phase === 'ERROR' && isRecord(object) && object['code'] === 410) {
          expired = true;
          controller?.abort();
        }
      };
      const params = { ...query, allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds() };
      controller = await super.watch(path, params, observed, (err) => {
        ended = true;
        // Reported as the 410 it was (not as the abort that ended it): ListWatch then relists at once.
        const reason = expired ? Object.assign(new Error('watch expired: resourceVersion too old (410)'), { statusCode: 410 }) : err;
        this.observer.watchEnded(reason, Date.now() - started);
        done(reason);
      });
      if (expired && !ended) controller.abort();
      // Closed while the request was in flight: nobody else will abort this stream.
      if (this.observer.closed) controller.abort();
      else if (!ended) this.observer.watchConnected();
      return controller;
    } catch (error) {
      this.observer.watchEnded(error, 0);
      done(error);
      return new AbortController();
    }
  }
}

export interface KindInformerOptions {
  kc: KubeConfig;
  client: KubeClient;
  writer: StoreWriter;
  resource: ResourceInfo;
  logger: Logger;
  backoff?: BackoffOptions;
  now?: () => number;
}

export interface KindInformerStatus {
  kind: StoredKind;
  synced: boolean;
  /** how long the watch has been down, 0 while it is up */
  downForMs: number;
  lists: number;
  failures: number;
  lastError: string | undefined;
}

export class KindInformer implements WatchObserver {
  readonly kind: StoredKind;
  /** resolves once the first full LIST is in the store; rejects if closed before */
  readonly firstSync: Promise<void>;
  closed = false;

  private synced = false;
  /** the API server answered the LIST with 404: nothing of this kind exists to cache */
  private notServed = false;
  private downSince: number | undefined;
  private downLogged = false;
  private quickEnd = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private lists = 0;
  private failures = 0;
  private lastError: string | undefined;
  private resolveSync!: () => void;
  private rejectSync!: (error: Error) => void;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly restarts: Backoff;
  private readonly rewatches: Backoff;
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: KindInformerOptions) {
    this.kind = options.resource.kind;
    this.logger = options.logger.child({ kind: this.kind });
    this.now = options.now ?? Date.now;
    this.restarts = new Backoff(options.backoff);
    this.rewatches = new Backoff(options.backoff);
    this.firstSync = new Promise<void>((resolve, reject) => {
      this.resolveSync = resolve;
      this.rejectSync = reject;
    });
    // Nobody may be waiting on it; a close before sync must not become an unhandled rejection.
    this.firstSync.catch(() => undefined);
    const watch = new ObservedWatch(options.kc, this);
    this.informer = new ListWatch<KubernetesObject>(options.resource.listPath, watch, () => this.list(), false);
    this.informer.on('error', (error) => this.onError(error));
  }

  start(): void {
    this.informer.start().catch((error: unknown) => this.onError(error));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.abort.abort();
    this.rejectSync(new Error(`the ${this.kind} cache was closed before it synced`));
    await this.informer.stop();
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** Down (since a failure or a stream end, until a watch is open again) for longer than `limitMs`. */
  isDownLongerThan(limitMs: number): boolean {
    return this.downSince !== undefined && this.now() - this.downSince > limitMs;
  }

  status(): KindInformerStatus {
    return {
      kind: this.kind,
      synced: this.synced,
      downForMs: this.downSince === undefined ? 0 : this.now() - this.downSince,
      lists: this.lists,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  // ---- WatchObserver ---------------------------------------------------------------------------

  beforeWatch(): number {
    // ListWatch only watches after a LIST has been applied (or from the version of an earlier one).
    if (!this.synced && !this.closed) {
      this.synced = true;
      this.resolveSync();
    }
    if (!this.quickEnd) return 0;
    this.quickEnd = false;
    return this.rewatches.next();
  }

  watchConnected(): void {
    if (this.downSince !== undefined && this.downLogged) {
      this.logger.info({ downForMs: this.now() - this.downSince }, `${this.kind} watch restored`);
    }
    this.downSince = undefined;
    this.downLogged = false;
  }

  watchEnded(error: unknown, durationMs: number): void {
    if (this.closed) return;
    this.downSince ??= this.now();
    if (durationMs >= QUICK_END_MS) {
      this.restarts.reset();
      this.rewatches.reset();
    } else if (!error) {
      this.quickEnd = true;
    }
  }

  // ---- informer callbacks --------------------------------------------------------------------

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const { writer, resource, client } = this.options;
    const listed = new Set<string>();
    let resourceVersion = '';
    try {
      for await (const page of listPages(client, resource.listPath, { timeoutMs: LIST_PAGE_TIMEOUT_MS, signal: this.abort.signal })) {
        for (const item of page.items) {
          const key = writer.put(this.kind, item, 'list');
          if (key !== undefined) listed.add(key);
        }
        resourceVersion ||= page.resourceVersion;
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Every API server serves namespaces: a 404 there means the kubeconfig points elsewhere (a
      // wrong path prefix, a proxy), and treating everything as absent would allow everything.
      if (this.kind === 'Namespace') {
        throw new Error(`${errorText(error)}; every Kubernetes API server serves ${resource.listPath}, so check the server URL in the kubeconfig (path prefix, proxy)`);
      }
      this.notServed = true;
      throw error;
    }
    this.notServed = false;
    const removed = writer.reconcile(this.kind, listed);
    this.lists++;
    this.logger.debug({ objects: listed.size, removed, resourceVersion }, `${this.kind} listed`);
    // No items: the objects are in the store already; the informer needs only the version to watch from.
    return { apiVersion: resource.apiVersion, kind: `${this.kind}List`, metadata: { resourceVersion }, items: [] };
  }

  onEvent(phase: string, object: unknown): void {
    if (this.closed || !isRecord(object)) return;
    if (phase === 'ADDED' || phase === 'MODIFIED') {
      this.options.writer.put(this.kind, object, 'watch');
      // The informer keeps this very object in its map: shrink it to a skeleton before it does.
      const meta = metaOf(object);
      for (const field of Object.keys(object)) delete object[field];
      object['metadata'] = { name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}), resourceVersion: meta.resourceVersion };
    } else if (phase === 'DELETED') {
      this.options.writer.dropObject(this.kind, object);
    }
  }

  private onError(error: unknown): void {
    if (this.closed) return;
    if (this.notServed) return this.whileNotServed();
    this.failures++;
    this.lastError = errorText(error);
    this.downSince ??= this.now();
    if (this.restartTimer) return;
    const delayMs = this.restarts.next();
    this.downLogged = true;
    this.logger.warn(
      { err: this.lastError, retryInMs: delayMs, failures: this.failures, synced: this.synced },
      `${this.kind} list/watch failed; retrying`,
    );
    this.restartIn(delayMs);
  }

  /**
   * An API server without this resource (a trimmed-down or test API server) holds none of it: the
   * cache is synced and empty, not down, and the LIST is tried again now and then.
   */
  private whileNotServed(): void {
    if (!this.synced) {
      this.synced = true;
      this.resolveSync();
      this.logger.warn(`the API server does not serve ${this.options.resource.listPath} (404); treating it as holding no ${this.kind} objects`);
    }
    this.downSince = undefined;
    if (!this.restartTimer) this.restartIn(NOT_SERVED_RETRY_MS);
  }

  private restartIn(delayMs: number): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closed) this.start();
    }, delayMs);
    this.restartTimer.unref();
  }
}
