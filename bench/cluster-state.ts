// Synthetic cluster state for benchmarks: N namespaces, each with a default-deny policy, an allow
// policy, a Role granting NetworkPolicy write and bindings to it.
import type { KubeObject } from '../src/cluster/objects.js';

export interface StateSize {
  namespaces: number;
  policiesPerNamespace: number;
  rolesPerNamespace: number;
  bindingsPerNamespace: number;
}

export function* syntheticObjects(size: StateSize): Generator<KubeObject> {
  for (let n = 0; n < size.namespaces; n++) {
    const ns = `team-${n}`;
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'netguard.io/mode': 'enforce' } } };
    for (let p = 0; p < size.policiesPerNamespace; p++) {
      const deny = p === 0;
      yield {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: deny ? 'default-deny' : `allow-${p}`, namespace: ns },
        spec: deny
          ? { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }
          : { podSelector: { matchLabels: { app: `app-${p}` } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
      };
    }
    for (let r = 0; r < size.rolesPerNamespace; r++) {
      yield {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `role-${r}`, namespace: ns },
        rules: [{ apiGroups: [r === 0 ? 'networking.k8s.io' : ''], resources: [r === 0 ? 'networkpolicies' : 'configmaps'], verbs: ['get', 'create'] }],
      };
    }
    for (let b = 0; b < size.bindingsPerNamespace; b++) {
      yield {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `binding-${b}`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${b % Math.max(1, size.rolesPerNamespace)}` },
        subjects: [{ kind: 'ServiceAccount', name: `sa-${b}` }],
      };
    }
  }
}
