// Cilium (cilium.io/v2): CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy.
// Reads: spec and specs[] — endpointSelector (nodeSelector policies are host policies: never
// count), ingress/egress, ingressDeny/egressDeny, enableDefaultDeny.{ingress,egress}.
// A rule (spec) counts for a direction when its endpointSelector selects every pod of the namespace
// — empty, or only requirements on the pod's namespace (`k8s:io.kubernetes.pod.namespace`; for the
// clusterwide kind also the namespace's labels, `k8s:io.cilium.k8s.namespace.labels.<key>`) — and
// either
//   - the direction's section (`ingress`/`egress`) has at least one rule and every rule is empty
//     (`[{}]`: in Cilium an empty rule selects the endpoint and allows nothing), and
//     `enableDefaultDeny.<direction>` is not false; or
//   - the direction's deny section (`ingressDeny`/`egressDeny`) has a rule whose only field is
//     `fromEntities`/`toEntities` holding `all` (a deny of every peer on every port).
// Additive allow rules elsewhere do not undo the deny-by-default (what they open is `reach`'s business).
import type { Direction } from '../../config/types.js';
import { asArray, isRecord } from '../objects.js';
import { compileSelector } from '../selectors.js';
import { DIRECTIONS, NO_CLUSTER_COVERAGE, withNameLabel, type ClusterPart, type Coverage, type NamespaceView } from './types.js';

const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS = 'io.cilium.k8s.namespace.labels.';

/** Cilium label keys carry an optional source prefix (`k8s:`, `any:`). */
function unprefixed(key: string): string {
  const colon = key.indexOf(':');
  return colon >= 0 && /^(k8s|any)$/.test(key.slice(0, colon)) ? key.slice(colon + 1) : key;
}

/**
 * Which namespaces' pods the endpointSelector selects in full, or undefined when it also looks at pod
 * labels (it then selects only some pods) or is malformed.
 */
function namespacesSelected(selector: unknown, namespaceLabels: boolean): ((ns: NamespaceView) => boolean) | undefined {
  if (!isRecord(selector)) return undefined;
  const compiled = compileSelector(selector);
  if (!compiled.valid) return undefined;
  if (compiled.empty) return () => true;
  const requirements = compiled.requirements.map((r) => ({ ...r, key: unprefixed(r.key) }));
  const onNamespace = requirements.every((r) => r.key === NAMESPACE_KEY || (namespaceLabels && r.key.startsWith(NAMESPACE_LABELS)));
  if (!onNamespace) return undefined;
  const rewritten = compileSelector({
    matchExpressions: requirements.map((r) => ({ key: r.key, operator: r.operator, ...(r.values.length > 0 ? { values: r.values } : {}) })),
  });
  return (ns) => {
    const labels: Record<string, string> = { [NAMESPACE_KEY]: ns.name };
    for (const [key, value] of Object.entries(withNameLabel(ns))) labels[NAMESPACE_LABELS + key] = value;
    return rewritten.matches(labels);
  };
}

const emptyRule = (rule: unknown) => isRecord(rule) && Object.keys(rule).length === 0;

function deniesAll(rule: unknown, direction: Direction): boolean {
  if (!isRecord(rule)) return false;
  const field = direction === 'Ingress' ? 'fromEntities' : 'toEntities';
  return Object.keys(rule).every((key) => key === field) && asArray(rule[field]).includes('all');
}

function specDenies(spec: Record<string, unknown>): Direction[] {
  const enable = isRecord(spec['enableDefaultDeny']) ? spec['enableDefaultDeny'] : {};
  return DIRECTIONS.filter((direction) => {
    const lower = direction === 'Ingress' ? 'ingress' : 'egress';
    const rules = asArray(spec[lower]);
    const defaultDeny = enable[lower] !== false && rules.length > 0 && rules.every(emptyRule);
    return defaultDeny || asArray(spec[`${lower}Deny`]).some((rule) => deniesAll(rule, direction));
  });
}

function specsOf(policy: unknown): Record<string, unknown>[] {
  if (!isRecord(policy)) return [];
  return [policy['spec'], ...asArray(policy['specs'])].filter(isRecord);
}

function parts(policy: unknown, clusterwide: boolean): ClusterPart[] {
  return specsOf(policy).flatMap((spec): ClusterPart[] => {
    if (spec['nodeSelector'] !== undefined) return [];
    const selects = namespacesSelected(spec['endpointSelector'], clusterwide);
    const directions = specDenies(spec);
    return selects && directions.length > 0 ? [{ selects, directions }] : [];
  });
}

export function ciliumNetworkPolicyCoverage(policy: unknown, namespace: string): Coverage {
  const own: NamespaceView = { name: namespace, labels: {} };
  const found = new Set(parts(policy, false).flatMap((part) => (part.selects(own) ? part.directions : [])));
  return { scope: 'namespace', directions: DIRECTIONS.filter((d) => found.has(d)) };
}

export function ciliumClusterwideCoverage(policy: unknown): Coverage {
  const found = parts(policy, true);
  return found.length > 0 ? { scope: 'cluster', parts: found } : NO_CLUSTER_COVERAGE;
}
