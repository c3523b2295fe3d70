// Synthetic cluster state for every benchmark (engine, serve --state, start-up, live cache), one
// shape at every scale: per namespace (labelled enforce) a default-deny policy and allow policies,
// bindings (the first to the ClusterRole `view`, the others to the namespace's Role), one Role for
// every `namespaces / roles` namespaces (even-numbered ones grant NetworkPolicy write), and the
// built-in ClusterRoles view/edit/admin. With `realistic`, objects carry what kubectl apply and a
// GitOps controller leave on them (last-applied annotation, managedFields), so sizes are real.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../src/cluster/objects.js';

export interface StateSize {
  namespaces: number;
  /** the first one is the namespace's default-deny */
  policiesPerNamespace: number;
  /** Roles in all, spread evenly over the namespaces (each one named role-0 in its namespace) */
  roles: number;
  bindingsPerNamespace: number;
  realistic: boolean;
}

/** The benchmarks' shape at N namespaces: 5 policies, 2 bindings each, a Role every second namespace. */
export function benchState(namespaces: number): StateSize {
  return { namespaces, policiesPerNamespace: 5, roles: Math.ceil(namespaces / 2), bindingsPerNamespace: 2, realistic: true };
}

/** `team-00042`: sortable, as generated namespaces tend to be. */
export const ns = (i: number) => `team-${String(i).padStart(5, '0')}`;

/** A namespace in the middle of the state, holding a Role that grants NetworkPolicy write. */
export function reviewNamespace(size: StateSize): string {
  const stride = Math.max(1, Math.floor(size.namespaces / Math.max(1, size.roles)));
  const roleIndex = Math.floor(Math.min(size.roles, size.namespaces) / 2) & ~1; // even: grants write
  return ns(roleIndex * stride);
}

function managed(manager: string, realistic: boolean) {
  if (!realistic) return {};
  return {
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"X","metadata":{"name":"x"}}' },
    managedFields: [{ manager, operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} } }],
  };
}

export function* syntheticObjects(size: StateSize): Generator<KubeObject> {
  const { realistic } = size;
  const stride = Math.max(1, Math.floor(size.namespaces / Math.max(1, size.roles)));
  const rolesPerNamespace = Math.max(1, Math.round(size.roles / size.namespaces));
  let rolesLeft = size.roles;
  for (let i = 0; i < size.namespaces; i++) {
    const name = ns(i);
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'netguard.io/mode': 'enforce', team: name }, ...managed('kubectl', realistic) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    yield { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: name, ...managed('argocd', realistic) }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    for (let p = 1; p < size.policiesPerNamespace; p++) {
      yield {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `allow-${p}`, namespace: name, ...managed('argocd', realistic) },
        spec: {
          podSelector: { matchLabels: { app: `svc-${p}` } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
        },
      };
    }
    const roles = i % stride === 0 && rolesLeft > 0 ? Math.min(rolesPerNamespace, rolesLeft) : 0;
    for (let r = 0; r < roles; r++) {
      const index = size.roles - rolesLeft--;
      yield {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `role-${r}`, namespace: name, ...managed('argocd', realistic) },
        rules: [
          { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
          ...(index % 2 === 0 ? [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'update'] }] : []),
        ],
      };
    }
    for (let b = 0; b < size.bindingsPerNamespace; b++) {
      yield {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `binding-${b}`, namespace: name, ...managed('argocd', realistic) },
        roleRef:
          b === 0 || roles === 0
            ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }
            : { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${(b - 1) % roles}` },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: name }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `${name}-devs` }],
      };
    }
  }
  for (const name of ['view', 'edit', 'admin']) {
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: name === 'view' ? ['get'] : ['*'] }] };
  }
}

/** Writes the state as multi-document YAML files (500 namespaces a file) for `serve --state DIR`. */
export function writeStateDir(dir: string, size: StateSize): { files: number; objects: number } {
  mkdirSync(dir, { recursive: true });
  let documents: string[] = [];
  let files = 0;
  let objects = 0;
  const flush = () => {
    if (documents.length === 0) return;
    writeFileSync(join(dir, `state-${String(files++).padStart(3, '0')}.yaml`), documents.join('---\n'));
    documents = [];
  };
  for (const object of syntheticObjects(size)) {
    if (object.kind === 'Namespace' && objects > 0 && documents.length >= 500 * (size.policiesPerNamespace + size.bindingsPerNamespace + 1)) flush();
    documents.push(stringify(object));
    objects++;
  }
  flush();
  return { files, objects };
}
