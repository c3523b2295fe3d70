// Who holds the pen (`netguard writers`): every binding subject that holds network-policy write by
// any path, with the path spelled out (binding → role → rule), resolved by the same roleGrants the
// rbac-netpol-grant rule uses. Pure: a snapshot and a config in, rows out.
import type { Subject } from '../cluster/objects.js';
import type { BindingState, ClusterSnapshot } from '../cluster/snapshot.js';
import type { Config } from '../config/types.js';
import { isProvisionedSubject, type Scope } from '../rules/provisioning.js';
import type { GrantPath } from './grants.js';
import { roleGrants } from './roles.js';

export interface Writer {
  subject: { kind: string; name: string; namespace?: string };
  /** the namespace the grant reaches, or undefined for cluster-wide (a ClusterRoleBinding) */
  namespace: string | undefined;
  provisioned: boolean;
  path: GrantPath;
  /** `RoleBinding shop/devs`, `ClusterRoleBinding ops` */
  binding: string;
  /** `Role shop/netpol-editor`, `ClusterRole view` */
  role: string;
  /** where in the role and what it allows: `rules[0]: create on networking.k8s.io/networkpolicies` */
  rule: string;
}

export interface WritersInput {
  snapshot: ClusterSnapshot;
  bindings: Iterable<BindingState>;
  config: Config;
  /** only grants reaching this namespace (its RoleBindings, and every ClusterRoleBinding) */
  namespace?: string;
}

function subjectOf(subject: Subject, binding: BindingState): Writer['subject'] {
  if (subject.kind !== 'ServiceAccount') return { kind: subject.kind, name: subject.name };
  const namespace = subject.namespace ?? binding.namespace;
  return { kind: subject.kind, name: subject.name, ...(namespace ? { namespace } : {}) };
}

export function findWriters({ snapshot, bindings, config, namespace }: WritersInput): Writer[] {
  const rows: Writer[] = [];
  for (const binding of bindings) {
    if (namespace !== undefined && binding.kind === 'RoleBinding' && binding.namespace !== namespace) continue;
    const scope: Scope = binding.kind === 'RoleBinding' ? { namespace: binding.namespace ?? 'default' } : 'cluster';
    const ref = binding.roleRef;
    const roleNamespace = ref.kind === 'Role' ? binding.namespace : undefined;
    const grants = roleGrants(ref, snapshot.role(ref.kind, roleNamespace, ref.name), scope, snapshot, config);
    if (grants.length === 0) continue;
    const bindingText = binding.kind === 'RoleBinding' ? `RoleBinding ${binding.namespace}/${binding.name}` : `ClusterRoleBinding ${binding.name}`;
    const roleText = ref.kind === 'Role' ? `Role ${roleNamespace}/${ref.name}` : `ClusterRole ${ref.name}`;
    for (const subject of binding.subjects) {
      const provisioned = isProvisionedSubject(subject, binding.namespace, scope, config);
      for (const grant of grants) {
        rows.push({
          subject: subjectOf(subject, binding),
          namespace: scope === 'cluster' ? undefined : scope.namespace,
          provisioned,
          path: grant.path,
          binding: bindingText,
          role: roleText,
          rule: `${grant.rule}: ${grant.detail}`,
        });
      }
    }
  }
  const key = (w: Writer) => `${w.namespace ?? ''}\u0000${w.subject.kind}\u0000${w.subject.namespace ?? ''}/${w.subject.name}\u0000${w.binding}\u0000${w.path}\u0000${w.rule}`;
  // cluster-wide first, then by namespace, subject, binding
  return rows.sort((a, b) => (a.namespace === undefined ? 0 : 1) - (b.namespace === undefined ? 0 : 1) || key(a).localeCompare(key(b)));
}
