// State and reviews for the other network-policy APIs, added to the engine bench so its figures hold
// with policies of every API in the state: per namespace a CiliumNetworkPolicy deny-all and a Calico
// allow; cluster-wide a Baseline ClusterNetworkPolicy, an AdminNetworkPolicy allow, a
// BaselineAdminNetworkPolicy, a CiliumClusterwideNetworkPolicy, a Calico GlobalNetworkPolicy (parsed
// selector), and 20 CiliumClusterwideNetworkPolicies that each cover one namespace.
import type { AdmissionReview } from '../src/admission/types.js';
import type { KubeObject } from '../src/cluster/objects.js';
import { ns, type StateSize } from './cluster-state.js';

const ENFORCED = { matchLabels: { 'netguard.io/mode': 'enforce' } };
const V4V6 = ['0.0.0.0/0', '::/0'];

export function* policyApiObjects(size: StateSize): Generator<KubeObject> {
  for (let i = 0; i < size.namespaces; i++) {
    const namespace = ns(i);
    yield { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cilium-deny', namespace }, spec: { endpointSelector: {}, ingress: [{}], egress: [{}] } };
    yield {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-frontend', namespace },
      spec: { selector: "app == 'checkout'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app == 'frontend'" } }] },
    };
  }
  const deny = { ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }], egress: [{ action: 'Deny', to: [{ networks: V4V6 }] }] };
  yield { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'baseline-deny' }, spec: { tier: 'Baseline', priority: 100, subject: { namespaces: ENFORCED }, ...deny } };
  yield { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'allow-monitoring' }, spec: { priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }] } };
  yield { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: ENFORCED }, ...deny } };
  yield {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'default-deny' },
    spec: { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }, ingress: [{}], egress: [{}] },
  };
  yield {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'default-deny' },
    spec: { namespaceSelector: "netguard.io/mode == 'enforce' && projectcalico.org/name not in {'kube-system', 'calico-system'}", selector: 'all()', types: ['Ingress', 'Egress'] },
  };
  for (let i = 0; i < 20; i++) {
    yield { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `deny-${ns(i)}` }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns(i) } }, ingressDeny: [{ fromEntities: ['all'] }] } };
  }
}

const admin = { username: 'alice@example.com', groups: ['netpol-admins', 'system:authenticated'] };

/** A DELETE (or, given the new object, UPDATE) review of a policy object (group, version and kind from its apiVersion and kind). */
function change(uid: string, resource: string, oldObject: KubeObject, object: KubeObject | null = null): AdmissionReview {
  const [group = '', version = ''] = (oldObject.apiVersion ?? '').split('/');
  const meta = oldObject.metadata ?? {};
  const request = {
    uid,
    kind: { group, version, kind: oldObject.kind },
    resource: { group, version, resource },
    name: meta.name,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    operation: object ? 'UPDATE' : 'DELETE',
    userInfo: admin,
    object,
    oldObject,
    dryRun: false,
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as unknown as AdmissionReview;
}

/** Removals of a namespaced and a cluster-scoped policy while other APIs still cover, and a cluster-scoped policy's update that keeps its coverage. */
export function policyApiReviews(namespace: string): Record<string, AdmissionReview> {
  const cnp: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cilium-deny', namespace }, spec: { endpointSelector: {}, ingress: [{}], egress: [{}] } };
  const ccnp: KubeObject = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'default-deny' },
    spec: { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }, ingress: [{}], egress: [{}] },
  };
  const ccnpRelabelled: KubeObject = { ...ccnp, metadata: { name: 'default-deny', labels: { owner: 'platform' } } };
  return {
    'cilium-policy-delete': change('7e0c1d2e-2222-4c6e-8f0a-3d2b1c0e9f77', 'ciliumnetworkpolicies', cnp),
    'clusterwide-policy-delete': change('7e0c1d2e-3333-4c6e-8f0a-3d2b1c0e9f77', 'ciliumclusterwidenetworkpolicies', ccnp),
    'clusterwide-policy-update': change('7e0c1d2e-4444-4c6e-8f0a-3d2b1c0e9f77', 'ciliumclusterwidenetworkpolicies', ccnp, ccnpRelabelled),
  };
}
