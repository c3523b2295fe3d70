// The objects of the network-policy CRDs a command reads from a live cluster (audit, check, reach):
// discovery first, then a paged LIST of each kind the API server serves. A kind not served is never
// listed, so a cluster without Cilium or Calico costs one discovery round and nothing fails.
import type { PolicyKind } from '../coverage/kinds.js';
import { isRecord, type KubeObject } from '../objects.js';
import { errorText } from '../../errors.js';
import { discoverServedKinds } from './discovery.js';
import { ApiError, type KubeClient } from './http.js';
import { clusterUnreachable } from './kubeconfig.js';
import { listPages } from './paging.js';

/** Per request; a page of 500 from a loaded API server can take a few seconds. */
const TIMEOUT_MS = 60_000;

/** Pages of the served kinds' objects, each with apiVersion (at the served version) and kind set. */
export async function* servedPolicyPages(client: KubeClient, kinds: readonly PolicyKind[], command: string): AsyncGenerator<KubeObject[]> {
  let served: Map<PolicyKind, string>;
  try {
    served = await discoverServedKinds(client, kinds, { timeoutMs: TIMEOUT_MS });
  } catch (error) {
    throw clusterUnreachable(`cannot read API discovery (/apis) from ${client.server}: ${errorText(error)}`, error);
  }
  for (const [kind, version] of served) {
    const apiVersion = `${kind.group}/${version}`;
    try {
      for await (const page of listPages(client, `/apis/${apiVersion}/${kind.resource}`, { timeoutMs: TIMEOUT_MS })) {
        // list items carry no kind or apiVersion: the list does
        yield page.items.filter(isRecord).map((item) => ({ ...item, apiVersion, kind: kind.kind }) as KubeObject);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const hint = error.statusCode === 401 || error.statusCode === 403 ? ` netguard ${command} needs get and list on ${kind.resource}.${kind.group}.` : '';
      throw clusterUnreachable(`cannot list ${kind.kind} (${apiVersion}) objects from ${client.server}: ${error.message}.${hint}`, error);
    }
  }
}
