// The cluster state rules read. Implemented by the in-memory ClusterStore (fed from files or from
// informers) and by a per-review overlay that adds what was read live for that review.
import type { Direction } from '../config/types.js';
import type { CoveringPolicy, PolicyEntry } from './coverage/index.js';
import type { CoverageKindId } from './coverage/kinds.js';
import type { CoverageOverlap } from './coverage/store-index.js';
import type { Subject } from './objects.js';
import type { RoleView } from '../rbac/roles.js';

export interface NamespaceState {
  name: string;
  labels: Readonly<Record<string, string>>;
  terminating: boolean;
}

export type RoleKind = 'Role' | 'ClusterRole';

/** What grant resolution needs of a role, derived once on upsert (src/rbac/roles.ts). */
export type RoleState = RoleView;

export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

export interface BindingState {
  kind: BindingKind;
  /** undefined for ClusterRoleBindings */
  namespace: string | undefined;
  name: string;
  roleRef: { kind: RoleKind; name: string };
  subjects: readonly Subject[];
}

export interface PodState {
  namespace: string;
  name: string;
  serviceAccount: string;
}

export interface PodListing {
  pods: readonly PodState[];
  /** false when the listing stopped at its size or time bound */
  complete: boolean;
}

export interface ClusterSnapshot {
  namespace(name: string): NamespaceState | undefined;
  /** every known namespace (a cluster-scoped policy's change is judged per namespace it covers) */
  allNamespaces(): Iterable<NamespaceState>;
  /** the policies, of every recognised API, that put the namespace under default-deny for a direction */
  coverage(namespace: string, direction: Direction): readonly CoveringPolicy[];
  /** a stored policy's coverage, by store kind id, namespace (undefined: cluster-scoped) and name */
  coveredBy(kind: CoverageKindId, namespace: string | undefined, name: string): PolicyEntry | undefined;
  /** where one stored policy (by key) covers alone, and who covers alongside it */
  coverageOverlap(key: string): CoverageOverlap;
  /** a Role (namespace given) or ClusterRole (namespace undefined) */
  role(kind: RoleKind, namespace: string | undefined, name: string): RoleState | undefined;
  /** every ClusterRole (aggregation is resolved over them) */
  clusterRoles(): Iterable<RoleState>;
  /** RoleBindings and ClusterRoleBindings whose roleRef names this role */
  bindingsOf(kind: RoleKind, namespace: string | undefined, name: string): readonly BindingState[];
  /** pods of a namespace, when this snapshot has them (static state, or read for this review) */
  pods(namespace: string): PodListing | undefined;
}
