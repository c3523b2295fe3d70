// Network-policy write (SPEC): which grants a role's rules give, resolved against the current config
// for the scope a binding gives them — a namespace (RoleBinding) or the whole cluster
// (ClusterRoleBinding). Paths:
//   write        a write verb on a policy resource (config.policyResourceList)
//   impersonate  `impersonate` on users/groups/serviceaccounts reaching a provisioned identity
//   token        `create` on serviceaccounts/token reaching a provisioned ServiceAccount in scope
//   exec/attach/portforward  `create` on pods/<that> where a provisioned ServiceAccount lives
//   secrets      get/list/watch on secrets where a provisioned ServiceAccount lives (its token)
//   aggregation  any of these, inherited from a ClusterRole aggregated into the bound one
// resourceNames narrow a rule but only change the answer for impersonate and token (the names are
// identities there; elsewhere they name pods or secrets, and the pen is still within reach).
import type { Config, PolicyResource } from '../config/types.js';
import type { Scope } from '../rules/provisioning.js';
import { provisionedIdentities, type ProvisionedIdentities } from './identities.js';
import { allowsGroup, allowsResource, allowsVerb, namesReached, type RuleFacts } from './policy-rules.js';

export const GRANT_PATHS = ['write', 'impersonate', 'token', 'exec', 'attach', 'portforward', 'secrets', 'aggregation'] as const;
export type GrantPath = (typeof GRANT_PATHS)[number];

export interface Grant {
  path: GrantPath;
  /** what the rule allows, e.g. `create, update on networking.k8s.io/networkpolicies` */
  detail: string;
  /** where the rule is: `rules[0]`, or `ClusterRole "x" rules[1]` for an aggregated one */
  rule: string;
  /** what the grant reaches (policy resources, identities), verbs aside: two grants that reach
   * the same are one (a role that could create and now may also delete grants nothing new) */
  reaches: string;
}

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_VERBS = ['get', 'list', 'watch'];
const POD_DOORS = [
  ['exec', 'pods/exec'],
  ['attach', 'pods/attach'],
  ['portforward', 'pods/portforward'],
] as const;

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

function resourceText(matched: readonly PolicyResource[], all: readonly PolicyResource[]): string {
  const names = matched.map((r) => `${r.group}/${r.resource}`);
  if (matched.length === all.length && all.length > 1) return `every policy resource (${names[0]} and ${all.length - 1} more)`;
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

/** Provisioned ServiceAccounts (`ns/name`) a scope holds. */
function serviceAccountsIn(scope: Scope, ids: ProvisionedIdentities): { namespace: string; name: string }[] {
  const namespaces = scope === 'cluster' ? [...ids.serviceAccounts.keys()] : [scope.namespace];
  return namespaces.flatMap((namespace) => [...(ids.serviceAccounts.get(namespace) ?? [])].map((name) => ({ namespace, name })));
}

function ruleGrants(rule: RuleFacts, scope: Scope, config: Config, ids: ProvisionedIdentities, where: string): Grant[] {
  const grants: Grant[] = [];
  const add = (path: GrantPath, detail: string, reaches: string) => grants.push({ path, detail, rule: `${where}rules[${rule.index}]`, reaches });

  const writeVerbs = allowsVerb(rule, WRITE_VERBS);
  if (writeVerbs.length > 0) {
    const matched = config.policyResourceList.filter((r) => allowsGroup(rule, r.group) && allowsResource(rule, r.resource));
    const on = resourceText(matched, config.policyResourceList);
    if (matched.length > 0) add('write', `${writeVerbs.join(', ')} on ${on}`, on);
  }
  if (!allowsGroup(rule, '')) return grants;

  const inScope = serviceAccountsIn(scope, ids);
  if (allowsVerb(rule, ['impersonate']).length > 0) {
    const reached: string[] = [];
    if (allowsResource(rule, 'users')) reached.push(...namesReached(rule, ids.users).map((n) => `user "${n}"`));
    if (allowsResource(rule, 'groups')) reached.push(...namesReached(rule, ids.groups).map((n) => `group "${n}"`));
    if (allowsResource(rule, 'serviceaccounts')) {
      const names = new Set(namesReached(rule, new Set(inScope.map((sa) => sa.name))));
      reached.push(...inScope.filter((sa) => names.has(sa.name)).map((sa) => `ServiceAccount "${sa.namespace}/${sa.name}"`));
    }
    if (reached.length > 0) add('impersonate', `impersonate ${reached.join(', ')}`, reached.join(', '));
  }
  if (allowsVerb(rule, ['create']).length > 0 && allowsResource(rule, 'serviceaccounts/token')) {
    const names = new Set(namesReached(rule, new Set(inScope.map((sa) => sa.name))));
    const reached = inScope.filter((sa) => names.has(sa.name)).map((sa) => `${sa.namespace}/${sa.name}`);
    if (reached.length > 0) add('token', `create serviceaccounts/token of ${quoted(reached)}`, quoted(reached));
  }
  if (inScope.length === 0) return grants;
  const holders = `where provisioned ServiceAccount ${quoted(inScope.map((sa) => `${sa.namespace}/${sa.name}`))} lives`;
  if (allowsVerb(rule, ['create']).length > 0) {
    for (const [path, resource] of POD_DOORS) if (allowsResource(rule, resource)) add(path, `create ${resource} ${holders}`, holders);
  }
  const reads = allowsVerb(rule, READ_VERBS);
  if (reads.length > 0 && allowsResource(rule, 'secrets')) add('secrets', `${reads.join(', ')} secrets ${holders}`, holders);
  return grants;
}

/** Every grant of network-policy write the rules give in `scope`; `where` prefixes rule locations. */
export function grantsOfRules(rules: readonly RuleFacts[], scope: Scope, config: Config, where = ''): Grant[] {
  const ids = provisionedIdentities(config);
  return rules.flatMap((rule) => ruleGrants(rule, scope, config, ids, where));
}

/** `write (create on networking.k8s.io/networkpolicies, rules[0])` — what messages show. */
export function describeGrant(grant: Grant): string {
  return `${grant.path}: ${grant.detail} (${grant.rule})`;
}

export const grantKey = (grant: Grant) => `${grant.path}|${grant.reaches}`;
