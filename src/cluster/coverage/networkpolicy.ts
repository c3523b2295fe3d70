// Kubernetes NetworkPolicy (networking.k8s.io/v1, namespaced).
// Reads: spec.podSelector, spec.policyTypes, spec.ingress, spec.egress.
// Counts for a direction when podSelector is empty ({} or null: every pod of the namespace), the
// direction is selected as the API server defaults policyTypes — Ingress when policyTypes holds it
// or is absent/empty; Egress when policyTypes holds it, or policyTypes is absent/empty and `egress`
// holds at least one rule (so `egress: []` alone selects nothing) — and the direction's rule list is
// absent or empty. `ingress: [{}]` allows every peer: not a deny.
import type { Direction } from '../../config/types.js';
import { isRecord } from '../objects.js';
import { isEmptySelector } from '../selectors.js';
import { NO_NAMESPACE_COVERAGE, type Coverage } from './types.js';

const none = (rules: unknown): boolean => rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);

/** Directions this NetworkPolicy denies by default for every pod in its namespace. */
export function networkPolicyDenies(policy: unknown): Direction[] {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  if (!isRecord(spec) || !isEmptySelector(spec['podSelector'])) return [];
  const types = Array.isArray(spec['policyTypes']) && spec['policyTypes'].length > 0 ? spec['policyTypes'] : undefined;
  const selectsIngress = types ? types.includes('Ingress') : true;
  const selectsEgress = types ? types.includes('Egress') : !none(spec['egress']);
  const directions: Direction[] = [];
  if (selectsIngress && none(spec['ingress'])) directions.push('Ingress');
  if (selectsEgress && none(spec['egress'])) directions.push('Egress');
  return directions;
}

export function networkPolicyCoverage(policy: unknown): Coverage {
  const directions = networkPolicyDenies(policy);
  // most policies allow rather than deny: those share one empty coverage in the store
  return directions.length > 0 ? { scope: 'namespace', directions } : NO_NAMESPACE_COVERAGE;
}
