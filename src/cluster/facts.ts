// Facts derived from one object, computed once when the object enters a snapshot.
//
// Default-deny (SPEC): empty podSelector; the direction is selected (Ingress: policyTypes holds it
// or policyTypes is absent; Egress: policyTypes holds it, or policyTypes is absent and `egress` is
// present); and the direction's rule list is absent or empty.
// (Network-policy write is resolved in src/rbac/, against the config.)
import type { Direction } from '../config/types.js';
import { asArray, asString, isRecord, labelsOf, metaOf, type KubeObject, type Subject } from './objects.js';

function isEmptySelector(selector: unknown): boolean {
  // An absent podSelector is the empty one: the API server decodes and stores it as `{}`.
  if (selector === undefined || selector === null) return true;
  if (!isRecord(selector)) return false;
  const matchLabels = selector['matchLabels'];
  const matchExpressions = selector['matchExpressions'];
  const noLabels = matchLabels === undefined || matchLabels === null || (isRecord(matchLabels) && Object.keys(matchLabels).length === 0);
  const noExpressions = matchExpressions === undefined || matchExpressions === null || (Array.isArray(matchExpressions) && matchExpressions.length === 0);
  return noLabels && noExpressions;
}

function allowsNothing(rules: unknown): boolean {
  return rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);
}

/** Directions this NetworkPolicy denies by default for every pod in its namespace. */
export function defaultDenyDirections(policy: unknown): Direction[] {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  if (!isRecord(spec) || !isEmptySelector(spec['podSelector'])) return [];
  // An empty policyTypes list is the same as none (the API server defaults both alike), and a null
  // `egress` is an absent one.
  const policyTypes = Array.isArray(spec['policyTypes']) && spec['policyTypes'].length > 0 ? spec['policyTypes'] : undefined;
  const selectsIngress = policyTypes ? policyTypes.includes('Ingress') : true;
  const selectsEgress = policyTypes ? policyTypes.includes('Egress') : spec['egress'] !== undefined && spec['egress'] !== null;
  const directions: Direction[] = [];
  if (selectsIngress && allowsNothing(spec['ingress'])) directions.push('Ingress');
  if (selectsEgress && allowsNothing(spec['egress'])) directions.push('Egress');
  return directions;
}

export function subjectsOf(binding: unknown): Subject[] {
  if (!isRecord(binding)) return [];
  return asArray(binding['subjects']).flatMap((s): Subject[] => {
    if (!isRecord(s)) return [];
    const kind = asString(s['kind']);
    const name = asString(s['name']);
    if (!kind || !name) return [];
    const namespace = asString(s['namespace']);
    return [{ kind, name, ...(namespace ? { namespace } : {}) }];
  });
}

export function isTerminating(namespace: KubeObject): boolean {
  const status = namespace['status'];
  return Boolean(metaOf(namespace).deletionTimestamp) || (isRecord(status) && status['phase'] === 'Terminating');
}

export { labelsOf };
