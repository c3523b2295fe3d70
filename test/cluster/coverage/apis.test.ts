// Per API: the shapes that count as default-deny and the near-misses that do not, read through the
// same entry point the store uses (group + kind → reader).
import { describe, expect, it } from 'vitest';
import { policyEntry } from '../../../src/cluster/coverage/index.js';
import { policyKindOf, policyKindOfObject } from '../../../src/cluster/coverage/kinds.js';
import { directionsFor, type NamespaceView } from '../../../src/cluster/coverage/types.js';
import type { KubeObject } from '../../../src/cluster/objects.js';
import type { Direction } from '../../../src/config/types.js';

const TEAM_A: NamespaceView = { name: 'team-a', labels: { env: 'prod' } };
const TEAM_B: NamespaceView = { name: 'team-b', labels: { env: 'dev' } };

function covers(object: KubeObject, namespace: NamespaceView = TEAM_A): Direction[] {
  const kind = policyKindOfObject(object);
  if (!kind) throw new Error(`not a policy kind: ${object.apiVersion} ${object.kind}`);
  const own = kind.clusterScoped ? undefined : (object.metadata?.namespace ?? 'team-a');
  const entry = policyEntry(object, kind, own ?? '');
  return entry ? directionsFor(entry.coverage, namespace, own) : [];
}

const BOTH: Direction[] = ['Ingress', 'Egress'];
const V4V6 = ['0.0.0.0/0', '::/0'];

describe('objects are recognised by group and kind', () => {
  it.each([
    ['networking.k8s.io', 'NetworkPolicy', 'Kubernetes', 'NetworkPolicy'],
    ['projectcalico.org', 'NetworkPolicy', 'Calico', 'Calico NetworkPolicy'],
    ['crd.projectcalico.org', 'NetworkPolicy', 'Calico', 'Calico NetworkPolicy (crd.projectcalico.org)'],
    ['crd.antrea.io', 'NetworkPolicy', 'Antrea', 'Antrea NetworkPolicy'],
    ['policy.networking.k8s.io', 'ClusterNetworkPolicy', 'Kubernetes ClusterNetworkPolicy', 'ClusterNetworkPolicy'],
    ['crd.antrea.io', 'ClusterNetworkPolicy', 'Antrea', 'Antrea ClusterNetworkPolicy'],
    ['cilium.io', 'CiliumNetworkPolicy', 'Cilium', 'CiliumNetworkPolicy'],
  ])('%s %s is %s (%s)', (group, kind, api, label) => {
    expect(policyKindOf(group, kind)).toMatchObject({ api, label });
  });

  it('a kind in an unknown group is no policy', () => {
    expect(policyKindOf('example.com', 'NetworkPolicy')).toBeUndefined();
    expect(policyKindOf('', 'NetworkPolicy')).toBeUndefined();
  });

  it('Antrea and staged Calico kinds are guarded but never read for coverage', () => {
    for (const [group, kind] of [['crd.antrea.io', 'NetworkPolicy'], ['crd.antrea.io', 'ClusterNetworkPolicy'], ['projectcalico.org', 'StagedNetworkPolicy'], ['projectcalico.org', 'Tier']]) {
      expect(policyKindOf(group!, kind!)?.coverage).toBeUndefined();
    }
  });
});

describe('Kubernetes NetworkPolicy', () => {
  const np = (spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'team-a' }, spec });
  it.each<[string, unknown, Direction[]]>([
    ['both types, no rules', { podSelector: {}, policyTypes: BOTH }, BOTH],
    ['no policyTypes: Ingress', { podSelector: {} }, ['Ingress']],
    ['no policyTypes, egress: [] is still Ingress only', { podSelector: {}, egress: [] }, ['Ingress']],
    ['ingress: [{}] allows all', { podSelector: {}, policyTypes: BOTH, ingress: [{}] }, ['Egress']],
    ['some pods only', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: BOTH }, []],
  ])('%s', (_n, spec, expected) => {
    expect(covers(np(spec))).toEqual(expected);
    expect(covers(np(spec), TEAM_B)).toEqual([]);
  });

  it('a projectcalico.org NetworkPolicy with a Kubernetes-shaped spec is read as Calico, not as Kubernetes', () => {
    const calico = { ...np({ podSelector: {}, policyTypes: BOTH }), apiVersion: 'projectcalico.org/v3' };
    // Calico reads `types`, not `policyTypes`: absent types default to Ingress (no rules): Ingress only
    expect(covers(calico)).toEqual(['Ingress']);
  });
});

