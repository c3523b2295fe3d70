import { networkPolicyDenies } from '../../src/cluster/coverage/networkpolicy.js';
import { denyNames } from '../support/coverage.js';
import { describe, expect, it } from 'vitest';
import { isTerminating, roleGrantsNetpolWrite, ruleGrantsNetpolWrite, subjectsOf } from '../../src/cluster/facts.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { ClusterStore, effectiveServiceAccount } from '../../src/cluster/store.js';
import type { Direction } from '../../src/config/types.js';
import { binding, DENY_ALL, GARBAGE, namespace, netpol, pod, role, serviceAccount, store, user } from './rule-helpers.js';

describe('defaultDenyDirections', () => {
  it.each<[string, unknown, Direction[]]>([
    ['empty podSelector, both types', DENY_ALL, ['Ingress', 'Egress']],
    ['policyTypes [Ingress]', { podSelector: {}, policyTypes: ['Ingress'] }, ['Ingress']],
    ['policyTypes [Egress], no egress rules', { podSelector: {}, policyTypes: ['Egress'] }, ['Egress']],
    ['policyTypes absent, no egress key: Ingress only', { podSelector: {} }, ['Ingress']],
    ['policyTypes absent, egress: [] selects no Egress (the API server defaults it to Ingress only)', { podSelector: {}, egress: [] }, ['Ingress']],
    ['policyTypes absent, egress rules present', { podSelector: {}, egress: [{ to: [] }] }, ['Ingress']],
    ['policyTypes absent, egress: null', { podSelector: {}, egress: null }, ['Ingress']],
    ['policyTypes empty list is absent', { podSelector: {}, policyTypes: [] }, ['Ingress']],
    ['policyTypes empty list with egress: [] is Ingress only', { podSelector: {}, policyTypes: [], egress: [] }, ['Ingress']],
    ['ingress: [{}] allows everything', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}] }, ['Egress']],
    ['egress: [{}] allows everything', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] }, ['Ingress']],
    ['ingress: [] and egress: [] deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }, ['Ingress', 'Egress']],
    ['ingress: null denies', { podSelector: {}, policyTypes: ['Ingress'], ingress: null }, ['Ingress']],
    ['policy-level ingress rules with policyTypes [Egress] only', { podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }, ['Egress']],
    ['matchLabels: not default-deny', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }, []],
    ['matchExpressions: not default-deny', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }, []],
    ['empty matchLabels {}', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress', 'Egress'] }, ['Ingress', 'Egress']],
    ['empty matchExpressions []', { podSelector: { matchExpressions: [] }, policyTypes: ['Egress'] }, ['Egress']],
    ['null matchLabels', { podSelector: { matchLabels: null } }, ['Ingress']],
    ['podSelector absent is the empty selector (the API server stores {})', { policyTypes: ['Ingress'] }, ['Ingress']],
    ['podSelector null', { podSelector: null }, ['Ingress']],
    ['an empty spec denies Ingress, as in Kubernetes', {}, ['Ingress']],
    ['podSelector not an object', { podSelector: 'x', policyTypes: ['Ingress'] }, []],
    ['matchLabels not an object', { podSelector: { matchLabels: 'x' } }, []],
    ['ingress not a list', { podSelector: {}, ingress: 5 }, []],
    ['unknown policy types', { podSelector: {}, policyTypes: ['Sideways'] }, []],
    ['policyTypes not a list', { podSelector: {}, policyTypes: 'Egress' }, ['Ingress']],
  ])('%s', (_name, spec, expected) => {
    expect(networkPolicyDenies({ kind: 'NetworkPolicy', spec })).toEqual(expected);
  });

  it.each(GARBAGE.map((g) => [g]))('never throws: %j', (g) => {
    expect(networkPolicyDenies(g)).toEqual([]);
    expect(() => networkPolicyDenies({ spec: g })).not.toThrow();
    expect(() => networkPolicyDenies({ spec: { podSelector: {}, policyTypes: g, ingress: g, egress: g } })).not.toThrow();
  });
});

