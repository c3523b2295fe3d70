// Small builders for the Kubernetes objects tests send in reviews and put into cluster state.
import type { KubeObject } from '../../src/cluster/objects.js';

export function namespace(name: string, mode?: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(mode ? { labels: { 'netguard.io/mode': mode } } : {}) }, ...extra };
}

/** A default-deny policy for both directions. */
export function denyAll(ns: string, name = 'default-deny'): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** An allow policy with an ipBlock peer (not a default-deny). */
export function allowFrom(ns: string, name: string, cidr: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: { podSelector: { matchLabels: { app: name } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] },
  };
}

export function pod(ns: string, name: string, serviceAccount?: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    spec: { ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}), containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

export function role(ns: string | undefined, name: string, grantsNetpolWrite: boolean): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: ns ? 'Role' : 'ClusterRole',
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    rules: [
      grantsNetpolWrite
        ? { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'update'] }
        : { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
    ],
  };
}

export function binding(
  ns: string | undefined,
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: { kind: string; name: string; namespace?: string }[],
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: ns ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: subjects.map((s) => ({ ...(s.kind === 'ServiceAccount' ? {} : { apiGroup: 'rbac.authorization.k8s.io' }), ...s })),
  };
}

/** A CiliumNetworkPolicy whose empty rules put every pod of the namespace under default-deny. */
export function ciliumDenyAll(ns: string, name = 'cilium-deny-all'): KubeObject {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns }, spec: { endpointSelector: {}, ingress: [{}], egress: [{}] } };
}
