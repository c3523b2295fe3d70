// Kubernetes sig-network cluster-scoped policy (policy.networking.k8s.io):
// ClusterNetworkPolicy (v1alpha2, `spec.tier: Admin | Baseline`), AdminNetworkPolicy and
// BaselineAdminNetworkPolicy (v1alpha1).
// Reads: spec.tier (ClusterNetworkPolicy), spec.subject.namespaces | spec.subject.pods
// {namespaceSelector, podSelector}, spec.ingress[] / spec.egress[] {action, from | to, anything else}.
// Counts for a namespace and direction when the subject selects every pod of the namespace (a
// `namespaces` selector matching the namespace's labels, or `pods` with an empty podSelector and a
// namespaceSelector matching them) and one rule of the direction has action `Deny`, no other
// narrowing field (ports, protocols…), and peers that cover every source (ingress: `namespaces: {}`,
// or `pods` with both selectors empty) or every destination (egress: `networks` whose union covers
// 0.0.0.0/0 and ::/0, alone or beside `namespaces: {}`). `Accept`/`Allow`/`Pass` never count; an
// unknown tier never counts. Rules before the Deny that allow some traffic do not undo it: coverage
// is about deny-by-default existing, and what allows open is `reach`'s business.
import type { Direction } from '../../config/types.js';
import { asArray, isRecord } from '../objects.js';
import { compileSelector, type CompiledSelector } from '../selectors.js';
import { coversFamily, parseCidr, type Cidr } from '../../util/cidr.js';
import { DIRECTIONS, NO_CLUSTER_COVERAGE, withNameLabel, type Coverage, type NamespaceView } from './types.js';

const TIERS = new Set(['Admin', 'Baseline']);
/** Fields a Deny rule may carry without narrowing what it denies. */
const RULE_FIELDS = { Ingress: new Set(['name', 'action', 'from']), Egress: new Set(['name', 'action', 'to']) };

/** The namespaces whose every pod the subject selects; undefined when it selects no whole namespace. */
function subjectNamespaces(subject: unknown): CompiledSelector | undefined {
  if (!isRecord(subject)) return undefined;
  const namespaces = subject['namespaces'] ?? undefined;
  const pods = subject['pods'] ?? undefined;
  if ((namespaces === undefined) === (pods === undefined)) return undefined;
  if (namespaces !== undefined) {
    const selector = compileSelector(namespaces);
    return selector.valid ? selector : undefined;
  }
  if (!isRecord(pods) || !compileSelector(pods['podSelector']).empty) return undefined;
  const selector = compileSelector(pods['namespaceSelector']);
  return selector.valid ? selector : undefined;
}

const emptySelector = (value: unknown) => isRecord(value) && compileSelector(value).empty;

function everySource(peer: unknown): boolean {
  if (!isRecord(peer)) return false;
  if (emptySelector(peer['namespaces'])) return true;
  const pods = peer['pods'];
  return isRecord(pods) && emptySelector(pods['namespaceSelector'] ?? {}) && emptySelector(pods['podSelector'] ?? {});
}

function everyDestination(peers: readonly unknown[]): boolean {
  const cidrs = peers.flatMap((peer) => (isRecord(peer) ? asArray(peer['networks']) : []))
    .map((text) => (typeof text === 'string' ? parseCidr(text) : undefined))
    .filter((c): c is Cidr => c !== undefined);
  return coversFamily(cidrs, 4) && coversFamily(cidrs, 6);
}

function deniesEverything(rule: unknown, direction: Direction): boolean {
  if (!isRecord(rule) || rule['action'] !== 'Deny') return false;
  if (Object.keys(rule).some((field) => !RULE_FIELDS[direction].has(field))) return false;
  const peers = asArray(rule[direction === 'Ingress' ? 'from' : 'to']);
  if (peers.length === 0) return false;
  return direction === 'Ingress' ? peers.some(everySource) : everyDestination(peers);
}

/** ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy alike (tier checked by the caller). */
function subjectCoverage(spec: Record<string, unknown>): Coverage {
  const namespaces = subjectNamespaces(spec['subject']);
  if (!namespaces) return NO_CLUSTER_COVERAGE;
  const directions = DIRECTIONS.filter((d) => asArray(spec[d === 'Ingress' ? 'ingress' : 'egress']).some((rule) => deniesEverything(rule, d)));
  if (directions.length === 0) return NO_CLUSTER_COVERAGE;
  return { scope: 'cluster', parts: [{ selects: (ns: NamespaceView) => namespaces.matches(withNameLabel(ns)), directions }] };
}

export function clusterNetworkPolicyCoverage(policy: unknown): Coverage {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  if (!isRecord(spec) || typeof spec['tier'] !== 'string' || !TIERS.has(spec['tier'])) return NO_CLUSTER_COVERAGE;
  return subjectCoverage(spec);
}

export function adminNetworkPolicyCoverage(policy: unknown): Coverage {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  return isRecord(spec) ? subjectCoverage(spec) : NO_CLUSTER_COVERAGE;
}
