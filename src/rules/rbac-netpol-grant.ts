// rbac-netpol-grant — RoleBinding/ClusterRoleBinding and Role/ClusterRole
// (rbac.authorization.k8s.io) CREATE/UPDATE.
// Bindings: reads roleRef (kind, name) and subjects (kind, name, namespace). When the bound role
// grants NetworkPolicy write (apiGroups ∋ networking.k8s.io|*, resources ∋ networkpolicies|*,
// a write verb; or the built-in admin/edit/cluster-admin ClusterRoles even when not in the state),
// every subject must be provisioned: for a RoleBinding in its namespace (a ServiceAccount subject
// without a namespace is the binding's), for a ClusterRoleBinding cluster-wide (a provisioner whose
// namespaces holds "*"). A role not in the state yet is allowed: its CREATE is judged later (a live
// cache first asks the API server whether the role is really absent: assumedAbsences).
// Roles: reads rules; a CREATE that grants NetworkPolicy write, or an UPDATE that adds the grant,
// is judged against every existing binding of the role, each with its own scope.
import type { AdmissionRequest } from '../admission/types.js';
import { BUILTIN_NETPOL_WRITERS, roleGrantsNetpolWrite, subjectsOf } from '../cluster/facts.js';
import { asString, isRecord, metaOf, type Subject } from '../cluster/objects.js';
import type { BindingKind, ClusterSnapshot, RoleKind } from '../cluster/snapshot.js';
import type { Config } from '../config/types.js';
import { nameOf, namespaceOf, RBAC } from './kinds.js';
import { describeSubject, isProvisionedSubject, type Scope } from './provisioning.js';
import type { Absence, Rule, Violation } from './types.js';
import { listAtMost } from '../util/text.js';

const NO_WRITE =
  'Bind a role without NetworkPolicy write (no create/update/patch/delete/deletecollection on networking.k8s.io networkpolicies; ' +
  'not the built-in admin, edit or cluster-admin)';

interface Offence {
  binding: string;
  subjects: string[];
  scope: Scope;
}

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

function unprovisioned(subjects: readonly Subject[], bindingNamespace: string | undefined, scope: Scope, config: Config): string[] {
  return subjects
    .filter((s) => !isProvisionedSubject(s, bindingNamespace, scope, config))
    .map((s) =>
      s.kind === 'ServiceAccount' && !s.namespace && bindingNamespace === undefined
        ? `ServiceAccount "${s.name}" without a namespace`
        : describeSubject(s, bindingNamespace),
    );
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
  const builtin = refKind === 'ClusterRole' && BUILTIN_NETPOL_WRITERS.has(refName);
  return { object, kind, namespace, refKind, refName, refNamespace: refKind === 'Role' ? namespace : undefined, builtin };
}

function judgeBinding(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const bound = boundRole(request);
  if (!bound) return [];
  const { object, kind, namespace, refKind, refName, builtin } = bound;
  const role = snapshot.role(refKind, bound.refNamespace, refName);
  if (!builtin && !role?.grantsNetpolWrite) return [];
  const scope: Scope = namespace !== undefined ? { namespace } : 'cluster';
  const bad = unprovisioned(subjectsOf(object), namespace, scope, config);
  if (bad.length === 0) return [];
  const roleText = roleLabel(refKind, namespace, refName) + (builtin ? ' (built-in)' : '');
  return [
    {
      rule: 'rbac-netpol-grant',
      message:
        `${listAtMost(bad)} would get NetworkPolicy write without being provisioned ${scopeText(scope)} ` +
        `(${bindingLabel(kind, namespace, nameOf(request))} binds ${roleText}, which grants it). ` +
        `${NO_WRITE}, or ${provisionText([scope])}.`,
    },
  ];
}

function judgeRole(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const kind: RoleKind = request.kind.kind === 'Role' ? 'Role' : 'ClusterRole';
  const namespace = kind === 'Role' ? namespaceOf(request) : undefined;
  const name = asString(metaOf(request.object).name) || nameOf(request);
  if (!roleGrantsNetpolWrite(request.object)) return [];
  if (request.operation === 'UPDATE') {
    const before = isRecord(request.oldObject)
      ? roleGrantsNetpolWrite(request.oldObject)
      : (snapshot.role(kind, namespace, name)?.grantsNetpolWrite ?? false);
    if (before) return [];
  }
  const bindings = [...snapshot.bindingsOf(kind, namespace, name)].sort(
    (a, b) => a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name),
  );
  const offences: Offence[] = bindings.flatMap((b): Offence[] => {
    const scope: Scope = b.kind === 'RoleBinding' ? { namespace: b.namespace ?? 'default' } : 'cluster';
    const subjects = unprovisioned(b.subjects, b.namespace, scope, config);
    return subjects.length > 0 ? [{ binding: bindingLabel(b.kind, b.namespace, b.name), subjects, scope }] : [];
  });
  if (offences.length === 0) return [];
  const change = request.operation === 'CREATE' ? 'grants' : 'now grants';
  const list = listAtMost(
    offences.map((o) => `${o.binding} → ${listAtMost(o.subjects)} (not provisioned ${scopeText(o.scope)})`),
    10,
    '; ',
  );
  return [
    {
      rule: 'rbac-netpol-grant',
      message:
        `${roleLabel(kind, namespace, name)} ${change} NetworkPolicy write and is bound to subjects that are not provisioned ` +
        `(${list}). Leave networkpolicies write verbs out of this role, or bind it only to provisioned subjects, ` +
        `or ${provisionText(offences.map((o) => o.scope))}.`,
    },
  ];
}

export const rbacNetpolGrant: Rule = {
  id: 'rbac-netpol-grant',
  summary: 'No binding or role change may hand NetworkPolicy write to a subject that is not provisioned.',
  intercepts: (['RoleBinding', 'ClusterRoleBinding', 'Role', 'ClusterRole'] as const).map((kind) => ({
    group: RBAC,
    kind,
    operations: ['CREATE', 'UPDATE'] as const,
  })),
  needs: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  evaluate({ request, snapshot, config }): Violation[] {
    const kind = request.kind.kind;
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') return judgeBinding(request, snapshot, config);
    if (kind === 'Role' || kind === 'ClusterRole') return judgeRole(request, snapshot, config);
    return [];
  },
  // A binding to a role not in the cache is allowed (its CREATE is judged later) — unless the
  // cache is merely behind, as when one `kubectl apply` creates a Role and its binding in turn.
  assumedAbsences({ request, snapshot }): Absence[] {
    if (request.kind.kind !== 'RoleBinding' && request.kind.kind !== 'ClusterRoleBinding') return [];
    const bound = boundRole(request);
    if (!bound || bound.builtin || snapshot.role(bound.refKind, bound.refNamespace, bound.refName)) return [];
    return [{ kind: 'Role', namespace: bound.refNamespace, roleKind: bound.refKind, name: bound.refName }];
  },
};
