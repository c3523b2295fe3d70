// rbac-netpol-grant — RoleBinding/ClusterRoleBinding and Role/ClusterRole
// (rbac.authorization.k8s.io) CREATE/UPDATE.
// Bindings: reads roleRef (kind, name) and subjects (kind, name, namespace). When the bound role
// grants network-policy write by any path (src/rbac/: write on a policy resource, impersonation of
// a provisioned identity, its token, exec/attach/portforward or secrets where a provisioned
// ServiceAccount lives, aggregation; the built-in writers even when not in the state), every
// subject must be provisioned: for a RoleBinding in its namespace (a ServiceAccount subject without
// a namespace is the binding's), for a ClusterRoleBinding cluster-wide (a provisioner whose
// namespaces holds "*"). A role not in the state yet is allowed: its CREATE is judged later (a live
// cache first asks the API server whether the role is really absent: assumedAbsences).
// Roles: reads rules, labels and aggregationRule; a change that adds a grant is judged against
// every binding of the role and of the aggregated ClusterRoles its labels feed, each binding in its
// own namespace's mode (a ClusterRoleBinding in clusterScopedMode; disabled and exempt namespaces'
// bindings are not held against it). A live cache lists the role's bindings before allowing.
import type { AdmissionRequest } from '../admission/types.js';
import { subjectsOf } from '../cluster/facts.js';
import { asString, isRecord, metaOf, type Subject } from '../cluster/objects.js';
import type { BindingKind, BindingState, ClusterSnapshot, RoleKind } from '../cluster/snapshot.js';
import { namespaceMode } from '../config/modes.js';
import type { Config, Mode } from '../config/types.js';
import { aggregationTargets } from '../rbac/aggregation.js';
import { BUILTIN_WRITERS } from '../rbac/builtin.js';
import { describeGrant, grantKey, type Grant } from '../rbac/grants.js';
import { roleGrants, roleViewOf, type RoleView } from '../rbac/roles.js';
import { nameOf, namespaceOf, RBAC } from './kinds.js';
import { describeSubject, isProvisionedSubject, type Scope } from './provisioning.js';
import type { Absence, Rule, Violation } from './types.js';
import { listAtMost } from '../util/text.js';

const NO_WRITE =
  'Bind a role without network-policy write (no write verbs on policy resources; no impersonate, serviceaccounts/token, ' +
  'pods/exec, pods/attach, pods/portforward or secrets reaching a provisioned identity; not the built-in admin, edit or cluster-admin)';

function scopeText(scope: Scope): string {
  return scope === 'cluster' ? 'cluster-wide' : `for namespace "${scope.namespace}"`;
}

function provisionText(scopes: readonly Scope[]): string {
  const namespaces = [...new Set(scopes.flatMap((s) => (s === 'cluster' ? [] : [s.namespace])))];
  const parts = [];
  if (namespaces.length > 0) parts.push(`whose namespaces matches ${namespaces.map((n) => `"${n}"`).join(', ')}`);
  if (scopes.includes('cluster')) parts.push('whose namespaces holds "*" (a ClusterRoleBinding needs a cluster-wide provisioner)');
  return `add the subjects to a provisioner (provisioners[].users, .groups, .serviceAccounts) ${parts.join(', or ')}`;
}

function bindingLabel(kind: BindingKind, namespace: string | undefined, name: string): string {
  return kind === 'RoleBinding' ? `RoleBinding "${namespace}/${name}"` : `ClusterRoleBinding "${name}"`;
}

function roleLabel(kind: RoleKind, namespace: string | undefined, name: string): string {
  return kind === 'Role' ? `Role "${namespace}/${name}"` : `ClusterRole "${name}"`;
}

function grantsText(grants: readonly Grant[]): string {
  return listAtMost(grants.map(describeGrant), 5, '; ');
}

function unprovisioned(subjects: readonly Subject[], bindingNamespace: string | undefined, scope: Scope, config: Config): string[] {
  return subjects
    .filter((s) => !isProvisionedSubject(s, bindingNamespace, scope, config))
    .map((s) =>
      s.kind === 'ServiceAccount' && !s.namespace && bindingNamespace === undefined
        ? `ServiceAccount "${s.name}" without a namespace`
        : describeSubject(s, bindingNamespace),
    );
}

const scopeOf = (binding: { kind: BindingKind; namespace: string | undefined }): Scope =>
  binding.kind === 'RoleBinding' ? { namespace: binding.namespace ?? 'default' } : 'cluster';

/** The mode a binding is judged in: its namespace's (exempt: disabled), clusterScopedMode for a ClusterRoleBinding. */
function bindingMode(binding: BindingState, snapshot: ClusterSnapshot, config: Config): Mode {
  if (binding.kind === 'ClusterRoleBinding') return config.clusterScopedMode;
  const namespace = binding.namespace ?? 'default';
  return namespaceMode(namespace, snapshot.namespace(namespace)?.labels, config).mode;
}

