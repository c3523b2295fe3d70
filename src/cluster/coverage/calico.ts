// Calico: NetworkPolicy (namespaced) and GlobalNetworkPolicy, served as projectcalico.org/v3 (the
// Calico API server) and as crd.projectcalico.org/v1 (the CRDs behind it).
// Reads: spec.selector, spec.serviceAccountSelector, spec.namespaceSelector (global), spec.types,
// spec.ingress[].action, spec.egress[].action, spec.doNotTrack, spec.preDNAT, metadata.name.
// Counts for a direction when the policy selects every workload of the namespace — `selector` and
// `serviceAccountSelector` empty or `all()`; for a GlobalNetworkPolicy, `namespaceSelector` (absent:
// every namespace) selects the namespace's labels plus `projectcalico.org/name` — the direction is
// in `types` (absent/empty types default as Calico does: Ingress, plus Egress when egress rules
// exist), and the direction has no rule or only `action: Deny` rules (a selected endpoint whose
// traffic matches no rule is dropped at the end of the tier). doNotTrack/preDNAT policies apply to
// host endpoints, never to pods: they never count. Staged policies and tiers are guarded but never
// counted (a staged policy enforces nothing).
// The same policy can be seen twice (projectcalico.org `x` is stored as crd.projectcalico.org
// `default.x`), and Calico can show a Kubernetes NetworkPolicy as `knp.default.x`: `calicoIdentity`
// names them alike so one can never count as "another" policy still covering when the other goes.
import type { Direction } from '../../config/types.js';
import { asArray, isRecord, metaOf } from '../objects.js';
import { calicoMatches, parseCalicoSelector, type CalicoSelector } from './calico-selector.js';
import { DIRECTIONS, NO_CLUSTER_COVERAGE, withNameLabel, type Coverage, type NamespaceView } from './types.js';

/** The label Calico gives every namespace: its name. */
export const CALICO_NAME_LABEL = 'projectcalico.org/name';

/** Parses a selector field; absent or empty is all(); unparsable selects nothing (undefined). */
function selectorOf(value: unknown): CalicoSelector | undefined {
  if (value === undefined || value === null) return { op: 'all' };
  if (typeof value !== 'string') return undefined;
  try {
    return parseCalicoSelector(value);
  } catch {
    return undefined;
  }
}

const selectsAll = (value: unknown) => selectorOf(value)?.op === 'all';

/** Names Calico gives mirrors of Kubernetes objects: never a policy of their own. */
const MIRROR = /^(knp|kns)\./;

function calicoDenies(policy: unknown): Direction[] {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  if (!isRecord(spec) || MIRROR.test(metaOf(policy).name ?? '')) return [];
  if (spec['doNotTrack'] === true || spec['preDNAT'] === true) return [];
  if (!selectsAll(spec['selector']) || !selectsAll(spec['serviceAccountSelector'])) return [];
  const declared = asArray(spec['types']);
  const types =
    declared.length > 0 ? declared : ['Ingress', ...(asArray(spec['egress']).length > 0 ? ['Egress'] : [])];
  return DIRECTIONS.filter(
    (d) => types.includes(d) && asArray(spec[d === 'Ingress' ? 'ingress' : 'egress']).every((rule) => isRecord(rule) && rule['action'] === 'Deny'),
  );
}

export function calicoNetworkPolicyCoverage(policy: unknown): Coverage {
  return { scope: 'namespace', directions: calicoDenies(policy) };
}

export function calicoGlobalCoverage(policy: unknown): Coverage {
  const directions = calicoDenies(policy);
  if (directions.length === 0) return NO_CLUSTER_COVERAGE;
  const spec = isRecord(policy) && isRecord(policy['spec']) ? policy['spec'] : {};
  const namespaces = selectorOf(spec['namespaceSelector'] === '' ? undefined : spec['namespaceSelector']);
  if (!namespaces) return NO_CLUSTER_COVERAGE;
  const selects = (ns: NamespaceView) => calicoMatches(namespaces, { ...withNameLabel(ns), [CALICO_NAME_LABEL]: ns.name });
  return { scope: 'cluster', parts: [{ selects, directions }] };
}

/** One name for the projectcalico.org and crd.projectcalico.org views of the same policy. */
export function calicoIdentity(namespace: string | undefined, name: string): string {
  const plain = name.replace(/^default\./, '');
  return `calico/${namespace ?? ''}/${plain}`;
}

