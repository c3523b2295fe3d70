import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { rbacNetpolGrant as rule } from '../../src/rules/rbac-netpol-grant.js';
import {
  binding,
  config,
  deepFreeze,
  GARBAGE,
  group,
  namespace,
  request,
  role,
  run,
  serviceAccount,
  store,
  user,
  wellFormed,
} from './rule-helpers.js';

const WRITE = { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'update', 'patch', 'delete'] };
const READ = { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] };

const clusterRoles: Record<string, unknown[]> = {
  writer: [WRITE],
  reader: [READ],
  everything: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  'any-group': [{ apiGroups: ['*'], resources: ['networkpolicies'], verbs: ['patch'] }],
  'any-resource': [{ apiGroups: ['networking.k8s.io'], resources: ['*'], verbs: ['update'] }],
  'any-verb': [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['*'] }],
  named: [{ ...WRITE, resourceNames: ['allow-web'] }],
  sweeper: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['deletecollection'] }],
  urls: [{ nonResourceURLs: ['*'], verbs: ['*'] }],
  'other-group': [{ apiGroups: ['extensions'], resources: ['networkpolicies'], verbs: ['*'] }],
  ingresses: [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['*'] }],
  'mixed-rules': [READ, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }, { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'patch'] }],
};

const snapshot = store(
  ...Object.entries(clusterRoles).map(([name, rules]) => role('ClusterRole', undefined, name, rules)),
  role('Role', 'shop', 'writer', [WRITE]),
  role('Role', 'shop', 'reader', [READ]),
);

const rb = (roleKind: string, roleName: string, subjects: unknown[], ns = 'shop') => binding('RoleBinding', ns, 'b', { kind: roleKind, name: roleName }, subjects);
const crb = (roleName: string, subjects: unknown[]) => binding('ClusterRoleBinding', undefined, 'b', { kind: 'ClusterRole', name: roleName }, subjects);

