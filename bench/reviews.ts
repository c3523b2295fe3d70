// The four realistic AdmissionReviews every benchmark sends (as JSON bodies).
import type { AdmissionReview } from '../src/admission/types.js';

function realisticPod(namespace: string, serviceAccountName: string | undefined) {
  const env = Array.from({ length: 12 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${'x'.repeat(24)}` }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'checkout-7d9f8b6c4-x2x9k',
      generateName: 'checkout-7d9f8b6c4-',
      namespace,
      labels: { app: 'checkout', 'pod-template-hash': '7d9f8b6c4', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8b6c4', uid: '6c1f6e0e-3f0b-4a8e-9f53-0d1b3c1f2a11', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...(serviceAccountName ? { serviceAccountName } : {}),
      containers: [
        {
          name: 'checkout',
          image: 'registry.example.com/shop/checkout:1.42.0',
          ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9102, name: 'metrics' }],
          env,
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/live', port: 'http' }, periodSeconds: 10 },
          securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'config', mountPath: '/etc/checkout' }, { name: 'tmp', mountPath: '/tmp' }],
        },
        {
          name: 'envoy',
          image: 'registry.example.com/mesh/envoy:1.30.1',
          args: ['--config-path', '/etc/envoy/envoy.yaml', '--log-level', 'warn'],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'checkout-config' } }, { name: 'tmp', emptyDir: {} }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
  };
}

function review(request: Record<string, unknown>): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as unknown as AdmissionReview;
}

const user = { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: 'b1f6', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };

export function benchReviews(namespace: string): Record<string, AdmissionReview> {
  const podRequest = (sa: string | undefined) => ({
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    requestKind: { group: '', version: 'v1', kind: 'Pod' },
    name: 'checkout-7d9f8b6c4-x2x9k',
    namespace,
    operation: 'CREATE',
    userInfo: user,
    object: realisticPod(namespace, sa),
    oldObject: null,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  });
  const policy = (types: string[]) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace },
    spec: { podSelector: {}, policyTypes: types },
  });
  return {
    'pod-allowed': review(podRequest('checkout')),
    'pod-denied': review(podRequest(undefined)),
    'rolebinding-create': review({
      uid: '5b1c7a3e-1111-4c6e-8f0a-3d2b1c0e9f77',
      kind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
      resource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' },
      name: 'ci-deployer',
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'alice@example.com', groups: ['netpol-admins', 'system:authenticated'] },
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'ci-deployer', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role-0' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer' }, { kind: 'User', name: 'carol@example.com', apiGroup: 'rbac.authorization.k8s.io' }],
      },
      oldObject: null,
      dryRun: false,
    }),
    'netpol-update': review({
      uid: '9d0e8c7b-2222-4a1b-b3c4-5d6e7f8a9b0c',
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
      name: 'default-deny',
      namespace,
      operation: 'UPDATE',
      userInfo: { username: 'alice@example.com', groups: ['netpol-admins', 'system:authenticated'] },
      object: policy(['Ingress']),
      oldObject: policy(['Ingress', 'Egress']),
      dryRun: false,
    }),
  };
}
