import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { ClusterSnapshot, PodListing } from '../../src/cluster/snapshot.js';
import type { Direction } from '../../src/config/types.js';
import { coveringPolicy } from '../../src/cluster/coverage/index.js';
import { COVERAGE_KIND_IDS, policyKindOf } from '../../src/cluster/coverage/kinds.js';
import { namespaceDefaultDeny as rule } from '../../src/rules/namespace-default-deny.js';
import { config, DENY_ALL, deepFreeze, GARBAGE, namespace, netpol, pod, request, run, store, wellFormed } from './rule-helpers.js';

const DENY_D = coveringPolicy(policyKindOf('networking.k8s.io', 'NetworkPolicy')!, 'ns', 'd');
const TERMINATING = { deletionTimestamp: '2024-05-01T10:00:00Z' };

function deployment(ns: string, name = 'app'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { template: { spec: { serviceAccountName: 'app', containers: [] } } },
  };
}

describe('namespace-default-deny: pods and workloads', () => {
  it('declares what it judges', () => {
    expect(rule.needs).toEqual(['Namespace', ...COVERAGE_KIND_IDS, 'Pod']);
    const keys = rule.intercepts.flatMap((i) => i.operations.map((o) => `${i.group}/${i.kind}/${o}`));
    expect(keys).toEqual(
      expect.arrayContaining(['/Pod/CREATE', 'apps/Deployment/CREATE', 'batch/CronJob/CREATE', '/ReplicationController/CREATE', '/Namespace/CREATE', '/Namespace/UPDATE']),
    );
    expect(keys).not.toContain('/Pod/UPDATE');
    expect(keys).not.toContain('apps/Deployment/UPDATE');
    // every policy resource of the config, on UPDATE and DELETE (never CREATE: a new policy removes nothing)
    expect(rule.interceptsPolicyResources).toEqual(['UPDATE', 'DELETE']);
  });

  // Each row: the policies of namespace "ns", and the directions a pod there finds missing.
  it.each<[string, unknown[], Direction[]]>([
    ['no policy at all', [], ['Ingress', 'Egress']],
    ['one policy denying both', [DENY_ALL], []],
    ['two policies sharing the work', [{ podSelector: {}, policyTypes: ['Ingress'] }, { podSelector: {}, policyTypes: ['Egress'] }], []],
    ['absent policyTypes, no egress: Ingress only', [{ podSelector: {} }], ['Egress']],
    ['absent policyTypes, egress: [] selects no Egress (Ingress only, as the API server defaults it)', [{ podSelector: {}, egress: [] }], ['Egress']],
    ['absent policyTypes, egress rules: Ingress only', [{ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }], ['Egress']],
    ['absent policyTypes, egress: null is absent', [{ podSelector: {}, egress: null }], ['Egress']],
    ['empty policyTypes counts as absent', [{ podSelector: {}, policyTypes: [] }], ['Egress']],
    ['policyTypes [Egress] with no egress rules', [{ podSelector: {}, policyTypes: ['Egress'] }], ['Ingress']],
    ['ingress: [{}] is not a deny', [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}] }], ['Ingress']],
    ['egress: [{}] is not a deny', [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] }], ['Egress']],
    ['ingress: [] is a deny', [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }], []],
    ['matchLabels selects some pods only', [{ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] }], ['Ingress', 'Egress']],
    ['matchExpressions selects some pods only', [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, policyTypes: ['Ingress', 'Egress'] }], ['Ingress', 'Egress']],
    ['empty matchLabels and matchExpressions', [{ podSelector: { matchLabels: {}, matchExpressions: [] }, policyTypes: ['Ingress', 'Egress'] }], []],
    ['podSelector missing is the empty selector', [{ policyTypes: ['Ingress', 'Egress'] }], []],
    ['malformed spec', ['x'], ['Ingress', 'Egress']],
    ['malformed rule lists', [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: 5, egress: 'x' }], ['Ingress', 'Egress']],
  ])('pod CREATE, %s', (_name, specs, missing) => {
    const s = store(namespace('ns'), ...specs.map((spec, i) => netpol('ns', `p${i}`, spec)));
    const found = run(rule, request(pod('ns', 'web', 'web')), s);
    if (missing.length === 0) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.absences).toEqual([{ kind: 'DefaultDenyPolicy', namespace: 'ns' }]);
    expect(v?.warningOnly).toBeUndefined();
    expect(v?.message).toContain(`no default-deny NetworkPolicy for ${missing.join(' and ')} (Pod "web" in namespace "ns")`);
    expect(v?.message).toContain(`"policyTypes":${JSON.stringify(missing)}`);
    expect(wellFormed(v!)).toBe(true);
  });

  it.each<[string, Direction[], unknown[], boolean]>([
    ['only Ingress required, Ingress covered', ['Ingress'], [{ podSelector: {} }], true],
    ['only Egress required, Egress covered', ['Egress'], [{ podSelector: {}, policyTypes: ['Egress'] }], true],
    ['only Egress required, Ingress covered', ['Egress'], [{ podSelector: {} }], false],
    ['nothing required', [], [], true],
  ])('configured directions: %s', (_name, directions, specs, allowed) => {
    const s = store(...specs.map((spec, i) => netpol('ns', `p${i}`, spec)));
    const found = run(rule, request(pod('ns', 'web')), s, config({ defaultDeny: { directions } }));
    expect(found).toHaveLength(allowed ? 0 : 1);
  });

  it('gives a minimal default-deny policy as a kubectl apply hint', () => {
    const [v] = run(rule, request(pod('shop', 'web')), store());
    expect(v?.message).toBe(
      'namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress (Pod "web" in namespace "shop"). ' +
        'No other policy API covers it either (looked at networking.k8s.io NetworkPolicy; policy.networking.k8s.io ClusterNetworkPolicy, ' +
        'AdminNetworkPolicy, BaselineAdminNetworkPolicy; cilium.io CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy; ' +
        'projectcalico.org NetworkPolicy, GlobalNetworkPolicy; crd.projectcalico.org NetworkPolicy, GlobalNetworkPolicy). ' +
        `Create one before deploying, e.g. echo '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny","namespace":"shop"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}' | kubectl apply -f -, ` +
        'then allow the traffic the workload needs with narrower policies.',
    );
  });

  it.each<[string, KubeObject, Operation, boolean]>([
    ['Deployment CREATE', deployment('ns'), 'CREATE', false],
    ['Deployment UPDATE is not checked', deployment('ns'), 'UPDATE', true],
    ['Pod UPDATE is not checked', pod('ns', 'web'), 'UPDATE', true],
    ['an unknown kind is ignored', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } }, 'CREATE', true],
    ['a Deployment in the wrong group is ignored', { ...deployment('ns'), apiVersion: 'example.com/v1' }, 'CREATE', true],
  ])('%s', (_name, object, operation, allowed) => {
    const req = request(object, { operation, ...(operation === 'UPDATE' ? { oldObject: object } : {}) });
    expect(run(rule, req, store())).toHaveLength(allowed ? 0 : 1);
  });

  it('is not enforced while the namespace is terminating', () => {
    const s = store(namespace('ns', {}, TERMINATING));
    expect(run(rule, request(pod('ns', 'web')), s)).toEqual([]);
    const phase = store({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' }, status: { phase: 'Terminating' } });
    expect(run(rule, request(deployment('ns')), phase)).toEqual([]);
  });
});