describe('roleGrantsNetpolWrite', () => {
  const rule = (apiGroups: unknown, resources: unknown, verbs: unknown, extra: Record<string, unknown> = {}) => ({ apiGroups, resources, verbs, ...extra });

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
    ['read-only verbs', rule(['networking.k8s.io'], ['networkpolicies'], ['get', 'list', 'watch']), false],
    ['other group', rule(['extensions'], ['networkpolicies'], ['*']), false],
    ['core group', rule([''], ['*'], ['*']), false],
    ['other resource', rule(['networking.k8s.io'], ['ingresses'], ['*']), false],
    ['status subresource only', rule(['networking.k8s.io'], ['networkpolicies/status'], ['update']), false],
    ['nonResourceURLs', { nonResourceURLs: ['*'], verbs: ['*'] }, false],
    ['nonResourceURLs mixed with resources never grants', rule(['*'], ['*'], ['*'], { nonResourceURLs: ['/healthz'] }), false],
    ['verbs not a list', rule(['*'], ['*'], '*'), false],
    ['missing apiGroups', { resources: ['*'], verbs: ['*'] }, false],
    ['not an object', 'x', false],
  ])('rule: %s', (_name, policyRule, grants) => {
    expect(ruleGrantsNetpolWrite(policyRule)).toBe(grants);
    expect(roleGrantsNetpolWrite({ kind: 'Role', rules: [policyRule] })).toBe(grants);
  });

  it.each<[string, unknown, boolean]>([
    ['built-in admin with no rules', { kind: 'ClusterRole', metadata: { name: 'admin' } }, true],
    ['built-in edit', { kind: 'ClusterRole', metadata: { name: 'edit' }, rules: [] }, true],
    ['built-in cluster-admin', { kind: 'ClusterRole', metadata: { name: 'cluster-admin' } }, true],
    ['view is not a writer', { kind: 'ClusterRole', metadata: { name: 'view' } }, false],
    ['a Role named admin is not the built-in', { kind: 'Role', metadata: { name: 'admin', namespace: 'x' } }, false],
    ['rules not a list', { kind: 'Role', rules: 'x' }, false],
    ['a grant among other rules', { kind: 'Role', rules: [null, 5, { apiGroups: ['*'], resources: ['*'], verbs: ['create'] }] }, true],
    ['null', null, false],
  ])('role: %s', (_name, r, grants) => {
    expect(roleGrantsNetpolWrite(r)).toBe(grants);
  });
});

describe('subjectsOf, isTerminating, effectiveServiceAccount', () => {
  it('keeps well-formed subjects only', () => {
    const b = { subjects: [user('a'), serviceAccount('sa'), serviceAccount('sa2', 'ns'), { kind: 'User' }, null, 'x', { kind: 'Group', name: 5 }, { kind: 'ServiceAccount', name: 's', namespace: '' }] };
    expect(subjectsOf(b)).toEqual([
      { kind: 'User', name: 'a' },
      { kind: 'ServiceAccount', name: 'sa' },
      { kind: 'ServiceAccount', name: 'sa2', namespace: 'ns' },
      { kind: 'ServiceAccount', name: 's' },
    ]);
    expect(subjectsOf({ subjects: 'x' })).toEqual([]);
    expect(subjectsOf(null)).toEqual([]);
  });

  it.each<[string, KubeObject, boolean]>([
    ['deletionTimestamp', namespace('a', {}, { deletionTimestamp: '2024-01-01T00:00:00Z' }), true],
    ['phase Terminating', { kind: 'Namespace', metadata: { name: 'a' }, status: { phase: 'Terminating' } }, true],
    ['phase Active', { kind: 'Namespace', metadata: { name: 'a' }, status: { phase: 'Active' } }, false],
    ['no status', namespace('a'), false],
  ])('isTerminating: %s', (_name, ns, terminating) => {
    expect(isTerminating(ns)).toBe(terminating);
  });

  it.each<[unknown, string]>([
    [{ serviceAccountName: 'a' }, 'a'],
    [{ serviceAccount: 'b' }, 'b'],
    [{ serviceAccountName: 'a', serviceAccount: 'b' }, 'a'],
    [{ serviceAccountName: '', serviceAccount: 'b' }, 'b'],
    [{}, 'default'],
    [{ serviceAccountName: 5 }, 'default'],
    ['x', 'default'],
    [null, 'default'],
  ])('effectiveServiceAccount(%j) = %s', (spec, expected) => {
    expect(effectiveServiceAccount(spec)).toBe(expected);
  });
});

