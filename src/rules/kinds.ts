// Kinds netguard judges, and where each keeps its pod spec.
import type { AdmissionRequest } from '../admission/types.js';
import { isRecord } from '../cluster/objects.js';
import { policyKindOfRequest } from './policy-resources.js';

export const NETWORKING = 'networking.k8s.io';
export const RBAC = 'rbac.authorization.k8s.io';

/** kind → group, path to its pod spec (as field names) */
export const POD_SPEC_PATHS = {
  Pod: { group: '', path: ['spec'] },
  Deployment: { group: 'apps', path: ['spec', 'template', 'spec'] },
  ReplicaSet: { group: 'apps', path: ['spec', 'template', 'spec'] },
  StatefulSet: { group: 'apps', path: ['spec', 'template', 'spec'] },
  DaemonSet: { group: 'apps', path: ['spec', 'template', 'spec'] },
  Job: { group: 'batch', path: ['spec', 'template', 'spec'] },
  CronJob: { group: 'batch', path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  ReplicationController: { group: '', path: ['spec', 'template', 'spec'] },
} as const;

export type PodBearingKind = keyof typeof POD_SPEC_PATHS;

export const WORKLOAD_KINDS = (Object.keys(POD_SPEC_PATHS) as PodBearingKind[]).filter((k) => k !== 'Pod');

/** Pod CREATE and workload CREATE/UPDATE: what the rules about a pod's ServiceAccount judge. */
export const POD_INTERCEPTS = [
  { group: '', kind: 'Pod', operations: ['CREATE'] as const },
  ...WORKLOAD_KINDS.map((kind) => ({ group: POD_SPEC_PATHS[kind].group, kind, operations: ['CREATE', 'UPDATE'] as const })),
];

export function podBearingKind(request: AdmissionRequest): PodBearingKind | undefined {
  const kind = request.kind.kind as PodBearingKind;
  const entry = POD_SPEC_PATHS[kind];
  return entry && entry.group === request.kind.group ? kind : undefined;
}

/** The pod spec inside an object, and its field path for messages. */
export function podSpecOf(kind: PodBearingKind, object: unknown): { spec: unknown; path: string } {
  const path = POD_SPEC_PATHS[kind].path;
  let node: unknown = object;
  for (const field of path) node = isRecord(node) ? node[field] : undefined;
  return { spec: node, path: path.join('.') };
}

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['/Namespace', `${RBAC}/ClusterRole`, `${RBAC}/ClusterRoleBinding`]);

/** Namespace, ClusterRole, ClusterRoleBinding and the cluster-scoped policy kinds (ClusterNetworkPolicy, …). */
export function isClusterScoped(request: AdmissionRequest): boolean {
  return CLUSTER_SCOPED.has(`${request.kind.group}/${request.kind.kind}`) || policyKindOfRequest(request)?.clusterScoped === true;
}

/** The namespace a request is in (the object's, else the request's). */
export function namespaceOf(request: AdmissionRequest): string {
  const fromObject = request.object?.metadata?.namespace ?? request.oldObject?.metadata?.namespace;
  if (typeof request.namespace === 'string' && request.namespace !== '') return request.namespace;
  return typeof fromObject === 'string' && fromObject !== '' ? fromObject : 'default';
}

/** The object's name for messages: request.name, metadata.name, or generateName. */
export function nameOf(request: AdmissionRequest): string {
  const meta = request.object?.metadata ?? request.oldObject?.metadata;
  if (typeof request.name === 'string' && request.name !== '') return request.name;
  if (typeof meta?.name === 'string' && meta.name !== '') return meta.name;
  if (typeof meta?.['generateName'] === 'string') return `${meta['generateName']}<generated>`;
  return '<unnamed>';
}
