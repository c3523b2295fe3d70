// An indexed, incrementally updated ClusterSnapshot. Each object's facts are derived once on
// upsert; removing or replacing an object touches only its own index entries.
import type { Direction } from '../config/types.js';
import { COVERAGE_KIND_IDS, coverageKind, groupOf, policyKindOf, type CoverageKindId } from './coverage/kinds.js';
import { CoverageIndex } from './coverage/store-index.js';
import type { CoveringPolicy } from './coverage/index.js';
import { isTerminating, subjectsOf } from './facts.js';
import { roleViewOf } from '../rbac/roles.js';
import { asString, isRecord, labelsOf, metaOf, type KubeObject } from './objects.js';
import { storeKey } from '../util/text.js';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
import type { BindingState, ClusterSnapshot, NamespaceState, PodListing, PodState, RoleKind, RoleState } from './snapshot.js';

const CORE_KINDS = ['Namespace', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Pod'] as const;
type CoreKind = (typeof CORE_KINDS)[number];

/** Kinds the store holds: the core ones and every policy kind read for coverage (by store id). */
export const STORED_KINDS = [...CORE_KINDS, ...COVERAGE_KIND_IDS] as const;
export type StoredKind = CoreKind | CoverageKindId;

const CORE_GROUPS: Readonly<Record<CoreKind, string>> = {
  Namespace: '',
  Pod: '',
  Role: RBAC_GROUP,
  ClusterRole: RBAC_GROUP,
  RoleBinding: RBAC_GROUP,
  ClusterRoleBinding: RBAC_GROUP,
};

/**
 * The stored kind of an object, recognised by API group and kind. An object without apiVersion (only
 * ever built inside netguard: manifests and the API server always carry one) is the built-in kind of
 * that name.
 */
export function storedKindOf(object: KubeObject): StoredKind | undefined {
  const kind = object.kind;
  if (typeof kind !== 'string') return undefined;
  const versioned = typeof object.apiVersion === 'string' && object.apiVersion !== '';
  const group = versioned ? groupOf(object.apiVersion) : undefined;
  if (Object.prototype.hasOwnProperty.call(CORE_GROUPS, kind)) {
    return group === undefined || group === CORE_GROUPS[kind as CoreKind] ? (kind as CoreKind) : undefined;
  }
  return policyKindOf(group ?? (kind === 'NetworkPolicy' ? 'networking.k8s.io' : ''), kind)?.coverage?.id;
}

/** Whether objects of a stored kind live in a namespace. */
export function isNamespacedKind(kind: StoredKind): boolean {
  if (Object.prototype.hasOwnProperty.call(CORE_GROUPS, kind)) return kind === 'Pod' || kind === 'Role' || kind === 'RoleBinding';
  return !coverageKind(kind as CoverageKindId).clusterScoped;
}

const roleKey = (kind: RoleKind, namespace: string | undefined, name: string) =>
  kind === 'ClusterRole' ? storeKey('ClusterRole', name) : storeKey('Role', namespace ?? '', name);

/** The pod-spec fields that name its ServiceAccount, first that is set wins (serviceAccount is the deprecated alias). */
export const SERVICE_ACCOUNT_FIELDS = ['serviceAccountName', 'serviceAccount'] as const;

export function effectiveServiceAccount(podSpec: unknown): string {
  if (!isRecord(podSpec)) return 'default';
  for (const field of SERVICE_ACCOUNT_FIELDS) {
    const name = asString(podSpec[field]);
    if (name) return name;
  }
  return 'default';
}

export class ClusterStore implements ClusterSnapshot {
  private readonly namespaces = new Map<string, NamespaceState>();
  /** default-deny coverage of every API, per namespace and direction */
  private readonly coverageIndex = new CoverageIndex();
  private readonly roles = new Map<string, RoleState>();
  private readonly clusterRoleStates = new Map<string, RoleState>();
  private readonly bindings = new Map<string, BindingState>();
  /** role key → binding key → binding */
  private readonly bindingsByRole = new Map<string, Map<string, BindingState>>();
  private readonly podsByNamespace = new Map<string, Map<string, PodState>>();

  /** A live cache does not hold pods (too many); it answers `pods()` with undefined. */
  constructor(private readonly tracksPods = true) {}

  /** Adds or replaces an object recognised by group and kind; other objects are ignored. */
  upsert(object: KubeObject): void {
    const kind = storedKindOf(object);
    if (kind) this.put(kind, object);
  }

  remove(object: KubeObject): void {
    const kind = storedKindOf(object);
    const meta = metaOf(object);
    if (kind && typeof meta.name === 'string') this.delete(kind, asString(meta.namespace), meta.name);
  }

  /** Adds or replaces an object of a known stored kind (a list item carries no kind of its own). */
  put(kind: StoredKind, object: KubeObject): void {
    this.apply(kind, object, true);
  }

  delete(kind: StoredKind, namespace: string | undefined, name: string): void {
    this.apply(kind, { metadata: { name, ...(namespace ? { namespace } : {}) } }, false);
  }

  /** Object counts per stored kind (for logs). */
  get size(): Partial<Record<StoredKind, number>> {
    let pods = 0;
    for (const m of this.podsByNamespace.values()) pods += m.size;
    const roles = [...this.roles.values()];
    const bindings = [...this.bindings.values()];
    return {
      Namespace: this.namespaces.size,
      Role: roles.filter((r) => r.kind === 'Role').length,
      ClusterRole: roles.filter((r) => r.kind === 'ClusterRole').length,
      RoleBinding: bindings.filter((b) => b.kind === 'RoleBinding').length,
      ClusterRoleBinding: bindings.filter((b) => b.kind === 'ClusterRoleBinding').length,
      Pod: pods,
      ...this.coverageIndex.counts(),
    };
  }

  namespace(name: string): NamespaceState | undefined {
    return this.namespaces.get(name);
  }

  allNamespaces(): IterableIterator<NamespaceState> {
    return this.namespaces.values();
  }

  allBindings(): IterableIterator<BindingState> {
    return this.bindings.values();
  }

  allPods(): PodState[] {
    return [...this.podsByNamespace.values()].flatMap((m) => [...m.values()]);
  }

  coverage(namespace: string, direction: Direction): readonly CoveringPolicy[] {
    return this.coverageIndex.covering(namespace, direction);
  }

  coveredBy(kind: CoverageKindId, namespace: string | undefined, name: string) {
    return this.coverageIndex.entry(kind, namespace, name);
  }

  coverageOverlap(key: string) {
    return this.coverageIndex.overlap(key);
  }

  /** Keys of the stored policies of one kind in one namespace (every namespace: undefined). */
  policyKeys(kind: CoverageKindId, namespace: string | undefined): string[] {
    return this.coverageIndex.keys(kind, namespace);
  }

  role(kind: RoleKind, namespace: string | undefined, name: string): RoleState | undefined {
    return this.roles.get(roleKey(kind, namespace, name));
  }

  clusterRoles(): Iterable<RoleState> {
    return this.clusterRoleStates.values();
  }

  bindingsOf(kind: RoleKind, namespace: string | undefined, name: string): readonly BindingState[] {
    const found = this.bindingsByRole.get(roleKey(kind, namespace, name));
    return found ? [...found.values()] : [];
  }

  pods(namespace: string): PodListing | undefined {
    if (!this.tracksPods) return undefined;
    const pods = this.podsByNamespace.get(namespace);
    return { pods: pods ? [...pods.values()] : [], complete: true };
  }

  private apply(kind: StoredKind, object: KubeObject, present: boolean): void {
    const meta = metaOf(object);
    const name = meta.name;
    if (typeof name !== 'string' || name === '') return;
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    switch (kind) {
      case 'Namespace':
        if (present) {
          const state: NamespaceState = { name, labels: labelsOf(object), terminating: isTerminating(object) };
          this.namespaces.set(name, state);
          this.coverageIndex.namespaceChanged(state);
        } else {
          this.namespaces.delete(name);
          this.coverageIndex.namespaceRemoved(name);
        }
        return;
      case 'Role':
      case 'ClusterRole': {
        const role = roleViewOf(object, kind, kind === 'Role' ? (namespace ?? 'default') : undefined, name);
        const key = roleKey(role.kind, role.namespace, name);
        if (present) this.roles.set(key, role);
        else this.roles.delete(key);
        if (role.kind === 'ClusterRole') {
          if (present) this.clusterRoleStates.set(name, role);
          else this.clusterRoleStates.delete(name);
        }
        return;
      }
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        return this.applyBinding(object, kind, kind === 'RoleBinding' ? (namespace ?? 'default') : undefined, name, present);
      case 'Pod':
        if (!this.tracksPods) return;
        return this.applyPod(object, namespace ?? 'default', name, present);
      default:
        if (present) this.coverageIndex.put(kind, object, namespace ?? 'default', this.namespaces.values());
        else this.coverageIndex.delete(kind, namespace ?? 'default', name);
    }
  }

  private applyBinding(object: KubeObject, kind: BindingState['kind'], namespace: string | undefined, name: string, present: boolean): void {
    const key = storeKey(kind, namespace ?? '', name);
    const previous = this.bindings.get(key);
    if (previous) {
      const previousRole = roleKey(previous.roleRef.kind, previous.namespace, previous.roleRef.name);
      this.bindingsByRole.get(previousRole)?.delete(key);
      this.bindings.delete(key);
    }
    if (!present) return;
    const ref = isRecord(object['roleRef']) ? object['roleRef'] : {};
    const refKind: RoleKind = ref['kind'] === 'Role' ? 'Role' : 'ClusterRole';
    const refName = asString(ref['name']) ?? '';
    const binding: BindingState = { kind, namespace, name, roleRef: { kind: refKind, name: refName }, subjects: subjectsOf(object) };
    this.bindings.set(key, binding);
    const targetRole = roleKey(refKind, namespace, refName);
    let byRole = this.bindingsByRole.get(targetRole);
    if (!byRole) {
      byRole = new Map();
      this.bindingsByRole.set(targetRole, byRole);
    }
    byRole.set(key, binding);
  }

  private applyPod(object: KubeObject, namespace: string, name: string, present: boolean): void {
    let pods = this.podsByNamespace.get(namespace);
    if (!present) {
      pods?.delete(name);
      return;
    }
    if (!pods) {
      pods = new Map();
      this.podsByNamespace.set(namespace, pods);
    }
    pods.set(name, { namespace, name, serviceAccount: effectiveServiceAccount(object['spec']) });
  }
}
