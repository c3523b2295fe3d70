// netpol-provisioning — CREATE/UPDATE/DELETE of every policy resource (config.policyResourceList:
// networking.k8s.io NetworkPolicy and the other network-policy APIs, matched by group + resource or
// group + kind).
// Reads the requester (userInfo.username, userInfo.groups) and the policy's namespace.
// Allowed: a requester listed in a provisioner (users, groups, or serviceAccounts for a
// `system:serviceaccount:ns:name` username) whose `namespaces` globs match the namespace; a
// cluster-scoped policy (ClusterNetworkPolicy, CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy…)
// needs a provisioner scoped to "*". DELETE is also allowed for a username in cleanupAccounts, and
// while the namespace is terminating (the namespace controller empties it).
import type { UserInfo } from '../admission/types.js';
import { isRecord } from '../cluster/objects.js';
import type { Config } from '../config/types.js';
import { describePolicy } from '../cluster/coverage/kinds.js';
import { nameOf, namespaceOf } from './kinds.js';
import { policyKindOfRequest } from './policy-resources.js';
import { describeRequester, isProvisionedRequester, serviceAccountOfUsername } from './provisioning.js';
import type { AdmissionRequest } from '../admission/types.js';
import type { Rule, Violation } from './types.js';

const VERBS = { CREATE: 'create', UPDATE: 'change', DELETE: 'delete', CONNECT: 'connect to' } as const;

function requesterOf(userInfo: unknown): UserInfo {
  return isRecord(userInfo) ? (userInfo as UserInfo) : {};
}

/** How to become provisioned for `namespace` (undefined: cluster-wide), naming the config key that fits this requester. */
function provisionHint(user: UserInfo, namespace: string | undefined, config: Config): string {
  const username = typeof user.username === 'string' ? user.username : '';
  const serviceAccount = serviceAccountOfUsername(username);
  const entry = serviceAccount
    ? `"${serviceAccount}" to provisioners[].serviceAccounts`
    : username !== ''
      ? `"${username}" to provisioners[].users (or one of its groups to provisioners[].groups)`
      : 'the account to provisioners[].users, .groups or .serviceAccounts';
  const covering = config.provisionerList
    .filter((p) => (namespace === undefined ? p.clusterWide : p.namespaceGlobs.matches(namespace)))
    .map((p) => `"${p.name}"`);
  const who = covering.length > 0 ? `provisioners for it: ${covering.join(', ')}` : 'no provisioner covers it yet';
  const scope = namespace === undefined ? 'whose namespaces holds "*" (a cluster-scoped policy)' : `whose namespaces matches "${namespace}"`;
  return (
    `Apply the policy through a provisioned account (for example your GitOps controller), ` +
    `or have the platform team add ${entry} of a provisioner ${scope} (${who})`
  );
}

const plural = (kind: string) => (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : kind.includes('.') ? kind : `${kind}s`);

/** The policy's kind as messages name it, and whether it lives outside namespaces. */
function whatIsAsked(request: AdmissionRequest): { kind: string; object: string; clusterScoped: boolean } {
  const known = policyKindOfRequest(request);
  const clusterScoped = known ? known.clusterScoped : !request.namespace;
  const kind = known ? known.label : request.resource ? `${request.resource.resource}.${request.resource.group}` : request.kind.kind;
  const object = known ? describePolicy(known, undefined, nameOf(request)) : `${kind} "${nameOf(request)}"`;
  return { kind, object, clusterScoped };
}

export const netpolProvisioning: Rule = {
  id: 'netpol-provisioning',
  summary: 'Only provisioned accounts may create, change or delete network policy (every policy resource).',
  intercepts: [],
  interceptsPolicyResources: ['CREATE', 'UPDATE', 'DELETE'],
  needs: ['Namespace'],
  judgesRequester: true,
  evaluate({ request, snapshot, config }): Violation[] {
    const asked = whatIsAsked(request);
    const namespace = asked.clusterScoped ? undefined : namespaceOf(request);
    const user = requesterOf(request.userInfo);
    if (isProvisionedRequester(user, namespace === undefined ? 'cluster' : { namespace }, config)) return [];
    if (request.operation === 'DELETE') {
      if (typeof user.username === 'string' && config.cleanupAccountSet.has(user.username)) return [];
      if (namespace !== undefined && snapshot.namespace(namespace)?.terminating) return [];
    }
    const verb = VERBS[request.operation] ?? 'change';
    const cleanup = request.operation === 'DELETE' ? ' or cleanupAccounts' : '';
    const scope = namespace === undefined ? 'cluster-wide' : `for namespace "${namespace}"`;
    const where = namespace === undefined ? asked.object : `${asked.object} in namespace "${namespace}"`;
    return [
      {
        rule: 'netpol-provisioning',
        message:
          `${describeRequester(user)} is not a provisioned account${cleanup} ${scope} and may not ${verb} ` +
          `${plural(asked.kind)} (${where}). ${provisionHint(user, namespace, config)}.`,
      },
    ];
  },
};
