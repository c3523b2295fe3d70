// API discovery for the network-policy kinds: which of them the API server serves, and at which
// version. A CRD installed later (Cilium, Calico, sig-network's ClusterNetworkPolicy) shows up at the
// next discovery; one removed disappears from it.
import { asArray, asString, isRecord } from '../objects.js';
import { coverageKind, type CoverageKindId, type PolicyKind } from '../coverage/kinds.js';
import type { KubeClient } from './http.js';

export interface DiscoveryOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Served kinds → version. Throws when /apis cannot be read (the caller keeps what it had). */
export async function discoverServedKinds(client: KubeClient, wanted: readonly PolicyKind[], options: DiscoveryOptions): Promise<Map<PolicyKind, string>> {
  const served = new Map<PolicyKind, string>();
  if (wanted.length === 0) return served;
  const get = (path: string) => client.getJson(path, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const root = await get('/apis');
  const groups = asArray(isRecord(root) ? root['groups'] : []);
  for (const group of groups) {
    if (!isRecord(group)) continue;
    const name = asString(group['name']);
    const pending = wanted.filter((kind) => kind.group === name);
    if (pending.length === 0) continue;
    const preferred = isRecord(group['preferredVersion']) ? asString(group['preferredVersion']['version']) : undefined;
    const versions = asArray(group['versions']).flatMap((v) => (isRecord(v) && typeof v['version'] === 'string' ? [v['version']] : []));
    for (const version of [...(preferred ? [preferred] : []), ...versions.filter((v) => v !== preferred)]) {
      const missing = pending.filter((kind) => !served.has(kind));
      if (missing.length === 0) break;
      const list = await get(`/apis/${name}/${version}`);
      const resources = new Set(asArray(isRecord(list) ? list['resources'] : []).flatMap((r) => (isRecord(r) && typeof r['name'] === 'string' ? [r['name']] : [])));
      for (const kind of missing) if (resources.has(kind.resource)) served.set(kind, version);
    }
  }
  return served;
}

/** The same, for the kinds read for coverage, by store id. */
export async function discoverPolicyKinds(client: KubeClient, wanted: readonly CoverageKindId[], options: DiscoveryOptions): Promise<Map<CoverageKindId, string>> {
  const served = await discoverServedKinds(client, wanted.map(coverageKind), options);
  return new Map([...served].map(([kind, version]) => [kind.coverage!.id, version]));
}
