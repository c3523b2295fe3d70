// Who counts as provisioned (SPEC "Provisioned"), for requesters and for binding subjects.
import type { UserInfo } from '../admission/types.js';
import type { Subject } from '../cluster/objects.js';
import type { Config, Provisioner } from '../config/types.js';

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** `namespace/name` for a ServiceAccount username, else undefined. */
export function serviceAccountOfUsername(username: string): string | undefined {
  const match = SERVICE_ACCOUNT_USER.exec(username);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** Where a provisioner must reach: a namespace, or the whole cluster (ClusterRoleBindings). */
export type Scope = { namespace: string } | 'cluster';

function inScope(provisioner: Provisioner, scope: Scope): boolean {
  return scope === 'cluster' ? provisioner.clusterWide : provisioner.namespaceGlobs.matches(scope.namespace);
}

function listsUser(provisioner: Provisioner, username: string): boolean {
  if (provisioner.users.includes(username)) return true;
  const serviceAccount = serviceAccountOfUsername(username);
  return serviceAccount !== undefined && provisioner.serviceAccounts.includes(serviceAccount);
}

export function isProvisionedRequester(user: UserInfo, scope: Scope, config: Config): boolean {
  const username = typeof user.username === 'string' ? user.username : '';
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
  return config.provisionerList.some(
    (p) => inScope(p, scope) && ((username !== '' && listsUser(p, username)) || groups.some((g) => p.groups.includes(g))),
  );
}

/** A binding subject; a ServiceAccount without a namespace belongs to the binding's namespace. */
export function isProvisionedSubject(subject: Subject, bindingNamespace: string | undefined, scope: Scope, config: Config): boolean {
  return config.provisionerList.some((p) => {
    if (!inScope(p, scope)) return false;
    switch (subject.kind) {
      case 'User':
        return listsUser(p, subject.name);
      case 'Group':
        return p.groups.includes(subject.name);
      case 'ServiceAccount': {
        const namespace = subject.namespace ?? bindingNamespace;
        return namespace !== undefined && p.serviceAccounts.includes(`${namespace}/${subject.name}`);
      }
      default:
        return false;
    }
  });
}

export function describeSubject(subject: Subject, bindingNamespace: string | undefined): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount "${subject.namespace ?? bindingNamespace ?? '?'}/${subject.name}"`;
  return `${subject.kind} "${subject.name}"`;
}

export function describeRequester(user: UserInfo): string {
  const name = typeof user.username === 'string' && user.username !== '' ? `"${user.username}"` : 'an anonymous requester';
  const groups = Array.isArray(user.groups) ? user.groups.filter((g) => typeof g === 'string') : [];
  return groups.length > 0 ? `${name} (groups: ${groups.join(', ')})` : name;
}
