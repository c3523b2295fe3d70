// Facts derived from one object, computed once when the object enters a snapshot.
//
// Default-deny (SPEC): empty podSelector; the direction is selected (Ingress: policyTypes holds it
// or policyTypes is absent; Egress: policyTypes holds it, or policyTypes is absent and `egress` is
// present); and the direction's rule list is absent or empty.
// NetworkPolicy write (SPEC): a rule with apiGroups ∋ networking.k8s.io|*, resources ∋
// networkpolicies|*, verbs ∩ {create, update, patch, delete, deletecollection, *} ≠ ∅.
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

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', '*']);

/** The ClusterRoles Kubernetes ships that grant NetworkPolicy write, present in the state or not. */
export const BUILTIN_NETPOL_WRITERS: ReadonlySet<string> = new Set(['admin', 'edit', 'cluster-admin']);

export function ruleGrantsNetpolWrite(rule: unknown): boolean {
  if (!isRecord(rule)) return false;
  // A rule naming nonResourceURLs is about URLs, never about objects (the API server rejects rules
  // that mix both; judge such a rule as the URL rule it claims to be).
  if (asArray(rule['nonResourceURLs']).length > 0) return false;
  const apiGroups = asArray(rule['apiGroups']);
  const resources = asArray(rule['resources']);
  const verbs = asArray(rule['verbs']);
  return (
    apiGroups.some((g) => g === 'networking.k8s.io' || g === '*') &&
    resources.some((r) => r === 'networkpolicies' || r === '*') &&
    verbs.some((v) => typeof v === 'string' && WRITE_VERBS.has(v))
  );
}

export function roleGrantsNetpolWrite(role: unknown): boolean {
  if (!isRecord(role)) return false;
  if (role['kind'] === 'ClusterRole' && BUILTIN_NETPOL_WRITERS.has(metaOf(role).name ?? '')) return true;
  return asArray(role['rules']).some(ruleGrantsNetpolWrite);
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
