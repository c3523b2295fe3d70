// The one way objects enter the live cache's ClusterStore. Three writers share it — each kind's
// informer (list pages and watch events) and the read-through reads done for single reviews — so
// this module remembers the resourceVersion last applied per object, and recent deletions, to keep a
// slow read from putting back an older state than the watch has already delivered. A relist is
// authoritative: it replaces what the store holds for its kind.
import { metaOf, type KubeObject } from '../objects.js';
import { isNamespacedKind, type ClusterStore, type StoredKind } from '../store.js';
import { objectKey } from './resources.js';

/** Deletions remembered per kind; older ones are forgotten first (the next relist settles them). */
const TOMBSTONES_PER_KIND = 10_000;

/** -1, 0, 1; undefined when either version is not a number (resourceVersions are opaque by contract). */
export function compareVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface KindState {
  /** key → resourceVersion of what the store holds */
  versions: Map<string, string>;
  /** key → resourceVersion at which it was deleted */
  tombstones: Map<string, string>;
}

export type WriteSource = 'list' | 'watch' | 'read';

export class StoreWriter {
  private readonly kinds = new Map<StoredKind, KindState>();

  constructor(readonly store: ClusterStore) {}

  private state(kind: StoredKind): KindState {
    let state = this.kinds.get(kind);
    if (!state) {
      state = { versions: new Map(), tombstones: new Map() };
      this.kinds.set(kind, state);
    }
    return state;
  }

  /** Key of an object of this kind, or undefined when it has no name. */
  keyOf(kind: StoredKind, object: unknown): string | undefined {
    const meta = metaOf(object);
    if (typeof meta.name !== 'string' || meta.name === '') return undefined;
    return objectKey(kind, meta.namespace, meta.name);
  }

  /**
   * Adds or replaces an object. List items come without `kind`; it is set here. A watch event or a
   * read older than what the store already holds (or than its deletion) is ignored; a list is not.
   * Returns the key written, or undefined when nothing was written.
   */
  put(kind: StoredKind, object: unknown, source: WriteSource): string | undefined {
    const key = this.keyOf(kind, object);
    if (key === undefined) return undefined;
    const state = this.state(kind);
    const version = metaOf(object).resourceVersion;
    if (source !== 'list') {
      if ((compareVersions(version, state.versions.get(key)) ?? 0) < 0) return undefined;
      if ((compareVersions(version, state.tombstones.get(key)) ?? 1) <= 0) return undefined;
    }
    this.store.put(kind, object as KubeObject);
    state.versions.set(key, version ?? '');
    state.tombstones.delete(key);
    return key;
  }

  /** Removes an object; `version` (the deletion's resourceVersion) keeps slower reads from reviving it. */
  drop(kind: StoredKind, namespace: string | undefined, name: string, version?: string): void {
    const key = objectKey(kind, namespace, name);
    const state = this.state(kind);
    this.store.delete(kind, namespace, name);
    state.versions.delete(key);
    if (version) {
      state.tombstones.delete(key);
      state.tombstones.set(key, version);
      if (state.tombstones.size > TOMBSTONES_PER_KIND) {
        const oldest = state.tombstones.keys().next().value;
        if (oldest !== undefined) state.tombstones.delete(oldest);
      }
    }
  }

  /** Removes an object delivered by a DELETED watch event (its resourceVersion is the deletion's). */
  dropObject(kind: StoredKind, object: unknown): void {
    const meta = metaOf(object);
    if (typeof meta.name !== 'string' || meta.name === '') return;
    this.drop(kind, isNamespacedKind(kind) ? (meta.namespace ?? 'default') : undefined, meta.name, meta.resourceVersion);
  }

  /** After a full relist: removes every object of the kind the list did not contain. */
  reconcile(kind: StoredKind, listed: ReadonlySet<string>): number {
    const state = this.state(kind);
    let removed = 0;
    for (const key of [...state.versions.keys()]) {
      if (listed.has(key)) continue;
      const slash = isNamespacedKind(kind) ? key.indexOf('/') : -1;
      this.drop(kind, slash >= 0 ? key.slice(0, slash) : undefined, slash >= 0 ? key.slice(slash + 1) : key);
      removed++;
    }
    return removed;
  }
}
