// Where each kind netguard caches lives in the Kubernetes API, and how its objects are keyed.
import type { StoredKind } from '../store.js';

export interface ResourceInfo {
  kind: StoredKind;
  apiVersion: string;
  /** collection path across all namespaces (or of a cluster-scoped kind) */
  listPath: string;
  namespaced: boolean;
  /** collection path inside one namespace (namespaced kinds) */
  inNamespace(namespace: string): string;
  /** path of one object */
  objectPath(namespace: string | undefined, name: string): string;
}

function resource(kind: StoredKind, group: string, plural: string, namespaced: boolean): ResourceInfo {
  const base = group === '' ? '/api/v1' : `/apis/${group}/v1`;
  const enc = encodeURIComponent;
  return {
    kind,
    apiVersion: group === '' ? 'v1' : `${group}/v1`,
    listPath: `${base}/${plural}`,
    namespaced,
    inNamespace: (namespace) => `${base}/namespaces/${enc(namespace)}/${plural}`,
    objectPath: (namespace, name) =>
      namespaced ? `${base}/namespaces/${enc(namespace ?? 'default')}/${plural}/${enc(name)}` : `${base}/${plural}/${enc(name)}`,
  };
}

const RBAC = 'rbac.authorization.k8s.io';

export const RESOURCES: Readonly<Record<StoredKind, ResourceInfo>> = {
  Namespace: resource('Namespace', '', 'namespaces', false),
  Pod: resource('Pod', '', 'pods', true),
  NetworkPolicy: resource('NetworkPolicy', 'networking.k8s.io', 'networkpolicies', true),
  Role: resource('Role', RBAC, 'roles', true),
  ClusterRole: resource('ClusterRole', RBAC, 'clusterroles', false),
  RoleBinding: resource('RoleBinding', RBAC, 'rolebindings', true),
  ClusterRoleBinding: resource('ClusterRoleBinding', RBAC, 'clusterrolebindings', false),
};

/** `namespace/name`, or `name` for cluster-scoped kinds: the key the store and the caches share. */
export function objectKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${namespace ?? 'default'}/${name}` : name;
}