describe('rbac-netpol-grant: bindings', () => {
  it('declares what it judges', () => {
    expect(rule.needs).toEqual(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
    expect(rule.judgesInOwnModes).toBe(true);
    expect(rule.intercepts.map((i) => `${i.group}/${i.kind}:${i.operations.join(',')}`)).toEqual([
      'rbac.authorization.k8s.io/RoleBinding:CREATE,UPDATE',
      'rbac.authorization.k8s.io/ClusterRoleBinding:CREATE,UPDATE',
      'rbac.authorization.k8s.io/Role:CREATE,UPDATE',
      'rbac.authorization.k8s.io/ClusterRole:CREATE,UPDATE',
    ]);
  });

  it.each<[string, KubeObject, boolean]>([
    ['Role writer → unprovisioned user', rb('Role', 'writer', [user('bob')]), false],
    ['Role writer → provisioned user', rb('Role', 'writer', [user('alice@example.com')]), true],
    ['Role reader → unprovisioned user', rb('Role', 'reader', [user('bob')]), true],
    ['Role of another namespace is not found', rb('Role', 'writer', [user('bob')], 'team-b'), true],
    ['ClusterRole writer → provisioned group', rb('ClusterRole', 'writer', [group('netpol-admins')]), true],
    ['ClusterRole writer → unprovisioned group', rb('ClusterRole', 'writer', [group('devs')]), false],
    ['SA without namespace → binding namespace (provisioned)', rb('ClusterRole', 'writer', [serviceAccount('argocd-application-controller')], 'gitops'), true],
    ['SA without namespace → binding namespace (not provisioned)', rb('ClusterRole', 'writer', [serviceAccount('argocd-application-controller')]), false],
    ['SA with explicit namespace', rb('ClusterRole', 'writer', [serviceAccount('argocd-application-controller', 'gitops')]), true],
    ['User spelled as SA username', rb('ClusterRole', 'writer', [user('system:serviceaccount:gitops:argocd-application-controller')]), true],
    ['unknown subject kind is never provisioned', rb('ClusterRole', 'writer', [{ kind: 'Robot', name: 'alice@example.com' }]), false],
    ['no subjects', rb('ClusterRole', 'writer', []), true],
    ['everything (*, *, *)', rb('ClusterRole', 'everything', [user('bob')]), false],
    ['apiGroups *', rb('ClusterRole', 'any-group', [user('bob')]), false],
    ['resources *', rb('ClusterRole', 'any-resource', [user('bob')]), false],
    ['verbs *', rb('ClusterRole', 'any-verb', [user('bob')]), false],
    ['resourceNames still grants', rb('ClusterRole', 'named', [user('bob')]), false],
    ['deletecollection grants', rb('ClusterRole', 'sweeper', [user('bob')]), false],
    ['one write verb among reads grants', rb('ClusterRole', 'mixed-rules', [user('bob')]), false],
    ['nonResourceURLs never grant', rb('ClusterRole', 'urls', [user('bob')]), true],
    ['networkpolicies in another group', rb('ClusterRole', 'other-group', [user('bob')]), true],
    ['other networking.k8s.io resources', rb('ClusterRole', 'ingresses', [user('bob')]), true],
    ['built-in admin (absent)', rb('ClusterRole', 'admin', [user('bob')]), false],
    ['built-in edit (absent)', rb('ClusterRole', 'edit', [user('bob')]), false],
    ['built-in cluster-admin (absent)', rb('ClusterRole', 'cluster-admin', [user('bob')]), false],
    ['built-in view (absent) is not known', rb('ClusterRole', 'view', [user('bob')]), true],
    ['role not found', rb('ClusterRole', 'not-yet', [user('bob')]), true],
    ['team-* user in team-a', rb('ClusterRole', 'writer', [user('carol@example.com')], 'team-a'), true],
    ['team-* user in shop', rb('ClusterRole', 'writer', [user('carol@example.com')]), false],
    ['CRB: team-* user is not cluster-wide', crb('writer', [user('carol@example.com')]), false],
    ['CRB: "*" provisioner user', crb('writer', [user('alice@example.com')]), true],
    ['CRB: "*" provisioner group', crb('everything', [group('netpol-admins')]), true],
    ['CRB: "*" provisioner SA', crb('everything', [serviceAccount('argocd-application-controller', 'gitops')]), true],
    ['CRB: SA without namespace', crb('everything', [serviceAccount('argocd-application-controller')]), false],
    ['CRB: built-in cluster-admin', crb('cluster-admin', [user('bob')]), false],
    ['CRB: reader', crb('reader', [user('bob')]), true],
    ['CRB: roleRef kind Role is ignored', binding('ClusterRoleBinding', undefined, 'b', { kind: 'Role', name: 'writer' }, [user('bob')]), true],
  ])('%s', (_name, object, allowed) => {
    const found = run(rule, request(object), snapshot);
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) expect(wellFormed(v)).toBe(true);
  });

  it('names every unprovisioned subject once, in one message', () => {
    const object = rb('Role', 'writer', [user('alice@example.com'), user('bob'), group('devs'), serviceAccount('web'), group('netpol-admins')]);
    const found = run(rule, request(object), snapshot);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe(
      'User "bob", Group "devs", ServiceAccount "shop/web" would get network-policy write without being provisioned for namespace "shop" ' +
        '(RoleBinding "shop/b" binds Role "shop/writer", which grants it through write: create, update, patch, delete on networking.k8s.io/networkpolicies (rules[0])). ' +
        'Bind a role without network-policy write (no write verbs on policy resources; no impersonate, serviceaccounts/token, ' +
        'pods/exec, pods/attach, pods/portforward or secrets reaching a provisioned identity; not the built-in admin, edit or cluster-admin), ' +
        'or add the subjects to a provisioner (provisioners[].users, .groups, .serviceAccounts) whose namespaces matches "shop".',
    );
  });

  it('names at most 10 subjects and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => user(`dev-${String(i).padStart(2, '0')}`));
    const [v] = run(rule, request(rb('Role', 'writer', many)), snapshot);
    expect(v?.message).toMatch(/^User "dev-00", .*, User "dev-09" and 15 more would get network-policy write/);
  });

  it('tells a ClusterRoleBinding it needs a "*" provisioner', () => {
    const [v] = run(rule, request(crb('cluster-admin', [user('carol@example.com')])), snapshot);
    expect(v?.message).toContain(
      'without being provisioned cluster-wide (ClusterRoleBinding "b" binds ClusterRole "cluster-admin", which grants it through write: as Kubernetes ships it (built-in ClusterRole "cluster-admin"))',
    );
    expect(v?.message).toContain('whose namespaces holds "*"');
  });

  it('judges binding UPDATEs like CREATEs', () => {
    const object = rb('Role', 'writer', [user('bob')]);
    expect(run(rule, request(object, { operation: 'UPDATE', oldObject: object }), snapshot)).toHaveLength(1);
  });
});

