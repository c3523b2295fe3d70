// Where each kind netguard caches lives in the Kubernetes API, and how its objects are keyed.
import { coverageKind, type CoverageKindId } from '../coverage/kinds.js';
import { isNamespacedKind, type StoredKind } from '../store.js';

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

function resource(kind: StoredKind, group: string, plural: string, namespaced: boolean, version = 'v1'): ResourceInfo {
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const enc = encodeURIComponent;
  return {
    kind,
    apiVersion: group === '' ? version : `${group}/${version}`,
    listPath: `${base}/${plural}`,
    namespaced,
    inNamespace: (namespace) => `${base}/namespaces/${enc(namespace)}/${plural}`,
    objectPath: (namespace, name) =>
      namespaced ? `${base}/namespaces/${enc(namespace ?? 'default')}/${plural}/${enc(name)}` : `${base}/${plural}/${enc(name)}`,
  };
}

const RBAC = 'rbac.authorization.k8s.io';

export const RESOURCES = {
  Namespace: resource('Namespace', '', 'namespaces', false),
  Pod: resource('Pod', '', 'pods', true),
  NetworkPolicy: resource('NetworkPolicy', 'networking.k8s.io', 'networkpolicies', true),
  Role: resource('Role', RBAC, 'roles', true),
  ClusterRole: resource('ClusterRole', RBAC, 'clusterroles', false),
  RoleBinding: resource('RoleBinding', RBAC, 'rolebindings', true),
  ClusterRoleBinding: resource('ClusterRoleBinding', RBAC, 'clusterrolebindings', false),
} as const satisfies Readonly<Record<string, ResourceInfo>>;

/** A policy kind read for coverage, at the version discovery found served (default: its first known one). */
export function policyResource(kindId: CoverageKindId, version?: string): ResourceInfo {
  const kind = coverageKind(kindId);
  return resource(kindId, kind.group, kind.resource, !kind.clusterScoped, version ?? kind.versions[0]);
}

/** Where a stored kind lives (policy kinds at their first known version). */
export function resourceOf(kind: StoredKind): ResourceInfo {
  return kind in RESOURCES ? RESOURCES[kind as keyof typeof RESOURCES] : policyResource(kind as CoverageKindId);
}

/** `namespace/name`, or `name` for cluster-scoped kinds: the key the store and the caches share. */
export function objectKey(kind: StoredKind, namespace: string | undefined, name: string): string {
  return isNamespacedKind(kind) ? `${namespace ?? 'default'}/${name}` : name;
}
