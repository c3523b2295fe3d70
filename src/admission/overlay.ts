// A per-review view over the shared snapshot: what was read live for this one review (a namespace
// the cache does not have yet, a bounded pod listing) shadows the cache; everything else is read
// through untouched. Nothing is copied, so building one costs a few object allocations.
import type { Direction } from '../config/types.js';
import type { CoveringPolicy, PolicyEntry } from '../cluster/coverage/index.js';
import type { CoverageKindId } from '../cluster/coverage/kinds.js';
import type { CoverageOverlap } from '../cluster/coverage/store-index.js';
import type { BindingState, ClusterSnapshot, NamespaceState, PodListing, RoleKind, RoleState } from '../cluster/snapshot.js';

export interface OverlayData {
  namespace?: NamespaceState;
  pods?: { namespace: string; listing: PodListing };
}

export class SnapshotOverlay implements ClusterSnapshot {
  constructor(
    private readonly base: ClusterSnapshot,
    private readonly data: OverlayData,
  ) {}

  namespace(name: string): NamespaceState | undefined {
    const own = this.data.namespace;
    return own && own.name === name ? own : this.base.namespace(name);
  }

  allNamespaces(): Iterable<NamespaceState> {
    return this.base.allNamespaces();
  }

  coverage(namespace: string, direction: Direction): readonly CoveringPolicy[] {
    return this.base.coverage(namespace, direction);
  }

  coveredBy(kind: CoverageKindId, namespace: string | undefined, name: string): PolicyEntry | undefined {
    return this.base.coveredBy(kind, namespace, name);
  }

  coverageOverlap(key: string): CoverageOverlap {
    return this.base.coverageOverlap(key);
  }

  role(kind: RoleKind, namespace: string | undefined, name: string): RoleState | undefined {
    return this.base.role(kind, namespace, name);
  }

  clusterRoles(): Iterable<RoleState> {
    return this.base.clusterRoles();
  }

  bindingsOf(kind: RoleKind, namespace: string | undefined, name: string): readonly BindingState[] {
    return this.base.bindingsOf(kind, namespace, name);
  }

  pods(namespace: string): PodListing | undefined {
    const own = this.data.pods;
    return own && own.namespace === namespace ? own.listing : this.base.pods(namespace);
  }
}
