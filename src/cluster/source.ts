// What `serve` and `audit` get from a cluster: a snapshot rules read synchronously, plus — for a
// live cluster — reads that confirm or complete it for one review. Static state has no `live`.
import type { Absence } from '../rules/types.js';
import type { ClusterSnapshot, NamespaceState, PodListing } from './snapshot.js';
import type { StoredKind } from './store.js';

export interface PodListLimits {
  /** stop after this many pods (Pod Security Admission uses 3000) */
  maxPods: number;
  /** stop after this long, in milliseconds (about 1 s) */
  timeoutMs: number;
}

export interface LiveReader {
  /**
   * Re-reads from the API server what each absence rests on (one read each, short timeout) and
   * updates the cache with what it finds. `reachable: false` when the API server did not answer:
   * the caller then answers from the cache and says so.
   */
  confirm(absences: readonly Absence[]): Promise<{ reachable: boolean; error?: string }>;
  /** A namespace the cache does not have yet (just created): one live GET. */
  namespace(name: string): Promise<NamespaceState | undefined>;
  /** A bounded listing of a namespace's pods, for the opt-in warnings. */
  listPods(namespace: string, limits: PodListLimits): Promise<PodListing | undefined>;
}

export interface ClusterSource {
  snapshot: ClusterSnapshot;
  live?: LiveReader;
  /** true once every needed cache has synced and no watch has been down too long */
  ready(): boolean;
  /**
   * Which of these kinds a live cache has not synced yet, as text for an error message (with the
   * API server's last answer); undefined when all are synced or the state is static.
   */
  unsynced?(kinds: readonly StoredKind[]): string | undefined;
  close(): Promise<void>;
}
