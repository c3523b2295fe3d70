// What a reachability question is asked of: endpoints, Kubernetes NetworkPolicies, and the
// policies of other APIs that the engine does not model (recognised by group and resource, never
// by kind alone: a projectcalico.org NetworkPolicy is not a Kubernetes one).
import type { PolicyResource } from '../config/types.js';
import { metaOf, type KubeObject } from '../cluster/objects.js';
import { endpointsOf, groupOf, type Endpoint } from './endpoints.js';
import { compilePolicy, isKubernetesNetworkPolicy, type Policy } from './policies.js';

export interface ReachState {
  endpoints: Endpoint[];
  policies: Policy[];
  /** `group/Kind namespace/name` of each policy of another API */
  notModelled: string[];
}

/** `NetworkPolicy` → `networkpolicies`, `Tier` → `tiers`: the resource a kind is served as. */
function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

export function reachState(objects: readonly KubeObject[], defaultNamespace: string, policyResources: readonly PolicyResource[]): ReachState {
  const otherApis = new Set(policyResources.map((r) => `${r.group}/${r.resource}`));
  // the same object read twice (a file and --state) counts once; the last reading wins
  const policies = new Map<string, Policy>();
  const notModelled: string[] = [];
  for (const object of objects) {
    if (isKubernetesNetworkPolicy(object)) {
      const policy = compilePolicy(object, defaultNamespace);
      if (policy) policies.set(policy.key, policy);
    } else if (object.kind && otherApis.has(`${groupOf(object)}/${resourceOf(object.kind)}`)) {
      const meta = metaOf(object);
      notModelled.push(`${groupOf(object)}/${object.kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}`);
    }
  }
  const endpoints = new Map<string, Endpoint>();
  for (const endpoint of endpointsOf(objects, defaultNamespace)) endpoints.set(endpoint.id, endpoint);
  return { endpoints: [...endpoints.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), policies: [...policies.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), notModelled: notModelled.sort() };
}