describe('ClusterNetworkPolicy (v1alpha2), AdminNetworkPolicy and BaselineAdminNetworkPolicy', () => {
  const cnp = (spec: Record<string, unknown>, kind = 'ClusterNetworkPolicy'): KubeObject => ({
    apiVersion: `policy.networking.k8s.io/${kind === 'ClusterNetworkPolicy' ? 'v1alpha2' : 'v1alpha1'}`,
    kind,
    metadata: { name: 'default-deny' },
    spec,
  });
  const denyAll = { ingress: [{ name: 'deny-in', action: 'Deny', from: [{ namespaces: {} }] }], egress: [{ name: 'deny-out', action: 'Deny', to: [{ networks: V4V6 }] }] };
  it.each<[string, Record<string, unknown>, string, Direction[]]>([
    ['Baseline tier, subject all namespaces', { tier: 'Baseline', priority: 10, subject: { namespaces: {} }, ...denyAll }, 'ClusterNetworkPolicy', BOTH],
    ['Admin tier', { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ...denyAll }, 'ClusterNetworkPolicy', BOTH],
    ['unknown tier', { tier: 'Developer', subject: { namespaces: {} }, ...denyAll }, 'ClusterNetworkPolicy', []],
    ['no tier', { subject: { namespaces: {} }, ...denyAll }, 'ClusterNetworkPolicy', []],
    ['subject matching the namespace label', { tier: 'Baseline', subject: { namespaces: { matchLabels: { env: 'prod' } } }, ...denyAll }, 'ClusterNetworkPolicy', BOTH],
    ['subject by the name label', { tier: 'Baseline', subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } }, ...denyAll }, 'ClusterNetworkPolicy', BOTH],
    ['subject selecting other namespaces', { tier: 'Baseline', subject: { namespaces: { matchLabels: { env: 'dev' } } }, ...denyAll }, 'ClusterNetworkPolicy', []],
    ['subject pods with an empty podSelector', { tier: 'Baseline', subject: { pods: { namespaceSelector: {}, podSelector: {} } }, ...denyAll }, 'ClusterNetworkPolicy', BOTH],
    ['subject selecting only some pods', { tier: 'Baseline', subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } } }, ...denyAll }, 'ClusterNetworkPolicy', []],
    ['Accept is no deny', { tier: 'Baseline', subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }, 'ClusterNetworkPolicy', []],
    ['Pass is no deny', { tier: 'Admin', subject: { namespaces: {} }, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] }, 'ClusterNetworkPolicy', []],
    ['a Deny from some namespaces only', { tier: 'Baseline', subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }] }, 'ClusterNetworkPolicy', []],
    ['a Deny narrowed to ports', { tier: 'Baseline', subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 } }] }] }, 'ClusterNetworkPolicy', []],
    ['egress Deny to IPv4 only', { tier: 'Baseline', subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] }, 'ClusterNetworkPolicy', []],
    ['egress Deny to halves that add up', { tier: 'Baseline', subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/1', '128.0.0.0/1'] }, { networks: ['::/0'] }] }] }, 'ClusterNetworkPolicy', ['Egress']],
    ['egress Deny to namespaces only (not the world)', { tier: 'Baseline', subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] }, 'ClusterNetworkPolicy', []],
    ['egress Deny to namespaces and networks', { tier: 'Baseline', subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }, { networks: V4V6 }] }] }, 'ClusterNetworkPolicy', ['Egress']],
    ['an Accept before the Deny does not undo it', { tier: 'Admin', subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ namespaces: { matchLabels: { env: 'prod' } } }] }, { action: 'Deny', from: [{ namespaces: {} }] }] }, 'ClusterNetworkPolicy', ['Ingress']],
    ['AdminNetworkPolicy Deny', { priority: 10, subject: { namespaces: {} }, ...denyAll }, 'AdminNetworkPolicy', BOTH],
    ['AdminNetworkPolicy Allow', { priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] }, 'AdminNetworkPolicy', []],
    ['BaselineAdminNetworkPolicy Deny', { subject: { namespaces: {} }, ...denyAll }, 'BaselineAdminNetworkPolicy', BOTH],
    ['both subjects at once is malformed', { tier: 'Baseline', subject: { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }, ...denyAll }, 'ClusterNetworkPolicy', []],
  ])('%s', (_n, spec, kind, expected) => {
    expect(covers(cnp(spec, kind))).toEqual(expected);
  });
});