interface BoundRole {
  object: Record<string, unknown>;
  kind: BindingKind;
  /** the binding's namespace (undefined for a ClusterRoleBinding) */
  namespace: string | undefined;
  refKind: RoleKind;
  refName: string;
  /** the role's namespace: the binding's for a Role, none for a ClusterRole */
  refNamespace: string | undefined;
  builtin: boolean;
}

/** The role a binding under review names; undefined when the request is no usable binding. */
function boundRole(request: AdmissionRequest): BoundRole | undefined {
  const object = request.object;
  if (!isRecord(object)) return undefined;
  const kind: BindingKind = request.kind.kind === 'RoleBinding' ? 'RoleBinding' : 'ClusterRoleBinding';
  const namespace = kind === 'RoleBinding' ? namespaceOf(request) : undefined;
  const ref = isRecord(object['roleRef']) ? object['roleRef'] : {};
  const refName = asString(ref['name']);
  const refKind = ref['kind'] === 'Role' && kind === 'RoleBinding' ? 'Role' : ref['kind'] === 'ClusterRole' ? 'ClusterRole' : undefined;
  if (!refKind || !refName) return undefined;
  const builtin = refKind === 'ClusterRole' && BUILTIN_WRITERS.has(refName);
  return { object, kind, namespace, refKind, refName, refNamespace: refKind === 'Role' ? namespace : undefined, builtin };
}

function judgeBinding(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const bound = boundRole(request);
  if (!bound) return [];
  const { object, kind, namespace, refKind, refName } = bound;
  const scope = scopeOf({ kind, namespace });
  const role = snapshot.role(refKind, bound.refNamespace, refName);
  const grants = roleGrants({ kind: refKind, name: refName }, role, scope, snapshot, config);
  if (grants.length === 0) return [];
  const bad = unprovisioned(subjectsOf(object), namespace, scope, config);
  if (bad.length === 0) return [];
  return [
    {
      rule: 'rbac-netpol-grant',
      message:
        `${listAtMost(bad)} would get network-policy write without being provisioned ${scopeText(scope)} ` +
        `(${bindingLabel(kind, namespace, nameOf(request))} binds ${roleLabel(refKind, namespace, refName)}, which grants it through ${grantsText(grants)}). ` +
        `${NO_WRITE}, or ${provisionText([scope])}.`,
    },
  ];
}

/** A binding that holds the role under review: directly, or through an aggregated ClusterRole. */
interface Holder {
  binding: BindingState;
  /** the aggregated ClusterRole the binding names, when it holds the role through aggregation */
  via?: string;
}

const holderKey = (h: Holder) => `${h.binding.kind}/${h.binding.namespace ?? ''}/${h.binding.name}/${h.via ?? ''}`;

function holdersOf(view: RoleView, snapshot: ClusterSnapshot): Holder[] {
  const direct: Holder[] = snapshot.bindingsOf(view.kind, view.namespace, view.name).map((binding) => ({ binding }));
  if (view.kind !== 'ClusterRole') return direct;
  const aggregated = aggregationTargets(view.name, view.labels, snapshot).flatMap((target) =>
    snapshot.bindingsOf('ClusterRole', undefined, target.name).map((binding) => ({ binding, via: target.name })),
  );
  return [...direct, ...aggregated];
}

/** What the role gives one holder: its own grants, wrapped as aggregation when held through one. */
function holderGrants(view: RoleView, holder: Holder, snapshot: ClusterSnapshot, config: Config): Grant[] {
  const grants = roleGrants(view, view, scopeOf(holder.binding), snapshot, config);
  if (!holder.via) return grants;
  return grants.map((g) => ({ ...g, path: 'aggregation', detail: `${g.path}: ${g.detail}, aggregated into ClusterRole "${holder.via}"` }));
}

interface Offence {
  text: string;
  scope: Scope;
  grants: Grant[];
}

/** The role as it was before an UPDATE: the old object, else what the state holds. */
function previousView(request: AdmissionRequest, snapshot: ClusterSnapshot, kind: RoleKind, namespace: string | undefined, name: string): RoleView | undefined {
  if (request.operation !== 'UPDATE') return undefined;
  if (isRecord(request.oldObject)) return roleViewOf(request.oldObject, kind, namespace, name);
  return snapshot.role(kind, namespace, name);
}

function reviewedRole(request: AdmissionRequest): RoleView {
  const kind: RoleKind = request.kind.kind === 'Role' ? 'Role' : 'ClusterRole';
  const namespace = kind === 'Role' ? namespaceOf(request) : undefined;
  const name = asString(metaOf(request.object).name) || nameOf(request);
  return roleViewOf(request.object, kind, namespace, name);
}

