// Grant resolution (SPEC "Network-policy write"): every path, as a table of PolicyRules.
import { describe, expect, it } from 'vitest';
import { storeFromObjects } from '../../src/cluster/static.js';
import { compileConfig } from '../../src/config/load.js';
import { aggregationTargets } from '../../src/rbac/aggregation.js';
import { grantsOfRules } from '../../src/rbac/grants.js';
import { ruleFactsOf } from '../../src/rbac/policy-rules.js';
import { roleGrants } from '../../src/rbac/roles.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { Scope } from '../../src/rules/provisioning.js';

const config = compileConfig(
  {
    provisioners: [
      { name: 'platform', users: ['alice'], groups: ['netpol-admins'], serviceAccounts: ['gitops/argocd', 'gitops/flux'] },
    ],
  },
  'test.yaml',
);
const rule = (apiGroups: unknown, resources: unknown, verbs: unknown, extra: Record<string, unknown> = {}) => ({ apiGroups, resources, verbs, ...extra });
const paths = (rules: unknown[], scope: Scope = { namespace: 'gitops' }) =>
  grantsOfRules(ruleFactsOf({ rules }), scope, config).map((g) => g.path);

describe('write on a policy resource', () => {
  it.each<[string, unknown, boolean]>([
    ['exact', rule(['networking.k8s.io'], ['networkpolicies'], ['create']), true],
    ['apiGroups *', rule(['*'], ['networkpolicies'], ['update']), true],
    ['resources *', rule(['networking.k8s.io'], ['*'], ['patch']), true],
    ['verbs *', rule(['networking.k8s.io'], ['networkpolicies'], ['*']), true],
    ['all wildcards', rule(['*'], ['*'], ['*']), true],
    ['delete', rule(['networking.k8s.io'], ['networkpolicies'], ['delete']), true],
    ['deletecollection', rule(['networking.k8s.io'], ['networkpolicies'], ['deletecollection']), true],
    ['one write verb among reads', rule(['networking.k8s.io'], ['networkpolicies'], ['get', 'list', 'patch']), true],
    ['resourceNames still grant', rule(['networking.k8s.io'], ['networkpolicies'], ['update'], { resourceNames: ['a'] }), true],
    ['Cilium policies (policyResources)', rule(['cilium.io'], ['ciliumnetworkpolicies'], ['create']), true],
    ['Calico tiers (policyResources)', rule(['projectcalico.org'], ['tiers'], ['update']), true],
    ['read-only verbs', rule(['networking.k8s.io'], ['networkpolicies'], ['get', 'list', 'watch']), false],
    ['other group', rule(['extensions'], ['networkpolicies'], ['*']), false],
    ['core group', rule([''], ['networkpolicies'], ['*']), false],
    ['other resource', rule(['networking.k8s.io'], ['ingresses'], ['*']), false],
    ['status subresource only', rule(['networking.k8s.io'], ['networkpolicies/status'], ['update']), false],
    ['nonResourceURLs', { nonResourceURLs: ['*'], verbs: ['*'] }, false],
    ['nonResourceURLs mixed with resources never grants', rule(['*'], ['*'], ['*'], { nonResourceURLs: ['/healthz'] }), false],
    ['verbs not a list', rule(['*'], ['*'], '*'), false],
    ['missing apiGroups', { resources: ['*'], verbs: ['*'] }, false],
    ['not an object', 'x', false],
  ])('%s', (_name, policyRule, grants) => {
    expect(paths([policyRule], { namespace: 'shop' }).includes('write')).toBe(grants);
  });

  it('a policy resource left out of policyResources is not a policy resource', () => {
    const narrow = compileConfig({ policyResources: [] }, 'narrow.yaml');
    expect(grantsOfRules(ruleFactsOf({ rules: [rule(['cilium.io'], ['ciliumnetworkpolicies'], ['create'])] }), 'cluster', narrow)).toEqual([]);
  });
});

