// The objects `netguard fix` writes: a default-deny NetworkPolicy for the missing directions, the
// DNS allow that keeps pods resolving names once Egress is denied, and a ServiceAccount per workload
// that mounts no token unless the workload asks for one.
import type { KubeObject } from '../cluster/objects.js';
import type { Direction } from '../config/types.js';

/** metadata.namespace is left out when the namespace's own objects leave it to `--namespace`. */
function metadata(name: string, namespace: string, explicit: boolean) {
  return explicit ? { name, namespace } : { name };
}

export function defaultDenyPolicy(name: string, namespace: string, directions: readonly Direction[], explicit: boolean): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(name, namespace, explicit),
    spec: { podSelector: {}, policyTypes: [...directions] },
  };
}

/** Egress to the cluster DNS (kube-system pods labelled k8s-app: kube-dns) on 53/UDP and 53/TCP. */
export function allowDnsPolicy(name: string, namespace: string, explicit: boolean): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(name, namespace, explicit),
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              // the API server sets this label on every namespace; a namespace name alone is not a selector
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}

export function serviceAccount(name: string, namespace: string, explicit: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(name, namespace, explicit),
    automountServiceAccountToken: false,
  };
}