function judgeRole(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const view = reviewedRole(request);
  const before = previousView(request, snapshot, view.kind, view.namespace, view.name);
  const heldBefore = new Map((before ? holdersOf(before, snapshot) : []).map((h) => [holderKey(h), h]));
  const byMode = new Map<Mode, Offence[]>();
  const holders = holdersOf(view, snapshot).sort(
    (a, b) =>
      a.binding.kind.localeCompare(b.binding.kind) ||
      (a.binding.namespace ?? '').localeCompare(b.binding.namespace ?? '') ||
      a.binding.name.localeCompare(b.binding.name),
  );
  for (const holder of holders) {
    const mode = bindingMode(holder.binding, snapshot, config);
    if (mode === 'disabled') continue;
    const scope = scopeOf(holder.binding);
    const subjects = unprovisioned(holder.binding.subjects, holder.binding.namespace, scope, config);
    if (subjects.length === 0) continue;
    const had = before && heldBefore.has(holderKey(holder)) ? new Set(holderGrants(before, holder, snapshot, config).map(grantKey)) : new Set<string>();
    const added = holderGrants(view, holder, snapshot, config).filter((g) => !had.has(grantKey(g)));
    if (added.length === 0) continue;
    const label = bindingLabel(holder.binding.kind, holder.binding.namespace, holder.binding.name);
    const through = holder.via ? ` of ClusterRole "${holder.via}", which this role aggregates into` : '';
    const list = byMode.get(mode) ?? [];
    list.push({ text: `${label}${through} → ${listAtMost(subjects)} (not provisioned ${scopeText(scope)})`, scope, grants: added });
    byMode.set(mode, list);
  }
  const change = request.operation === 'CREATE' ? 'grants' : 'now grants';
  return [...byMode].map(([mode, offences]) => {
    const grants = [...new Map(offences.flatMap((o) => o.grants).map((g) => [grantKey(g), g])).values()];
    return {
      rule: 'rbac-netpol-grant',
      mode,
      message:
        `${roleLabel(view.kind, view.namespace, view.name)} ${change} network-policy write through ${grantsText(grants)} ` +
        `and is bound to subjects that are not provisioned (${listAtMost(offences.map((o) => o.text), 10, '; ')}). ` +
        `Leave these rules out of the role, or bind it only to provisioned subjects, or ${provisionText(offences.map((o) => o.scope))}.`,
    };
  });
}

/** Whether a role change adds any grant anywhere (the widest scope): its bindings are then listed live. */
function addsAnyGrant(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): boolean {
  const view = reviewedRole(request);
  const before = previousView(request, snapshot, view.kind, view.namespace, view.name);
  const scope: Scope = view.kind === 'Role' ? { namespace: view.namespace ?? 'default' } : 'cluster';
  const had = new Set(before ? roleGrants(before, before, scope, snapshot, config).map(grantKey) : []);
  const labelsChanged = before !== undefined && JSON.stringify(before.labels) !== JSON.stringify(view.labels);
  return labelsChanged || roleGrants(view, view, scope, snapshot, config).some((g) => !had.has(grantKey(g)));
}

export const rbacNetpolGrant: Rule = {
  id: 'rbac-netpol-grant',
  summary: 'No binding or role change may hand network-policy write, by any path, to a subject that is not provisioned.',
  intercepts: (['RoleBinding', 'ClusterRoleBinding', 'Role', 'ClusterRole'] as const).map((kind) => ({
    group: RBAC,
    kind,
    operations: ['CREATE', 'UPDATE'] as const,
  })),
  needs: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  judgesInOwnModes: true,
  evaluate({ request, snapshot, config }): Violation[] {
    const kind = request.kind.kind;
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') return judgeBinding(request, snapshot, config);
    if (kind === 'Role' || kind === 'ClusterRole') return isRecord(request.object) ? judgeRole(request, snapshot, config) : [];
    return [];
  },
  // A binding to a role not in the cache is allowed (its CREATE is judged later) — unless the
  // cache is merely behind, as when one `kubectl apply` creates a Role and its binding in turn.
  // A role change that adds a grant is allowed when the cache holds no unprovisioned binding of it —
  // unless a binding was created a moment ago: its bindings are listed live first.
  assumedAbsences({ request, snapshot, config }): Absence[] {
    const kind = request.kind.kind;
    if (kind === 'Role' || kind === 'ClusterRole') {
      if (!isRecord(request.object) || !addsAnyGrant(request, snapshot, config)) return [];
      const view = reviewedRole(request);
      return [{ kind: 'RoleBindings', roleKind: view.kind, namespace: view.namespace, name: view.name }];
    }
    if (kind !== 'RoleBinding' && kind !== 'ClusterRoleBinding') return [];
    const bound = boundRole(request);
    if (!bound || bound.builtin || snapshot.role(bound.refKind, bound.refNamespace, bound.refName)) return [];
    return [{ kind: 'Role', namespace: bound.refNamespace, roleKind: bound.refKind, name: bound.refName }];
  },
};
