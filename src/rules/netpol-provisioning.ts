// netpol-provisioning — NetworkPolicy (networking.k8s.io) CREATE/UPDATE/DELETE.
// Reads the requester (userInfo.username, userInfo.groups) and the policy's namespace.
// Allowed: a requester listed in a provisioner (users, groups, or serviceAccounts for a
// `system:serviceaccount:ns:name` username) whose `namespaces` globs match the namespace.
// DELETE is also allowed for a username in cleanupAccounts, and while the namespace is terminating
// (the namespace controller empties it).
import type { UserInfo } from '../admission/types.js';
import { isRecord } from '../cluster/objects.js';
import type { Config } from '../config/types.js';
import { nameOf, namespaceOf, NETWORKING } from './kinds.js';
import { describeRequester, isProvisionedRequester, serviceAccountOfUsername } from './provisioning.js';
import type { Rule, Violation } from './types.js';

const VERBS = { CREATE: 'create', UPDATE: 'change', DELETE: 'delete', CONNECT: 'connect to' } as const;

function requesterOf(userInfo: unknown): UserInfo {
  return isRecord(userInfo) ? (userInfo as UserInfo) : {};
}

/** How to become provisioned for `namespace`, naming the config key that fits this requester. */
function provisionHint(user: UserInfo, namespace: string, config: Config): string {
  const username = typeof user.username === 'string' ? user.username : '';
  const serviceAccount = serviceAccountOfUsername(username);
  const entry = serviceAccount
    ? `"${serviceAccount}" to provisioners[].serviceAccounts`
    : username !== ''
      ? `"${username}" to provisioners[].users (or one of its groups to provisioners[].groups)`
      : 'the account to provisioners[].users, .groups or .serviceAccounts';
  const covering = config.provisionerList.filter((p) => p.namespaceGlobs.matches(namespace)).map((p) => `"${p.name}"`);
  const who = covering.length > 0 ? `provisioners for it: ${covering.join(', ')}` : 'no provisioner covers it yet';
  return (
    `Apply the policy through a provisioned account (for example your GitOps controller), ` +
    `or have the platform team add ${entry} of a provisioner whose namespaces matches "${namespace}" (${who})`
  );
}

export const netpolProvisioning: Rule = {
  id: 'netpol-provisioning',
  summary: 'Only provisioned accounts may create, change or delete NetworkPolicies.',
  intercepts: [{ group: NETWORKING, kind: 'NetworkPolicy', operations: ['CREATE', 'UPDATE', 'DELETE'] }],
  needs: ['Namespace'],
  judgesRequester: true,
  evaluate({ request, snapshot, config }): Violation[] {
    const namespace = namespaceOf(request);
    const user = requesterOf(request.userInfo);
    if (isProvisionedRequester(user, { namespace }, config)) return [];
    if (request.operation === 'DELETE') {
      if (typeof user.username === 'string' && config.cleanupAccountSet.has(user.username)) return [];
      if (snapshot.namespace(namespace)?.terminating) return [];
    }
    const verb = VERBS[request.operation] ?? 'change';
    const cleanup = request.operation === 'DELETE' ? ' or cleanupAccounts' : '';
    return [
      {
        rule: 'netpol-provisioning',
        message:
          `${describeRequester(user)} is not a provisioned account${cleanup} for namespace "${namespace}" and may not ${verb} ` +
          `NetworkPolicies (NetworkPolicy "${nameOf(request)}" in namespace "${namespace}"). ${provisionHint(user, namespace, config)}.`,
      },
    ];
  },
};