describe('Cilium', () => {
  const cnp = (spec: unknown, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny-all', namespace: 'team-a' }, spec, ...extra });
  const ccnp = (spec: unknown): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny-all' }, spec });
  it.each<[string, KubeObject, Direction[]]>([
    ['empty rules in both sections', cnp({ endpointSelector: {}, ingress: [{}], egress: [{}] }), BOTH],
    ['ingress only', cnp({ endpointSelector: {}, ingress: [{}] }), ['Ingress']],
    ['an empty section list is no section', cnp({ endpointSelector: {}, ingress: [] }), []],
    ['enableDefaultDeny.ingress: false', cnp({ endpointSelector: {}, ingress: [{}], egress: [{}], enableDefaultDeny: { ingress: false } }), ['Egress']],
    ['a rule that allows something', cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['world'] }] }), []],
    ['some pods only', cnp({ endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{}] }), []],
    ['selector on its own namespace', cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team-a' } }, ingress: [{}] }), ['Ingress']],
    ['ingressDeny fromEntities all', cnp({ endpointSelector: {}, ingressDeny: [{ fromEntities: ['all'] }] }), ['Ingress']],
    ['egressDeny toEntities all, even with enableDefaultDeny false', cnp({ endpointSelector: {}, egressDeny: [{ toEntities: ['all'] }], enableDefaultDeny: { egress: false } }), ['Egress']],
    ['egressDeny narrowed to ports', cnp({ endpointSelector: {}, egressDeny: [{ toEntities: ['all'], toPorts: [{ ports: [{ port: '80' }] }] }] }), []],
    ['ingressDeny from world only', cnp({ endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }] }), []],
    ['specs list', cnp(undefined, { specs: [{ endpointSelector: {}, ingress: [{}] }, { endpointSelector: {}, egress: [{}] }] }), BOTH],
    ['clusterwide, empty selector', ccnp({ endpointSelector: {}, ingress: [{}], egress: [{}] }), BOTH],
    ['clusterwide, namespace In list', ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['team-a', 'team-c'] }] }, ingress: [{}] }), ['Ingress']],
    ['clusterwide, other namespace', ccnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team-b' } }, ingress: [{}] }), []],
    ['clusterwide, NotIn excluding the namespace', ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['team-a'] }] }, ingress: [{}] }), []],
    ['clusterwide, namespace labels', ccnp({ endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.env': 'prod' } }, ingress: [{}] }), ['Ingress']],
    ['clusterwide, pod labels too', ccnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team-a', app: 'x' } }, ingress: [{}] }), []],
    ['clusterwide host policy (nodeSelector)', ccnp({ nodeSelector: {}, ingress: [{}] }), []],
  ])('%s', (_n, object, expected) => {
    expect(covers(object)).toEqual(expected);
  });

  it('a CiliumNetworkPolicy covers only its own namespace', () => {
    expect(covers(cnp({ endpointSelector: {}, ingress: [{}] }), TEAM_B)).toEqual([]);
  });
});

describe('Calico', () => {
  const np = (spec: unknown, group = 'projectcalico.org/v3', name = 'deny-all'): KubeObject => ({ apiVersion: group, kind: 'NetworkPolicy', metadata: { name, namespace: 'team-a' }, spec });
  const gnp = (spec: unknown, group = 'projectcalico.org/v3'): KubeObject => ({ apiVersion: group, kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec });
  it.each<[string, KubeObject, Direction[]]>([
    ['all() with both types', np({ selector: 'all()', types: BOTH }), BOTH],
    ['empty selector', np({ types: ['Egress'] }), ['Egress']],
    ['crd.projectcalico.org', np({ selector: 'all()', types: BOTH }, 'crd.projectcalico.org/v1'), BOTH],
    ['no types: Ingress (Calico defaulting)', np({ selector: 'all()' }), ['Ingress']],
    ['an Allow rule', np({ selector: 'all()', types: BOTH, ingress: [{ action: 'Allow' }] }), ['Egress']],
    ['only Deny rules', np({ selector: 'all()', types: BOTH, ingress: [{ action: 'Deny', source: { nets: ['10.0.0.0/8'] } }] }), BOTH],
    ['a Pass rule', np({ selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Pass' }] }), []],
    ['a selector for some pods', np({ selector: "app == 'web'", types: BOTH }), []],
    ['a serviceAccountSelector', np({ selector: 'all()', serviceAccountSelector: "name == 'x'", types: BOTH }), []],
    ['an unparsable selector', np({ selector: 'all(', types: BOTH }), []],
    ['a mirror of a Kubernetes policy (knp.default.*)', np({ selector: 'all()', types: BOTH }, 'projectcalico.org/v3', 'knp.default.deny'), []],
    ['global, no namespaceSelector: every namespace', gnp({ selector: 'all()', types: BOTH }), BOTH],
    ['global, namespaceSelector on projectcalico.org/name', gnp({ namespaceSelector: "projectcalico.org/name == 'team-a'", selector: 'all()', types: BOTH }), BOTH],
    ['global, namespaceSelector on a label', gnp({ namespaceSelector: "env in {'prod', 'staging'}", types: ['Ingress'] }), ['Ingress']],
    ['global, namespaceSelector excluding the namespace', gnp({ namespaceSelector: "projectcalico.org/name != 'team-a'", selector: 'all()', types: BOTH }), []],
    ['global, has(label) the namespace lacks', gnp({ namespaceSelector: 'has(netguard)', types: BOTH }), []],
    ['global, doNotTrack applies to hosts', gnp({ selector: 'all()', types: BOTH, doNotTrack: true }), []],
    ['global, preDNAT applies to hosts', gnp({ selector: 'all()', types: ['Ingress'], preDNAT: true }), []],
    ['global, egress rules all Deny', gnp({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }), ['Egress']],
    ['global crd.projectcalico.org', gnp({ namespaceSelector: 'all()', types: BOTH }, 'crd.projectcalico.org/v1'), BOTH],
  ])('%s', (_n, object, expected) => {
    expect(covers(object)).toEqual(expected);
  });
});