describe('rbac-netpol-grant: roles', () => {
  // enforced namespaces, and ClusterRoleBindings judged in enforce too: one violation per change
  const enforced = config({ clusterScopedMode: 'enforce' });
  const bound = store(
    namespace('shop', { 'netguard.io/mode': 'enforce' }),
    namespace('team-a', { 'netguard.io/mode': 'enforce' }),
    role('Role', 'shop', 'operator', [READ]),
    binding('RoleBinding', 'shop', 'ops', { kind: 'Role', name: 'operator' }, [user('bob'), user('alice@example.com')]),
    binding('RoleBinding', 'shop', 'future', { kind: 'Role', name: 'future' }, [user('bob'), serviceAccount('web')]),
    binding('RoleBinding', 'shop', 'provisioned-only', { kind: 'Role', name: 'clean' }, [user('alice@example.com')]),
    binding('ClusterRoleBinding', undefined, 'devs', { kind: 'ClusterRole', name: 'shared' }, [group('devs')]),
    binding('RoleBinding', 'team-a', 'lead', { kind: 'ClusterRole', name: 'shared' }, [user('carol@example.com')]),
    binding('RoleBinding', 'shop', 'lead', { kind: 'ClusterRole', name: 'shared' }, [user('carol@example.com')]),
    binding('RoleBinding', 'team-a', 'lead-only', { kind: 'ClusterRole', name: 'lead-role' }, [user('carol@example.com')]),
  );

  it.each<[string, KubeObject, KubeObject | undefined, boolean]>([
    ['CREATE granting, bound to bob', role('Role', 'shop', 'future', [WRITE]), undefined, false],
    ['CREATE not granting, bound to bob', role('Role', 'shop', 'future', [READ]), undefined, true],
    ['CREATE granting, bound to nobody', role('Role', 'shop', 'lonely', [WRITE]), undefined, true],
    ['CREATE granting, bound only to provisioned', role('Role', 'shop', 'clean', [WRITE]), undefined, true],
    ['CREATE same name in another namespace', role('Role', 'team-b', 'future', [WRITE]), undefined, true],
    ['UPDATE adding a grant', role('Role', 'shop', 'operator', [READ, WRITE]), role('Role', 'shop', 'operator', [READ]), false],
    ['UPDATE that already granted', role('Role', 'shop', 'operator', [WRITE, READ]), role('Role', 'shop', 'operator', [WRITE]), true],
    ['UPDATE without a grant', role('Role', 'shop', 'operator', [READ, READ]), role('Role', 'shop', 'operator', [READ]), true],
    ['UPDATE removing the grant', role('Role', 'shop', 'operator', [READ]), role('Role', 'shop', 'operator', [WRITE]), true],
    ['UPDATE without oldObject falls back to the state', role('Role', 'shop', 'operator', [WRITE]), undefined, false],
    ['ClusterRole CREATE: CRB subject is not cluster-wide', role('ClusterRole', undefined, 'shared', [WRITE]), undefined, false],
    ['ClusterRole CREATE: RoleBinding in team-a to team-* user', role('ClusterRole', undefined, 'lead-role', [WRITE]), undefined, true],
    ['ClusterRole UPDATE adding a wildcard', role('ClusterRole', undefined, 'shared', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]), role('ClusterRole', undefined, 'shared', []), false],
    ['ClusterRole UPDATE adding a nonResourceURLs rule', role('ClusterRole', undefined, 'shared', [{ nonResourceURLs: ['*'], verbs: ['*'] }]), role('ClusterRole', undefined, 'shared', []), true],
  ])('%s', (_name, object, oldObject, allowed) => {
    const operation = oldObject || _name.startsWith('UPDATE') ? 'UPDATE' : 'CREATE';
    const req = request(object, { operation, ...(oldObject ? { oldObject } : {}) });
    if (operation === 'UPDATE' && !oldObject) req.oldObject = null;
    const found = run(rule, req, bound, enforced);
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) expect(wellFormed(v)).toBe(true);
  });

  it('lists each binding with its own scope, in a stable order', () => {
    const [v] = run(rule, request(role('ClusterRole', undefined, 'shared', [WRITE])), bound, enforced);
    expect(v?.mode).toBe('enforce');
    expect(v?.message).toBe(
      'ClusterRole "shared" grants network-policy write through write: create, update, patch, delete on networking.k8s.io/networkpolicies (rules[0]) ' +
        'and is bound to subjects that are not provisioned ' +
        '(ClusterRoleBinding "devs" → Group "devs" (not provisioned cluster-wide); ' +
        'RoleBinding "shop/lead" → User "carol@example.com" (not provisioned for namespace "shop")). ' +
        'Leave these rules out of the role, or bind it only to provisioned subjects, ' +
        'or add the subjects to a provisioner (provisioners[].users, .groups, .serviceAccounts) whose namespaces matches "shop", ' +
        'or whose namespaces holds "*" (a ClusterRoleBinding needs a cluster-wide provisioner).',
    );
  });

  it('says "now grants" on an UPDATE and names ServiceAccounts with their namespace', () => {
    const [update] = run(rule, request(role('Role', 'shop', 'operator', [WRITE]), { operation: 'UPDATE', oldObject: role('Role', 'shop', 'operator', []) }), bound);
    expect(update?.message).toContain('Role "shop/operator" now grants network-policy write');
    expect(update?.message).toContain('RoleBinding "shop/ops" → User "bob" (not provisioned for namespace "shop")');
    const [create] = run(rule, request(role('Role', 'shop', 'future', [WRITE])), bound);
    expect(create?.message).toContain('RoleBinding "shop/future" → User "bob", ServiceAccount "shop/web"');
  });

  it('judges each binding in its own namespace mode: one violation per mode', () => {
    const split = store(
      namespace('shop', { 'netguard.io/mode': 'warn' }),
      namespace('team-a', { 'netguard.io/mode': 'enforce' }),
      namespace('sandbox', { 'netguard.io/mode': 'disabled' }),
      binding('RoleBinding', 'shop', 'a', { kind: 'ClusterRole', name: 'shared' }, [user('bob')]),
      binding('RoleBinding', 'team-a', 'b', { kind: 'ClusterRole', name: 'shared' }, [user('dave')]),
      binding('RoleBinding', 'sandbox', 'c', { kind: 'ClusterRole', name: 'shared' }, [user('erin')]),
      binding('RoleBinding', 'kube-system', 'd', { kind: 'ClusterRole', name: 'shared' }, [user('frank')]),
      binding('ClusterRoleBinding', undefined, 'e', { kind: 'ClusterRole', name: 'shared' }, [user('gina')]),
    );
    const found = run(rule, request(role('ClusterRole', undefined, 'shared', [WRITE])), split, config({ clusterScopedMode: 'audit' }));
    expect(found.map((v) => [v.mode, v.message.match(/User "\w+"/g)])).toEqual([
      ['audit', ['User "gina"']],
      ['warn', ['User "bob"']],
      ['enforce', ['User "dave"']],
    ]);
  });

  it('built-in ClusterRole names grant even with empty rules', () => {
    const s = store(binding('ClusterRoleBinding', undefined, 'x', { kind: 'ClusterRole', name: 'edit' }, [user('bob')]));
    expect(run(rule, request(role('ClusterRole', undefined, 'edit', [])), s)).toHaveLength(1);
  });
});