describe('namespace-default-deny: policy UPDATE and DELETE', () => {
  const deny = (name: string, types: Direction[] = ['Ingress', 'Egress']) => netpol('ns', name, { podSelector: {}, policyTypes: types });
  const allow = (name: string) => netpol('ns', name, { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });

  // state, old, new (undefined = DELETE), lost directions
  it.each<[string, KubeObject[], KubeObject | null, KubeObject | undefined, Direction[]]>([
    ['deleting the only deny', [deny('d')], deny('d'), undefined, ['Ingress', 'Egress']],
    ['deleting the only deny, no oldObject (from the state)', [deny('d')], null, undefined, ['Ingress', 'Egress']],
    ['deleting one of two full denies', [deny('a'), deny('b')], deny('a'), undefined, []],
    ['deleting the Ingress half of a shared pair', [deny('i', ['Ingress']), deny('e', ['Egress'])], deny('i', ['Ingress']), undefined, ['Ingress']],
    ['deleting a full deny next to an Ingress-only deny', [deny('d'), deny('i', ['Ingress'])], deny('d'), undefined, ['Egress']],
    ['deleting an allow policy next to a deny', [deny('d'), allow('w')], allow('w'), undefined, []],
    ['deleting an allow policy in a namespace never covered', [allow('w')], allow('w'), undefined, []],
    ['deleting a policy the state does not know, no oldObject', [allow('w')], null, undefined, []],
    ['update opening ingress', [deny('d')], deny('d'), netpol('ns', 'd', { ...deny('d')['spec'] as object, ingress: [{}] }), ['Ingress']],
    ['update narrowing the podSelector', [deny('d')], deny('d'), netpol('ns', 'd', { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress', 'Egress'] }), ['Ingress', 'Egress']],
    ['update dropping Egress', [deny('d')], deny('d'), deny('d', ['Ingress']), ['Egress']],
    ['update keeping the deny', [deny('d')], deny('d'), deny('d'), []],
    ['update to a malformed spec', [deny('d')], deny('d'), netpol('ns', 'd', 'x'), ['Ingress', 'Egress']],
    ['update when another policy still covers', [deny('d'), deny('e')], deny('d'), allow('d'), []],
    ['update of an allow policy, never covered', [allow('w')], allow('w'), netpol('ns', 'w', { podSelector: {}, ingress: [{}] }), []],
    ['update turning an allow policy into a deny', [allow('w')], allow('w'), deny('w'), []],
  ])('%s', (_name, state, oldObject, object, lost) => {
    const operation: Operation = object ? 'UPDATE' : 'DELETE';
    const source = oldObject ?? deny('d');
    const req = request(object ?? source, { operation, oldObject: source });
    if (oldObject === null) req.oldObject = null;
    const found = run(rule, req, store(...state));
    if (lost.length === 0) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain(`would remove the last default-deny for ${lost.join(' and ')} in namespace "ns"`);
    expect(found[0]?.absences).toEqual([{ kind: 'DefaultDenyPolicy', namespace: 'ns' }]);
    expect(wellFormed(found[0]!)).toBe(true);
  });

  it('only configured directions are protected', () => {
    const req = request(undefined, { operation: 'DELETE', oldObject: deny('i', ['Ingress']) });
    expect(run(rule, req, store(deny('i', ['Ingress'])), config({ defaultDeny: { directions: ['Egress'] } }))).toEqual([]);
  });

  it('is not enforced while the namespace is terminating', () => {
    const req = request(undefined, { operation: 'DELETE', oldObject: deny('d') });
    expect(run(rule, req, store(namespace('ns', {}, TERMINATING), deny('d')))).toEqual([]);
  });

  it('does not suggest recreating a policy under the name being deleted', () => {
    const gone = netpol('ns', 'default-deny', DENY_ALL);
    const [v] = run(rule, request(undefined, { operation: 'DELETE', oldObject: gone }), store(gone));
    expect(v?.message).toContain('"name":"default-deny-2"');
    expect(v?.message).toContain('or keep this policy.');
  });
});

describe('namespace-default-deny: opt-in warnings', () => {
  const crowded = Array.from({ length: 12 }, (_, i) => pod('ns', `worker-${String(12 - i).padStart(2, '0')}`));
  const full = store(netpol('ns', 'd', DENY_ALL), ...crowded, pod('ns', 'api-0', 'api'));

  function judgeNs(labels: Record<string, string> | undefined, oldLabels: Record<string, string> | undefined, snapshot: ClusterSnapshot, cfg = config()) {
    const object = namespace('ns', labels);
    const req = oldLabels === undefined ? request(object) : request(object, { operation: 'UPDATE', oldObject: namespace('ns', oldLabels) });
    return run(rule, req, snapshot, cfg);
  }
  const mode = (m: string) => ({ 'netguard.io/mode': m });

  it.each<[string, Record<string, string>, Record<string, string> | undefined, number]>([
    ['disabled → enforce without deny', mode('enforce'), {}, 1],
    ['audit → warn without deny', mode('warn'), mode('audit'), 1],
    ['enforce → warn (looser)', mode('warn'), mode('enforce'), 0],
    ['warn → warn (same)', mode('warn'), mode('warn'), 0],
    ['CREATE in audit', mode('audit'), undefined, 1],
    ['CREATE unlabelled under defaultMode disabled', {}, undefined, 0],
    ['unknown value counts as enforce', mode('bogus'), mode('warn'), 1],
  ])('%s', (_name, labels, oldLabels, count) => {
    const found = judgeNs(labels, oldLabels, store());
    expect(found).toHaveLength(count);
    for (const v of found) {
      expect(v.warningOnly).toBe(true);
      expect(v.absences).toBeUndefined();
      expect(wellFormed(v)).toBe(true);
    }
  });

  it('names at most 10 pods, sorted, and counts the rest', () => {
    const found = judgeNs(mode('enforce'), {}, full);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe(
      '12 existing pods run under the disallowed ServiceAccount "default" and would now be refused: ' +
        'worker-01, worker-02, worker-03, worker-04, worker-05, worker-06, worker-07, worker-08, worker-09, worker-10 and 2 more ' +
        '(Namespace "ns" goes from mode disabled to enforce through netguard.io/mode). ' +
        'Give each workload a dedicated ServiceAccount (serviceAccountName in its pod template) and roll it out.',
    );
  });

  it('warns about both: missing deny first, then pods', () => {
    const found = judgeNs(mode('warn'), {}, store(pod('ns', 'a'), pod('ns', 'b', 'b')));
    expect(found.map((v) => v.message.slice(0, 40))).toEqual([
      'namespace "ns" has no default-deny Netwo',
      '1 existing pod runs under the disallowed',
    ]);
    expect(found[0]?.message).toContain('so new pods will be admitted with warnings');
    expect(found[1]?.message).toContain(': a (Namespace "ns"');
  });

  it('a Namespace being created has no existing pods to warn about (offline state may hold its pods)', () => {
    expect(judgeNs(mode('enforce'), undefined, full)).toEqual([]);
  });

  it('says when the pod listing stopped early', () => {
    const listing: PodListing = { pods: [{ namespace: 'ns', name: 'p', serviceAccount: 'default' }], complete: false };
    const snapshot: ClusterSnapshot = { ...emptySnapshot(), coverage: () => [DENY_D], pods: () => listing };
    const [v] = judgeNs(mode('enforce'), {}, snapshot);
    expect(v?.message).toContain('the pod listing stopped early: checked the first 1 pods');
  });

  it('skips the pod warning when the state has no pods', () => {
    const snapshot: ClusterSnapshot = { ...emptySnapshot(), coverage: () => [DENY_D], pods: () => undefined };
    expect(judgeNs(mode('enforce'), {}, snapshot)).toEqual([]);
  });

  it.each([
    ['pod-service-account switched off', { rules: { 'pod-service-account': false } }],
    ['no disallowed accounts', { serviceAccounts: { disallowed: [] } }],
  ])('no pod warning when %s', (_name, overrides) => {
    expect(judgeNs(mode('enforce'), {}, full, config(overrides))).toEqual([]);
  });

  it('names accounts per pod when several are disallowed', () => {
    const [v] = judgeNs(mode('enforce'), {}, full, config({ serviceAccounts: { disallowed: ['default', 'api'] } }));
    expect(v?.message).toContain('13 existing pods run under disallowed ServiceAccounts');
    expect(v?.message).toContain('api-0 (ServiceAccount "api"), worker-01 (ServiceAccount "default")');
    expect(v?.message).toContain('and 3 more');
  });

  it('nothing for exempt or terminating namespaces', () => {
    const exempt = run(rule, request(namespace('kube-system', mode('enforce')), { operation: 'UPDATE', oldObject: namespace('kube-system') }), store());
    expect(exempt).toEqual([]);
    const closing = namespace('ns', mode('enforce'), TERMINATING);
    expect(run(rule, request(closing, { operation: 'UPDATE', oldObject: namespace('ns') }), store())).toEqual([]);
    expect(judgeNs(mode('enforce'), {}, store(namespace('ns', {}, TERMINATING)))).toEqual([]);
  });
});

function emptySnapshot(): ClusterSnapshot {
  return {
    namespace: () => undefined,
    allNamespaces: () => [],
    coverage: () => [],
    coveredBy: () => undefined,
    coverageOverlap: () => ({ alone: new Map(), alongside: [], kinds: [] }),
    role: () => undefined,
    clusterRoles: () => [],
    bindingsOf: () => [],
    pods: () => undefined,
  };
}

describe('namespace-default-deny: malformed input', () => {
  const objects: KubeObject[] = GARBAGE.flatMap((g) => [
    { apiVersion: 'v1', kind: 'Pod', metadata: g, spec: g } as KubeObject,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: g }, spec: { template: g } } as KubeObject,
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'd', namespace: 'ns' }, spec: { podSelector: g, policyTypes: g, ingress: g, egress: g } } as KubeObject,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: g, deletionTimestamp: g } } as KubeObject,
    { apiVersion: 'v1', kind: 'Namespace', metadata: g, status: g } as KubeObject,
  ]);
  const s = store(netpol('ns', 'd', DENY_ALL), pod('ns', 'p'));

  it.each(objects.map((o, i) => [i, o] as const))('shape %i does not throw', (_i, object) => {
    for (const operation of ['CREATE', 'UPDATE', 'DELETE'] as const) {
      const req = deepFreeze(request(object, { operation, ...(operation === 'CREATE' ? {} : { oldObject: object }) }));
      expect(() => run(rule, req, s)).not.toThrow();
    }
  });
});
