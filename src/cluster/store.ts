// An indexed, incrementally updated ClusterSnapshot. Each object's facts are derived once on
// upsert; removing or replacing an object touches only its own index entries.
import type { Direction } from '../config/types.js';
import { defaultDenyDirections, isTerminating, subjectsOf } from './facts.js';
import { roleViewOf } from '../rbac/roles.js';
import { asString, isRecord, labelsOf, metaOf, type KubeObject } from './objects.js';
import type { BindingState, ClusterSnapshot, NamespaceState, PodListing, PodState, RoleKind, RoleState } from './snapshot.js';

export const STORED_KINDS = [
  'Namespace',
  'NetworkPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'Pod',
] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

const EMPTY: ReadonlySet<string> = new Set();

const roleKey = (kind: RoleKind, namespace: string | undefined, name: string) =>
  kind === 'ClusterRole' ? `ClusterRole/${name}` : `Role/${namespace ?? ''}/${name}`;

export function effectiveServiceAccount(podSpec: unknown): string {
  if (!isRecord(podSpec)) return 'default';
  return asString(podSpec['serviceAccountName']) || asString(podSpec['serviceAccount']) || 'default';
}

export class ClusterStore implements ClusterSnapshot {
  private readonly namespaces = new Map<string, NamespaceState>();
  /** namespace → direction → policy names */
  private readonly deny = new Map<string, Record<Direction, Set<string>>>();
  /** `ns/name` → directions it denies, so a replace or delete can undo exactly its own entries */
  private readonly policyDirections = new Map<string, Direction[]>();
  private readonly roles = new Map<string, RoleState>();
  private readonly clusterRoleStates = new Map<string, RoleState>();
  private readonly bindings = new Map<string, BindingState>();
  /** role key → binding key → binding */
  private readonly bindingsByRole = new Map<string, Map<string, BindingState>>();
  private readonly podsByNamespace = new Map<string, Map<string, PodState>>();

  /** A live cache does not hold pods (too many); it answers `pods()` with undefined. */
  constructor(private readonly tracksPods = true) {}

  /** Adds or replaces an object of a stored kind; other kinds are ignored. */
  upsert(object: KubeObject): void {
    this.apply(object, true);
  }

  remove(object: KubeObject): void {
    this.apply(object, false);
  }

  /** Drops every object of one kind (before a relist replaces them). */
  clearKind(kind: StoredKind): void {
    for (const object of this.objectsOfKind(kind)) this.remove(object);
  }

  get size(): Record<StoredKind, number> {
    let pods = 0;
    for (const m of this.podsByNamespace.values()) pods += m.size;
    const roles = [...this.roles.values()];
    const bindings = [...this.bindings.values()];
    return {
      Namespace: this.namespaces.size,
      NetworkPolicy: this.policyDirections.size,
      Role: roles.filter((r) => r.kind === 'Role').length,
      ClusterRole: roles.filter((r) => r.kind === 'ClusterRole').length,
      RoleBinding: bindings.filter((b) => b.kind === 'RoleBinding').length,
      ClusterRoleBinding: bindings.filter((b) => b.kind === 'ClusterRoleBinding').length,
      Pod: pods,
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

  denyPolicies(namespace: string, direction: Direction): ReadonlySet<string> {
    return this.deny.get(namespace)?.[direction] ?? EMPTY;
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

  private objectsOfKind(kind: StoredKind): KubeObject[] {
    const named = (name: string, namespace?: string): KubeObject => ({ kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    switch (kind) {
      case 'Namespace':
        return [...this.namespaces.keys()].map((n) => named(n));
      case 'NetworkPolicy':
        return [...this.policyDirections.keys()].map((key) => {
          const [ns = '', name = ''] = key.split('/');
          return named(name, ns);
        });
      case 'Role':
      case 'ClusterRole':
        return [...this.roles.values()].filter((r) => r.kind === kind).map((r) => named(r.name, r.namespace));
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        return [...this.bindings.values()].filter((b) => b.kind === kind).map((b) => named(b.name, b.namespace));
      case 'Pod':
        return this.allPods().map((p) => named(p.name, p.namespace));
    }
  }

  private apply(object: KubeObject, present: boolean): void {
    const meta = metaOf(object);
    const name = meta.name;
    if (typeof name !== 'string' || name === '') return;
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    switch (object.kind) {
      case 'Namespace':
        if (present) this.namespaces.set(name, { name, labels: labelsOf(object), terminating: isTerminating(object) });
        else this.namespaces.delete(name);
        return;
      case 'NetworkPolicy':
        return this.applyPolicy(namespace ?? 'default', name, present ? object : undefined);
      case 'Role':
      case 'ClusterRole': {
        const role = roleViewOf(object, object.kind, object.kind === 'Role' ? (namespace ?? 'default') : undefined, name);
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
        return this.applyBinding(object, object.kind, object.kind === 'RoleBinding' ? (namespace ?? 'default') : undefined, name, present);
      case 'Pod':
        if (!this.tracksPods) return;
        return this.applyPod(object, namespace ?? 'default', name, present);
      default:
        return;
    }
  }

  private applyPolicy(namespace: string, name: string, policy: KubeObject | undefined): void {
    const key = `${namespace}/${name}`;
    for (const direction of this.policyDirections.get(key) ?? []) this.deny.get(namespace)?.[direction].delete(name);
    if (!policy) {
      this.policyDirections.delete(key);
      return;
    }
    const directions = defaultDenyDirections(policy);
    this.policyDirections.set(key, directions);
    if (directions.length === 0) return;
    let entry = this.deny.get(namespace);
    if (!entry) {
      entry = { Ingress: new Set(), Egress: new Set() };
      this.deny.set(namespace, entry);
    }
    for (const direction of directions) entry[direction].add(name);
  }

  private applyBinding(object: KubeObject, kind: BindingState['kind'], namespace: string | undefined, name: string, present: boolean): void {
    const key = `${kind}/${namespace ?? ''}/${name}`;
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
