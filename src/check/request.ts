// Turns a manifest object into the AdmissionRequest kube-apiserver would send for `kubectl create`:
// group/version/kind from apiVersion/kind, the plural resource, the namespace the object lands in
// (filled into metadata as the API server does), and the requester.
import type { AdmissionRequest, UserInfo } from '../admission/types.js';
import { policyKindOf } from '../cluster/coverage/kinds.js';
import type { KubeObject } from '../cluster/objects.js';

/** Kinds that have no namespace; everything else netguard judges is namespaced. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/** RFC 1123 label, what the API server accepts as a namespace name. */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether a kind has no namespace; policy kinds are told apart by group (give the apiVersion). */
export function isClusterScoped(kind: string | undefined, apiVersion?: string): boolean {
  if (kind === undefined) return false;
  const policy = apiVersion !== undefined ? policyKindOf(groupVersionOf(apiVersion).group, kind) : undefined;
  return policy ? policy.clusterScoped : CLUSTER_SCOPED.has(kind);
}

export function groupVersionOf(apiVersion: string | undefined): { group: string; version: string } {
  const text = apiVersion ?? '';
  const slash = text.indexOf('/');
  return slash < 0 ? { group: '', version: text } : { group: text.slice(0, slash), version: text.slice(slash + 1) };
}

/** The resource name the API server routes the kind under (NetworkPolicy → networkpolicies). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/**
 * The namespace an object belongs to: its own metadata.namespace, else the default one (as kubectl
 * does with --namespace). A Namespace "belongs to" itself, which is how the API server fills
 * `request.namespace` for it; other cluster-scoped objects have none.
 */
export function namespaceFor(object: KubeObject, defaultNamespace: string): string | undefined {
  const meta = object.metadata ?? {};
  if (object.kind === 'Namespace') return typeof meta.name === 'string' ? meta.name : undefined;
  if (isClusterScoped(object.kind, object.apiVersion)) return undefined;
  return typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
}

/**
 * Impersonation as kube-apiserver resolves it: the named user and groups, plus
 * `system:authenticated`, which the API server adds to every impersonated user but anonymous.
 */
export function impersonatedUser(username: string | undefined, groups: readonly string[]): UserInfo {
  if (username === undefined) return {};
  const all = [...groups];
  if (username !== 'system:anonymous' && !all.includes('system:authenticated')) all.push('system:authenticated');
  return { username, groups: all };
}

export function createRequest(object: KubeObject, defaultNamespace: string, user: UserInfo, uid: string): AdmissionRequest {
  const kind = object.kind ?? '';
  const { group, version } = groupVersionOf(object.apiVersion);
  const namespace = namespaceFor(object, defaultNamespace);
  const meta = object.metadata ?? {};
  const placed: KubeObject =
    namespace !== undefined && !isClusterScoped(kind, object.apiVersion) ? { ...object, metadata: { ...meta, namespace } } : object;
  return {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource: policyKindOf(group, kind)?.resource ?? pluralOf(kind) },
    name: typeof meta.name === 'string' ? meta.name : '',
    ...(namespace !== undefined ? { namespace } : {}),
    operation: 'CREATE',
    userInfo: user,
    object: placed,
    oldObject: null,
    dryRun: false,
  };
}