describe('ClusterStore incremental updates', () => {
  const names = (set: ReadonlySet<string>) => [...set].sort();

  it('indexes default-deny policies per namespace and direction', () => {
    const s = store(netpol('a', 'all', DENY_ALL), netpol('a', 'in', { podSelector: {} }), netpol('b', 'eg', { podSelector: {}, policyTypes: ['Egress'] }));
    expect(names(denyNames(s, 'a', 'Ingress'))).toEqual(['all', 'in']);
    expect(names(denyNames(s, 'a', 'Egress'))).toEqual(['all']);
    expect(names(denyNames(s, 'b', 'Ingress'))).toEqual([]);
    expect(names(denyNames(s, 'b', 'Egress'))).toEqual(['eg']);
    expect(names(denyNames(s, 'none', 'Ingress'))).toEqual([]);
  });

  it('replacing a policy so it no longer denies removes it from denyPolicies', () => {
    const s = store(netpol('a', 'p', DENY_ALL));
    s.upsert(netpol('a', 'p', { ...DENY_ALL, ingress: [{}] }));
    expect(names(denyNames(s, 'a', 'Ingress'))).toEqual([]);
    expect(names(denyNames(s, 'a', 'Egress'))).toEqual(['p']);
    s.upsert(netpol('a', 'p', { podSelector: { matchLabels: { x: 'y' } } }));
    expect(names(denyNames(s, 'a', 'Egress'))).toEqual([]);
    s.upsert(netpol('a', 'p', DENY_ALL));
    expect(names(denyNames(s, 'a', 'Ingress'))).toEqual(['p']);
    expect(s.size.NetworkPolicy).toBe(1);
  });

  it('deleting a policy removes only its own entries', () => {
    const s = store(netpol('a', 'p', DENY_ALL), netpol('a', 'q', DENY_ALL), netpol('b', 'p', DENY_ALL));
    s.remove(netpol('a', 'p', undefined));
    expect(names(denyNames(s, 'a', 'Ingress'))).toEqual(['q']);
    expect(names(denyNames(s, 'b', 'Ingress'))).toEqual(['p']);
    expect(s.size.NetworkPolicy).toBe(2);
  });

  it('namespaces: labels and terminating state follow updates and deletes', () => {
    const s = store(namespace('a', { 'netguard.io/mode': 'enforce' }));
    expect(s.namespace('a')).toEqual({ name: 'a', labels: { 'netguard.io/mode': 'enforce' }, terminating: false });
    s.upsert(namespace('a', {}, { deletionTimestamp: '2024-01-01T00:00:00Z' }));
    expect(s.namespace('a')).toEqual({ name: 'a', labels: {}, terminating: true });
    s.remove(namespace('a'));
    expect(s.namespace('a')).toBeUndefined();
  });

  it('roles: replacing a role updates whether it grants write', () => {
    const s = store(role('Role', 'a', 'r', []));
    expect(s.role('Role', 'a', 'r')?.grantsNetpolWrite).toBe(false);
    s.upsert(role('Role', 'a', 'r', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]));
    expect(s.role('Role', 'a', 'r')?.grantsNetpolWrite).toBe(true);
    expect(s.role('Role', 'b', 'r')).toBeUndefined();
    expect(s.role('ClusterRole', undefined, 'r')).toBeUndefined();
    s.remove(role('Role', 'a', 'r', []));
    expect(s.role('Role', 'a', 'r')).toBeUndefined();
  });

  it('bindingsOf finds RoleBindings and ClusterRoleBindings of a ClusterRole, and Role bindings per namespace', () => {
    const s = store(
      binding('RoleBinding', 'a', 'rb', { kind: 'ClusterRole', name: 'cr' }, [user('u')]),
      binding('ClusterRoleBinding', undefined, 'crb', { kind: 'ClusterRole', name: 'cr' }, [user('v')]),
      binding('RoleBinding', 'a', 'rb2', { kind: 'Role', name: 'r' }, [serviceAccount('s')]),
      binding('RoleBinding', 'b', 'rb3', { kind: 'Role', name: 'r' }, []),
    );
    expect(s.bindingsOf('ClusterRole', undefined, 'cr').map((b) => `${b.kind}/${b.namespace ?? ''}/${b.name}`).sort()).toEqual([
      'ClusterRoleBinding//crb',
      'RoleBinding/a/rb',
    ]);
    expect(s.bindingsOf('Role', 'a', 'r').map((b) => b.name)).toEqual(['rb2']);
    expect(s.bindingsOf('Role', 'a', 'r')[0]?.subjects).toEqual([{ kind: 'ServiceAccount', name: 's' }]);
    expect(s.bindingsOf('Role', 'c', 'r')).toEqual([]);
  });

  it('deleting a binding removes it from bindingsOf', () => {
    const b = binding('RoleBinding', 'a', 'rb', { kind: 'Role', name: 'r' }, [user('u')]);
    const s = store(b, binding('RoleBinding', 'a', 'other', { kind: 'Role', name: 'r' }, []));
    s.remove(b);
    expect(s.bindingsOf('Role', 'a', 'r').map((x) => x.name)).toEqual(['other']);
    expect(s.size.RoleBinding).toBe(1);
  });

  it('replacing a binding moves it to its new role and replaces its subjects', () => {
    const s = store(binding('RoleBinding', 'a', 'rb', { kind: 'Role', name: 'r' }, [user('u')]));
    s.upsert(binding('RoleBinding', 'a', 'rb', { kind: 'ClusterRole', name: 'cr' }, [user('v')]));
    expect(s.bindingsOf('Role', 'a', 'r')).toEqual([]);
    expect(s.bindingsOf('ClusterRole', undefined, 'cr').map((x) => x.subjects)).toEqual([[{ kind: 'User', name: 'v' }]]);
    expect(s.size.RoleBinding).toBe(1);
  });

  it('pods: listing per namespace with effective ServiceAccounts, deletes and replaces', () => {
    const s = store(pod('a', 'p1'), pod('a', 'p2', 'web'), pod('b', 'p1', 'db'));
    expect(s.pods('a')).toEqual({
      complete: true,
      pods: [
        { namespace: 'a', name: 'p1', serviceAccount: 'default' },
        { namespace: 'a', name: 'p2', serviceAccount: 'web' },
      ],
    });
    s.upsert(pod('a', 'p1', 'api'));
    s.remove(pod('a', 'p2'));
    expect(s.pods('a')?.pods).toEqual([{ namespace: 'a', name: 'p1', serviceAccount: 'api' }]);
    expect(s.pods('none')).toEqual({ pods: [], complete: true });
  });

  it('a store that does not track pods answers undefined', () => {
    const s = new ClusterStore(false);
    s.upsert(pod('a', 'p'));
    expect(s.pods('a')).toBeUndefined();
    expect(s.size.Pod).toBe(0);
  });

  it('ignores objects without a name and kinds it does not store', () => {
    const s = new ClusterStore();
    for (const g of GARBAGE) {
      s.upsert({ kind: 'NetworkPolicy', metadata: g } as KubeObject);
      s.upsert({ kind: g, metadata: { name: 'x' } } as KubeObject);
    }
    s.upsert({ kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a' } });
    expect(Object.values(s.size).every((n) => n === 0)).toBe(true);
  });
});
