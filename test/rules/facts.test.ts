import { networkPolicyDenies } from '../../src/cluster/coverage/networkpolicy.js';
import { denyNames } from '../support/coverage.js';
import { describe, expect, it } from 'vitest';
import { isTerminating, subjectsOf } from '../../src/cluster/facts.js';
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

  it('roles: replacing a role replaces its rules', () => {
    const s = store(role('Role', 'a', 'r', []));
    expect(s.role('Role', 'a', 'r')?.rules).toEqual([]);
    s.upsert(role('Role', 'a', 'r', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]));
    expect(s.role('Role', 'a', 'r')?.rules).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'], resourceNames: [], index: 0 }]);
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