describe('acting as a provisioned identity', () => {
  it.each<[string, unknown, Scope, string[]]>([
    ['impersonate users, naming a provisioned one', rule([''], ['users'], ['impersonate'], { resourceNames: ['alice'] }), 'cluster', ['impersonate']],
    ['impersonate users, any', rule([''], ['users'], ['impersonate']), 'cluster', ['impersonate']],
    ['impersonate users, naming someone else', rule([''], ['users'], ['impersonate'], { resourceNames: ['bob'] }), 'cluster', []],
    ['impersonate groups, any', rule([''], ['groups'], ['impersonate']), 'cluster', ['impersonate']],
    ['impersonate a provisioned ServiceAccount in its namespace', rule([''], ['serviceaccounts'], ['impersonate'], { resourceNames: ['argocd'] }), { namespace: 'gitops' }, ['impersonate']],
    ['impersonate ServiceAccounts where none is provisioned', rule([''], ['serviceaccounts'], ['impersonate']), { namespace: 'shop' }, []],
    ['impersonate through *', rule(['*'], ['*'], ['impersonate']), { namespace: 'shop' }, ['impersonate']],
    ['impersonate in another API group', rule(['authentication.k8s.io'], ['userextras/scopes'], ['impersonate']), 'cluster', []],
    ['token of a provisioned ServiceAccount', rule([''], ['serviceaccounts/token'], ['create'], { resourceNames: ['flux'] }), { namespace: 'gitops' }, ['token']],
    ['token of any ServiceAccount, cluster-wide', rule([''], ['serviceaccounts/token'], ['create']), 'cluster', ['token']],
    ['token through */token', rule([''], ['*/token'], ['create']), { namespace: 'gitops' }, ['token']],
    ['token of another ServiceAccount', rule([''], ['serviceaccounts/token'], ['create'], { resourceNames: ['web'] }), { namespace: 'gitops' }, []],
    ['token where no provisioned ServiceAccount lives', rule([''], ['serviceaccounts/token'], ['create']), { namespace: 'shop' }, []],
    ['exec where the provisioned ServiceAccount lives', rule([''], ['pods/exec'], ['create']), { namespace: 'gitops' }, ['exec']],
    ['exec, attach and port-forward', rule([''], ['pods/exec', 'pods/attach', 'pods/portforward'], ['create']), { namespace: 'gitops' }, ['exec', 'attach', 'portforward']],
    ['exec only with get is not exec', rule([''], ['pods/exec'], ['get']), { namespace: 'gitops' }, []],
    ['exec elsewhere', rule([''], ['pods/exec'], ['create']), { namespace: 'shop' }, []],
    ['exec cluster-wide', rule([''], ['pods/exec'], ['create']), 'cluster', ['exec']],
    ['secrets read', rule([''], ['secrets'], ['list']), { namespace: 'gitops' }, ['secrets']],
    ['secrets read, narrowed by name, still reaches', rule([''], ['secrets'], ['get'], { resourceNames: ['x'] }), { namespace: 'gitops' }, ['secrets']],
    ['secrets elsewhere', rule([''], ['secrets'], ['get']), { namespace: 'shop' }, []],
    ['secrets written but never read', rule([''], ['secrets'], ['create']), { namespace: 'gitops' }, []],
    ['everything', rule(['*'], ['*'], ['*']), { namespace: 'gitops' }, ['write', 'impersonate', 'token', 'exec', 'attach', 'portforward', 'secrets']],
  ])('%s', (_name, policyRule, scope, expected) => {
    expect(paths([policyRule], scope)).toEqual(expected);
  });

  it('says which identity a grant reaches', () => {
    const [grant] = grantsOfRules(ruleFactsOf({ rules: [rule([''], ['serviceaccounts/token'], ['create'], { resourceNames: ['flux'] })] }), { namespace: 'gitops' }, config);
    expect(grant).toEqual({ path: 'token', detail: 'create serviceaccounts/token of "gitops/flux"', rule: 'rules[0]', reaches: '"gitops/flux"' });
  });

  it('an empty config provisions nobody, so nothing is reached but policy write', () => {
    const empty = compileConfig({}, 'empty.yaml');
    expect(grantsOfRules(ruleFactsOf({ rules: [rule(['*'], ['*'], ['*'])] }), 'cluster', empty).map((g) => g.path)).toEqual(['write']);
  });
});

const RBAC = 'rbac.authorization.k8s.io/v1';
const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>, aggregationRule?: unknown): KubeObject => ({
  apiVersion: RBAC,
  kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) },
  rules,
  ...(aggregationRule ? { aggregationRule } : {}),
});
const WRITE = rule(['networking.k8s.io'], ['networkpolicies'], ['create']);

describe('built-in writers and aggregation', () => {
  const state = storeFromObjects(
    [
      clusterRole('to-view', [WRITE], { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }),
      clusterRole('team-reader', [], undefined, { clusterRoleSelectors: [{ matchLabels: { team: 'x' } }] }),
      clusterRole('team-writer', [WRITE], { team: 'x' }),
    ].map((object) => ({ object, source: 'test' })),
  );
  const grantsOf = (name: string) => roleGrants({ kind: 'ClusterRole', name }, state.role('ClusterRole', undefined, name), 'cluster', state, config);

  it.each(['admin', 'edit', 'cluster-admin', 'system:aggregate-to-admin', 'system:aggregate-to-edit'])('%s writes though not in the state', (name) => {
    expect(grantsOf(name)[0]).toMatchObject({ path: 'write', rule: `built-in ClusterRole "${name}"` });
  });

  it('view, not in the state, holds what aggregates into it', () => {
    expect(grantsOf('view')).toEqual([
      {
        path: 'aggregation',
        detail: 'write: create on networking.k8s.io/networkpolicies',
        rule: 'ClusterRole "to-view" rules[0]',
        reaches: 'networking.k8s.io/networkpolicies',
      },
    ]);
  });

  it('an aggregated ClusterRole of the state holds what its selectors pick', () => {
    expect(grantsOf('team-reader').map((g) => g.path)).toEqual(['aggregation']);
  });

  it('a role aggregating into view flows on into edit and admin', () => {
    expect(aggregationTargets('to-view', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, state).map((t) => t.name).sort()).toEqual(['admin', 'edit', 'view']);
    expect(aggregationTargets('team-writer', { team: 'x' }, state).map((t) => t.name)).toEqual(['team-reader']);
    expect(aggregationTargets('plain', {}, state)).toEqual([]);
  });

  it('a Role named admin is not the built-in', () => {
    expect(roleGrants({ kind: 'Role', name: 'admin' }, undefined, { namespace: 'x' }, state, config)).toEqual([]);
  });
});
