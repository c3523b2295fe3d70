// Builds AdmissionRequests the way kube-apiserver fills them, from plain objects.
import type { AdmissionRequest, Operation, UserInfo } from '../../src/admission/types.js';
import { pluralOf } from '../../src/check/request.js';
import { policyKindOf } from '../../src/cluster/coverage/kinds.js';
import type { KubeObject } from '../../src/cluster/objects.js';

let counter = 0;

export interface RequestOptions {
  operation?: Operation;
  oldObject?: KubeObject;
  user?: UserInfo;
  namespace?: string;
  subResource?: string;
  dryRun?: boolean;
}

function groupVersion(apiVersion: string | undefined): { group: string; version: string } {
  const [first = 'v1', second] = (apiVersion ?? 'v1').split('/');
  return second === undefined ? { group: '', version: first } : { group: first, version: second };
}

const PLURALS: Record<string, string> = { NetworkPolicy: 'networkpolicies' };

/** The resource the API server routes a kind under: policy kinds by group (Calico's NetworkPolicy too). */
function resourceOf(group: string, kind: string): string {
  return policyKindOf(group, kind)?.resource ?? PLURALS[kind] ?? pluralOf(kind);
}

export function makeRequest(object: KubeObject | undefined, options: RequestOptions = {}): AdmissionRequest {
  const operation = options.operation ?? 'CREATE';
  const source = object ?? options.oldObject;
  if (!source) throw new Error('makeRequest needs an object or an oldObject');
  const { group, version } = groupVersion(source.apiVersion);
  const kind = source.kind ?? 'Unknown';
  const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(kind) || policyKindOf(group, kind)?.clusterScoped === true;
  const namespace = options.namespace ?? (clusterScoped ? (kind === 'Namespace' ? source.metadata?.name : undefined) : (source.metadata?.namespace ?? 'default'));
  return {
    uid: `test-${++counter}`,
    kind: { group, version, kind },
    resource: { group, version, resource: resourceOf(group, kind) },
    ...(options.subResource ? { subResource: options.subResource } : {}),
    name: source.metadata?.name ?? '',
    ...(namespace ? { namespace } : {}),
    operation,
    userInfo: options.user ?? { username: 'bob@example.com', groups: ['system:authenticated'] },
    object: operation === 'DELETE' ? null : (object ?? null),
    oldObject: operation === 'CREATE' ? null : (options.oldObject ?? null),
    dryRun: options.dryRun ?? false,
  };
}
