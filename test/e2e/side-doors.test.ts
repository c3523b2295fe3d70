// Each side door of the pen (who may write network policy), tried over HTTPS with real
// AdmissionReviews as an attacker with `edit` in one namespace would try it: refused for the
// attacker, allowed for the platform team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserInfo } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { Engine } from '../../src/rules/engine.js';
import { binding, denyAll, namespace, pod } from '../support/kube-objects.js';
import { makeRequest } from '../support/requests.js';
import { startTestServer, type TestServer } from '../support/serve.js';

const PLATFORM = {
  provisioners: [
    { name: 'platform-team', users: ['alice@example.com'], groups: ['netpol-admins'], serviceAccounts: ['gitops/argocd-application-controller'] },
  ],
};
const attacker: UserInfo = { username: 'mallory@example.com', groups: ['system:authenticated'] };
const alice: UserInfo = { username: 'alice@example.com', groups: ['system:authenticated'] };

const RBAC = 'rbac.authorization.k8s.io/v1';
function clusterRole(name: string, rules: unknown[], labels?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules, ...extra };
}
function roleIn(ns: string, name: string, rules: unknown[]): KubeObject {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: ns }, rules };
}
const NETPOL_WRITE = { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'update', 'delete'] };

const state: KubeObject[] = [
  namespace('gitops', 'enforce'),
  namespace('shop', 'enforce'),
  denyAll('gitops'),
  denyAll('shop'),
  namespace('rollout-off'),
  namespace('kube-system'),
  // a shared ClusterRole bound in namespaces that have not opted in yet
  clusterRole('shared-tools', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
  binding('rollout-off', 'tools', { kind: 'ClusterRole', name: 'shared-tools' }, [{ kind: 'User', name: 'dev@example.com' }]),
  binding('kube-system', 'tools', { kind: 'ClusterRole', name: 'shared-tools' }, [{ kind: 'User', name: 'ops@example.com' }]),
  // `view` bound to an ordinary user (the built-in view object itself is not in the state)
  binding('shop', 'viewers', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'viewer@example.com' }]),
];

let server: TestServer;
let plain: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { ...PLATFORM, clusterScopedMode: 'warn' }, engine: new Engine(), objects: state });
  plain = await startTestServer({ config: {}, engine: new Engine(), objects: state });
});
afterAll(async () => {
  await server?.close();
  await plain?.close();
});

async function verdict(target: TestServer, object: KubeObject | undefined, user: UserInfo, options: Parameters<typeof makeRequest>[1] = {}) {
  const { response } = await target.review(makeRequest(object, { ...options, user }));
  return response;
}

/** Refused for the attacker (naming the rule and the path), allowed for the platform team. */
async function refusedThenAllowed(object: KubeObject, rule: string, path: RegExp, options: Parameters<typeof makeRequest>[1] = {}) {
  const refused = await verdict(server, object, attacker, options);
  expect(refused.allowed, JSON.stringify(refused)).toBe(false);
  expect(refused.status?.message).toContain(`${rule}:`);
  expect(refused.status?.message).toMatch(path);
  const allowed = await verdict(server, object, alice, options);
  expect(allowed.allowed, JSON.stringify(allowed)).toBe(true);
}