describe('rbac-netpol-grant: malformed input', () => {
  const shapes = GARBAGE.flatMap((g) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'shop' }, roleRef: g, subjects: [user('bob')] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: g },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [g, { kind: g, name: g }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: g, roleRef: { kind: g, name: g }, subjects: [g] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'future', namespace: 'shop' }, rules: g },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: g, rules: [g, { apiGroups: g, resources: ['*'], verbs: g }] },
  ]) as KubeObject[];

  it.each(shapes.map((s, i) => [i, s] as const))('shape %i does not throw', (_i, object) => {
    const s = store(binding('RoleBinding', 'shop', 'future', { kind: 'Role', name: 'future' }, [user('bob')]));
    for (const operation of ['CREATE', 'UPDATE'] as const) {
      const req = deepFreeze(request(object, { operation, ...(operation === 'UPDATE' ? { oldObject: object } : {}) }));
      expect(() => run(rule, req, s)).not.toThrow();
    }
  });

  it('a null object is allowed', () => {
    const req = request(rb('Role', 'writer', [user('bob')]));
    req.object = null;
    expect(run(rule, req, snapshot)).toEqual([]);
  });
});

describe('rbac-netpol-grant: what an allowed binding rests on', () => {
  const known = store(role('Role', 'team-a', 'known', [WRITE]), role('ClusterRole', undefined, 'known-cluster', [READ]));
  const assumed = (object: KubeObject) => rule.assumedAbsences!({ request: request(object), snapshot: known, config: config() });

  it.each<[string, KubeObject, unknown[]]>([
    ['a Role the cache lacks', binding('RoleBinding', 'team-a', 'b', { kind: 'Role', name: 'fresh' }, [user('bob')]), [{ kind: 'Role', namespace: 'team-a', roleKind: 'Role', name: 'fresh' }]],
    ['a ClusterRole the cache lacks, from a RoleBinding', binding('RoleBinding', 'team-a', 'b', { kind: 'ClusterRole', name: 'fresh' }, [user('bob')]), [{ kind: 'Role', namespace: undefined, roleKind: 'ClusterRole', name: 'fresh' }]],
    ['a ClusterRole the cache lacks, from a ClusterRoleBinding', binding('ClusterRoleBinding', undefined, 'b', { kind: 'ClusterRole', name: 'fresh' }, [user('bob')]), [{ kind: 'Role', namespace: undefined, roleKind: 'ClusterRole', name: 'fresh' }]],
    ['a Role the cache holds', binding('RoleBinding', 'team-a', 'b', { kind: 'Role', name: 'known' }, [user('bob')]), []],
    ['a ClusterRole the cache holds', binding('RoleBinding', 'team-a', 'b', { kind: 'ClusterRole', name: 'known-cluster' }, [user('bob')]), []],
    ['a built-in writer, judged without the cache', binding('RoleBinding', 'team-a', 'b', { kind: 'ClusterRole', name: 'edit' }, [user('bob')]), []],
    ['a roleRef without a name', binding('RoleBinding', 'team-a', 'b', { kind: 'Role', name: '' }, [user('bob')]), []],
    ['a Role that grants nothing', role('Role', 'team-a', 'fresh', [READ]), []],
    ['a Role that adds a grant: its bindings are listed live', role('Role', 'team-a', 'fresh', [WRITE]), [{ kind: 'RoleBindings', roleKind: 'Role', namespace: 'team-a', name: 'fresh' }]],
    ['a ClusterRole that adds a grant', role('ClusterRole', undefined, 'fresh', [WRITE]), [{ kind: 'RoleBindings', roleKind: 'ClusterRole', namespace: undefined, name: 'fresh' }]],
  ])('%s', (_name, object, expected) => {
    expect(assumed(object)).toEqual(expected);
  });
});
