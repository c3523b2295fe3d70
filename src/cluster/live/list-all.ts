// Every object of some kinds from a live cluster, LISTed across all namespaces page by page
// (limit/continue), each item given the kind and apiVersion its list carries.
import { isRecord, type KubeObject } from '../objects.js';
import { ApiError, type KubeClient } from './http.js';
import { clusterUnreachable } from './kubeconfig.js';
import { listPages } from './paging.js';

export interface ListedKind {
  kind: string;
  apiVersion: string;
  /** collection path across all namespaces, e.g. `/apis/apps/v1/deployments` */
  path: string;
}

const PAGE_TIMEOUT_MS = 60_000;

export async function listAll(client: KubeClient, kinds: readonly ListedKind[], command: string): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const { kind, apiVersion, path } of kinds) {
    try {
      for await (const page of listPages(client, path, { timeoutMs: PAGE_TIMEOUT_MS })) {
        for (const item of page.items) if (isRecord(item)) objects.push({ apiVersion, ...item, kind } as KubeObject);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const hint = error.statusCode === 401 || error.statusCode === 403 ? ` netguard ${command} needs get and list on ${path.split('/').pop()} in all namespaces.` : '';
      throw clusterUnreachable(`cannot list ${kind} objects from ${client.server}: ${error.message}.${hint}`, error);
    }
  }
  return objects;
}
