// Audit objects read from a live cluster: each kind LISTed across all namespaces, 500 per page
// (limit/continue), so a cluster with 100,000 pods is streamed, never held in memory at once.
import type { KubeObject } from '../cluster/objects.js';
import { isRecord } from '../cluster/objects.js';
import { ApiError } from '../cluster/live/http.js';
import { clientFor, clusterUnreachable, loadKubeConfig } from '../cluster/live/kubeconfig.js';
import { listPages } from '../cluster/live/paging.js';
import { RESOURCES } from '../cluster/live/resources.js';
import type { ObjectFeed } from './feed.js';

/** Per page; a page of 500 pods from a loaded API server can take a few seconds. */
const PAGE_TIMEOUT_MS = 60_000;

export function liveFeed(kubeconfig: string | undefined): ObjectFeed {
  const client = clientFor(loadKubeConfig(kubeconfig));
  return {
    description: `live cluster ${client.server}`,
    async *pages(kind) {
      const resource = RESOURCES[kind];
      try {
        for await (const page of listPages(client, resource.listPath, { timeoutMs: PAGE_TIMEOUT_MS })) {
          // List items carry no kind or apiVersion: the list does.
          yield page.items.filter(isRecord).map((item) => ({ apiVersion: resource.apiVersion, ...item, kind }) as KubeObject);
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const hint =
          error.statusCode === 401 || error.statusCode === 403
            ? ` netguard audit needs get and list on ${resource.listPath.split('/').pop()} in all namespaces.`
            : '';
        throw clusterUnreachable(`cannot list ${kind} objects from ${client.server}: ${error.message}.${hint}`, error);
      }
    },
  };
}
