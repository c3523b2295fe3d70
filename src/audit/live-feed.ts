// The objects audit, check and writers read from a live cluster: each kind LISTed across all
// namespaces (or in the one namespace audited), 500 per page (limit/continue), so a cluster with
// 100,000 pods is streamed, never held in memory at once. Policy CRDs (Cilium, Calico,
// ClusterNetworkPolicy…) are listed only when discovery says the API server serves them.
import type { KubeObject } from '../cluster/objects.js';
import { isRecord } from '../cluster/objects.js';
import { ApiError } from '../cluster/live/http.js';
import { clientFor, clusterUnreachable, kubeConfigFor, type KubeConfigChoice } from '../cluster/live/kubeconfig.js';
import { listPages } from '../cluster/live/paging.js';
import { isCrdKind, type PolicyKind } from '../cluster/coverage/kinds.js';
import { servedPolicyPages } from '../cluster/live/policy-pages.js';
import { RESOURCES } from '../cluster/live/resources.js';
import type { ObjectFeed } from './feed.js';
import { OWNER_KINDS, type AuditKind } from './types.js';

/** Per page; a page of 500 pods from a loaded API server can take a few seconds. */
const PAGE_TIMEOUT_MS = 60_000;

/** ReplicaSets and Jobs, read only for their owners (not cached by serve, so not in RESOURCES). */
const OWNER_RESOURCES: Record<'ReplicaSet' | 'Job', { apiVersion: string; plural: string }> = {
  ReplicaSet: { apiVersion: 'apps/v1', plural: 'replicasets' },
  Job: { apiVersion: 'batch/v1', plural: 'jobs' },
};

function collection(kind: AuditKind, namespace: string | undefined): { apiVersion: string; path: string; plural: string } {
  if (kind === 'ReplicaSet' || kind === 'Job') {
    const { apiVersion, plural } = OWNER_RESOURCES[kind];
    const where = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    return { apiVersion, plural, path: `/apis/${apiVersion}${where}/${plural}` };
  }
  const resource = RESOURCES[kind];
  const path = namespace !== undefined && resource.namespaced ? resource.inNamespace(namespace) : resource.listPath;
  return { apiVersion: resource.apiVersion, plural: resource.listPath.split('/').pop()!, path };
}

export interface LiveFeedOptions {
  /** the command reading, named in permission hints (`netguard check needs get and list on …`) */
  command: string;
  /** the policy kinds policyPages reads where the API server serves them */
  policyKinds: readonly PolicyKind[];
}

export function liveFeed(choice: KubeConfigChoice, options: LiveFeedOptions): ObjectFeed {
  const client = clientFor(kubeConfigFor(choice));
  // the built-in NetworkPolicy comes through pages(); the CRD kinds through discovery
  const crdKinds = options.policyKinds.filter(isCrdKind);
  const notes: string[] = [];
  return {
    description: `live cluster ${client.server}`,
    notes,
    async *pages(kind, namespace) {
      const { apiVersion, path, plural } = collection(kind, namespace);
      try {
        for await (const page of listPages(client, path, { timeoutMs: PAGE_TIMEOUT_MS })) {
          // List items carry no kind or apiVersion: the list does.
          yield page.items.filter(isRecord).map((item) => ({ apiVersion, ...item, kind }) as KubeObject);
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (OWNER_KINDS.has(kind) && [401, 403, 404].includes(error.statusCode ?? 0)) {
          notes.push(`could not list ${plural} (${error.message}): pods are reported under their ${kind} rather than the workload above it.`);
          return;
        }
        const hint =
          error.statusCode === 401 || error.statusCode === 403
            ? ` netguard ${options.command} needs get and list on ${plural} ${namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`}.`
            : '';
        throw clusterUnreachable(`cannot list ${kind} objects from ${client.server}: ${error.message}.${hint}`, error);
      }
    },
    policyPages() {
      return servedPolicyPages(client, crdKinds, options.command);
    },
  };
}