describe('1. becoming a provisioned identity is holding the pen', () => {
  it('a Pod running as the provisioned ServiceAccount', async () => {
    await refusedThenAllowed(pod('gitops', 'borrow', 'argocd-application-controller'), 'provisioned-identity', /argocd-application-controller/);
  });

  it('a Deployment whose pods run as the provisioned ServiceAccount', async () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'borrow', namespace: 'gitops' },
      spec: { template: { spec: { serviceAccountName: 'argocd-application-controller', containers: [] } } },
    };
    await refusedThenAllowed(deployment, 'provisioned-identity', /argocd-application-controller/);
  });

  const sideDoors: [string, unknown, RegExp][] = [
    ['impersonate a provisioned user', { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['alice@example.com'] }, /impersonate/],
    ['impersonate a provisioned group', { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'] }, /impersonate/],
    ['mint a token of the provisioned ServiceAccount', { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }, /token/],
    ['exec into pods where the provisioned ServiceAccount runs', { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, /exec/],
    ['attach to those pods', { apiGroups: [''], resources: ['pods/attach'], verbs: ['create'] }, /attach/],
    ['port-forward to those pods', { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] }, /portforward/],
    ['read the secrets of its namespace', { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, /secrets/],
  ];
  it.each(sideDoors)('a RoleBinding to a Role that can %s', async (_, rule, path) => {
    const withRole = [...state, roleIn('gitops', 'door', [rule])];
    const target = await startTestServer({ config: PLATFORM, engine: new Engine(), objects: withRole, certs: server.certs });
    try {
      const bind = binding('gitops', 'door', { kind: 'Role', name: 'door' }, [{ kind: 'User', name: 'mallory@example.com' }]);
      const refused = await verdict(target, bind, attacker);
      expect(refused.allowed, JSON.stringify(refused)).toBe(false);
      expect(refused.status?.message).toMatch(/^rbac-netpol-grant:/);
      expect(refused.status?.message).toMatch(path);
      const toAlice = binding('gitops', 'door', { kind: 'Role', name: 'door' }, [{ kind: 'User', name: 'alice@example.com' }]);
      expect((await verdict(target, toAlice, attacker)).allowed).toBe(true);
    } finally {
      await target.close();
    }
  });
});

describe('2. relabelling an enforce namespace is refused whatever clusterScopedMode says', () => {
  const before = namespace('shop', 'enforce');
  const after = namespace('shop', 'disabled');
  it('UPDATE of the Namespace', async () => {
    await refusedThenAllowed(after, 'namespace-mode-label', /enforce to disabled/, { operation: 'UPDATE', oldObject: before });
  });

  it('3. UPDATE of namespaces/status', async () => {
    await refusedThenAllowed(after, 'namespace-mode-label', /enforce to disabled/, { operation: 'UPDATE', oldObject: before, subResource: 'status' });
  });
});

describe('4. roles judged per binding, aggregation resolved', () => {
  it('a shared ClusterRole may gain NetworkPolicy verbs while its bindings are in namespaces not yet governed', async () => {
    const before = clusterRole('shared-tools', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const after = clusterRole('shared-tools', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, NETPOL_WRITE]);
    const enforcing = await startTestServer({ config: { ...PLATFORM, clusterScopedMode: 'enforce' }, engine: new Engine(), objects: state, certs: server.certs });
    try {
      const answer = await verdict(enforcing, after, attacker, { operation: 'UPDATE', oldObject: before });
      expect(answer.allowed, JSON.stringify(answer)).toBe(true);
    } finally {
      await enforcing.close();
    }
  });

  it('a ClusterRole aggregating into a bound `view` with NetworkPolicy write is refused at its own CREATE', async () => {
    const sneaky = clusterRole('sneaky', [NETPOL_WRITE], { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    const refused = await verdict(server, sneaky, attacker);
    expect(refused.allowed, JSON.stringify(refused)).toBe(false);
    expect(refused.status?.message).toMatch(/^rbac-netpol-grant:.*aggregat/);
    expect(refused.status?.message).toContain('viewer@example.com');
  });

  it('5. system:aggregate-to-edit counts as a writer though the state does not hold it', async () => {
    const bind = binding('shop', 'edit-ish', { kind: 'ClusterRole', name: 'system:aggregate-to-edit' }, [{ kind: 'User', name: 'mallory@example.com' }]);
    const refused = await verdict(server, bind, attacker);
    expect(refused.allowed, JSON.stringify(refused)).toBe(false);
    const toAlice = binding('shop', 'edit-ish', { kind: 'ClusterRole', name: 'system:aggregate-to-edit' }, [{ kind: 'User', name: 'alice@example.com' }]);
    expect((await verdict(server, toAlice, attacker)).allowed).toBe(true);
  });
});

describe('7. an empty config provisions nobody', () => {
  const policy: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open', namespace: 'shop' },
    spec: { podSelector: {}, ingress: [{}] },
  };
  it('a member of a group once named in the example config cannot write network policy', async () => {
    const answer = await verdict(plain, policy, { username: 'x@example.com', groups: ['netpol-admins'] });
    expect(answer.allowed, JSON.stringify(answer)).toBe(false);
    expect(answer.status?.message).toMatch(/^netpol-provisioning:/);
  });
  it('the platform team, once named, can', async () => {
    expect((await verdict(server, policy, { username: 'x@example.com', groups: ['netpol-admins'] })).allowed).toBe(true);
  });
});

describe('6. warn, audit and disabled never deny, whatever the request holds', () => {
  const malformed: Record<string, unknown>[] = [
    { operation: 'PATCH' },
    { userInfo: 'bob' },
    { userInfo: { username: 'bob', groups: 'admins' } },
    { object: 'a pod' },
    { dryRun: 'yes' },
    { kind: { group: '', kind: 'Pod' } },
  ];
  let modes: TestServer;
  beforeAll(async () => {
    modes = await startTestServer({
      config: { ...PLATFORM, clusterScopedMode: 'audit' },
      engine: new Engine(),
      objects: [namespace('warned', 'warn'), namespace('audited', 'audit'), namespace('off', 'disabled'), namespace('enforced', 'enforce')],
      certs: server.certs,
    });
  });
  afterAll(async () => modes?.close());

  it.each(['warned', 'audited', 'off', 'kube-system'])('namespace %s: malformed fields are allowed with a warning', async (ns) => {
    for (const patch of malformed) {
      const request = { ...makeRequest(pod(ns, 'web')), ...patch };
      const answer = await modes.post({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
      expect(answer.status).toBe(200);
      const { response } = answer.json();
      expect(response.uid).toBe(request.uid);
      expect(response.allowed, JSON.stringify(patch)).toBe(true);
      expect(response.warnings[0]).toMatch(/^netguard: malformed AdmissionReview: .*Allowed without being judged because its mode is (warn|audit|disabled)\.$/);
    }
  });

  it('a cluster-scoped kind is answered in clusterScopedMode (audit here), an enforce namespace still refuses', async () => {
    const cluster = { ...makeRequest(clusterRole('x', [])), userInfo: 'bob' };
    expect((await modes.post({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: cluster })).json().response.allowed).toBe(true);
    const enforced = { ...makeRequest(pod('enforced', 'web')), userInfo: 'bob' };
    const { response } = (await modes.post({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: enforced })).json();
    expect(response).toMatchObject({ allowed: false, status: { code: 400, reason: 'BadRequest' } });
  });
});
