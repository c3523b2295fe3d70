// Audit objects read from a live cluster: each kind LISTed across all namespaces, 500 per page
// (limit/continue), so a cluster with 100,000 pods is streamed, never held in memory at once.
// Policy CRDs (Cilium, Calico, ClusterNetworkPolicy…) are listed only when discovery says they are served.
import type { KubeObject } from '../cluster/objects.js';
import { isRecord } from '../cluster/objects.js';
import { COVERAGE_KIND_IDS, coverageKind } from '../cluster/coverage/kinds.js';
import { discoverPolicyKinds } from '../cluster/live/discovery.js';
import { ApiError } from '../cluster/live/http.js';
import { clientFor, clusterUnreachable, loadKubeConfig } from '../cluster/live/kubeconfig.js';
import { listPages } from '../cluster/live/paging.js';
import { policyResource, RESOURCES, type ResourceInfo } from '../cluster/live/resources.js';
import { errorText } from '../errors.js';
import type { ObjectFeed } from './feed.js';

/** Per page; a page of 500 pods from a loaded API server can take a few seconds. */
const PAGE_TIMEOUT_MS = 60_000;

export function liveFeed(kubeconfig: string | undefined): ObjectFeed {
  const client = clientFor(loadKubeConfig(kubeconfig));

  async function* listed(resource: ResourceInfo, kind: string): AsyncIterable<KubeObject[]> {
    try {
      for await (const page of listPages(client, resource.listPath, { timeoutMs: PAGE_TIMEOUT_MS })) {
        // List items carry no kind or apiVersion: the list does.
        yield page.items.filter(isRecord).map((item) => ({ ...item, apiVersion: resource.apiVersion, kind }) as KubeObject);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const hint =
        error.statusCode === 401 || error.statusCode === 403
          ? ` netguard audit needs get and list on ${resource.listPath.split('/').pop()} in all namespaces.`
          : '';
      throw clusterUnreachable(`cannot list ${kind} objects from ${client.server}: ${error.message}.${hint}`, error);
    }
  }

  return {
    description: `live cluster ${client.server}`,
    pages: (kind) => listed(RESOURCES[kind], kind),
    async *policyPages() {
      const wanted = COVERAGE_KIND_IDS.filter((id) => !(id in RESOURCES));
      let served: Map<(typeof wanted)[number], string>;
      try {
        served = await discoverPolicyKinds(client, wanted, { timeoutMs: PAGE_TIMEOUT_MS });
      } catch (error) {
        throw clusterUnreachable(`cannot read API discovery (/apis) from ${client.server}: ${errorText(error)}`, error);
      }
      for (const [id, version] of served) yield* listed(policyResource(id, version), coverageKind(id).kind);
    },
  };
}
