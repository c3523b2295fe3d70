// namespace-default-deny — Pod CREATE and workload CREATE; NetworkPolicy UPDATE/DELETE;
// Namespace CREATE/UPDATE (warnings only).
// Reads the namespace's default-deny NetworkPolicies per direction (empty podSelector, direction
// selected by policyTypes, no rules for it) and, for a Namespace, its netguard.io/mode label and pods.
// Pods and new workloads: allowed when every direction in defaultDeny.directions has at least one
// default-deny policy. NetworkPolicy UPDATE/DELETE: allowed unless it takes away the namespace's
// last default-deny for a direction (a policy that covered nothing, or a namespace that never had
// coverage, is not this rule's business). Namespace opted in or made stricter: warns about the
// missing default-deny and (under pod-service-account's id) existing pods on disallowed
// ServiceAccounts (at most 10 named).
// Nothing is enforced while the namespace is terminating.
import type { AdmissionRequest } from '../admission/types.js';
import { defaultDenyDirections, isTerminating } from '../cluster/facts.js';
import { asString, isRecord, labelsOf, metaOf } from '../cluster/objects.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { MODE_LABEL, namespaceMode, strictness } from '../config/modes.js';
import type { Config, Direction, Mode } from '../config/types.js';
import { nameOf, namespaceOf, NETWORKING, podBearingKind, POD_SPEC_PATHS, WORKLOAD_KINDS } from './kinds.js';
import type { Rule, Violation } from './types.js';
import { listAtMost } from '../util/text.js';

const DIRECTIONS: readonly Direction[] = ['Ingress', 'Egress'];
const MAX_NAMED_PODS = 10;

/** Configured directions in a stable order. */
function configured(config: Config): Direction[] {
  return DIRECTIONS.filter((d) => config.defaultDeny.directions.includes(d));
}

export function missingDirections(namespace: string, snapshot: ClusterSnapshot, config: Config): Direction[] {
  return configured(config).filter((d) => snapshot.denyPolicies(namespace, d).size === 0);
}

/** A one-line `kubectl apply` that creates a minimal default-deny policy for these directions. */
export function defaultDenyHint(namespace: string, directions: readonly Direction[], name = 'default-deny'): string {
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, policyTypes: directions },
  };
  return `echo '${JSON.stringify(policy)}' | kubectl apply -f -`;
}

const joinDirections = (directions: readonly Direction[]) => directions.join(' and ');

function judgePodBearing(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const kind = podBearingKind(request);
  if (!kind) return [];
  const namespace = namespaceOf(request);
  if (snapshot.namespace(namespace)?.terminating) return [];
  const missing = missingDirections(namespace, snapshot, config);
  if (missing.length === 0) return [];
  return [
    {
      rule: 'namespace-default-deny',
      message:
        `namespace "${namespace}" has no default-deny NetworkPolicy for ${joinDirections(missing)} ` +
        `(${kind} "${nameOf(request)}" in namespace "${namespace}"). ` +
        `Create one before deploying, e.g. ${defaultDenyHint(namespace, missing)}, then allow the traffic the workload needs with narrower policies.`,
      absences: [{ kind: 'DefaultDenyPolicy', namespace }],
    },
  ];
}

function judgePolicyChange(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const namespace = namespaceOf(request);
  if (snapshot.namespace(namespace)?.terminating) return [];
  const name = asString(metaOf(request.oldObject).name) || asString(metaOf(request.object).name) || nameOf(request);
  const deleting = request.operation === 'DELETE';
  const before = isRecord(request.oldObject) ? defaultDenyDirections(request.oldObject) : undefined;
  const after = deleting ? [] : defaultDenyDirections(request.object);
  const lost = configured(config).filter((direction) => {
    const denied = before ? before.includes(direction) : snapshot.denyPolicies(namespace, direction).has(name);
    if (!denied || after.includes(direction)) return false;
    return ![...snapshot.denyPolicies(namespace, direction)].some((other) => other !== name);
  });
  if (lost.length === 0) return [];
  const action = deleting ? `deleting NetworkPolicy "${name}"` : `this change to NetworkPolicy "${name}"`;
  const keep = deleting
    ? 'keep this policy'
    : `keep spec.podSelector empty, ${lost.join(' and ')} in spec.policyTypes and no ${lost.map((d) => d.toLowerCase()).join('/')} rules`;
  return [
    {
      rule: 'namespace-default-deny',
      message:
        `${action} would remove the last default-deny for ${joinDirections(lost)} in namespace "${namespace}" ` +
        `(NetworkPolicy "${name}" in namespace "${namespace}"). ` +
        `Create another default-deny policy first, e.g. ${defaultDenyHint(namespace, lost, name === 'default-deny' ? 'default-deny-2' : 'default-deny')}, or ${keep}.`,
      absences: [{ kind: 'DefaultDenyPolicy', namespace }],
    },
  ];
}

const CONSEQUENCE: Record<Mode, string> = {
  disabled: 'allowed',
  audit: 'recorded as audit violations',
  warn: 'admitted with warnings',
  enforce: 'refused',
};

function judgeNamespace(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const object = request.object;
  if (!isRecord(object)) return [];
  const name = asString(metaOf(object).name) || nameOf(request);
  if (isTerminating(object) || snapshot.namespace(name)?.terminating) return [];
  const before: Mode =
    request.operation === 'UPDATE'
      ? isRecord(request.oldObject)
        ? namespaceMode(name, labelsOf(request.oldObject), config).mode
        : namespaceMode(name, snapshot.namespace(name)?.labels, config).mode
      : 'disabled';
  const after = namespaceMode(name, labelsOf(object), config).mode;
  if (strictness(after) <= strictness(before)) return [];
  const where =
    request.operation === 'CREATE'
      ? `new Namespace "${name}" in mode ${after}`
      : `Namespace "${name}" goes from mode ${before} to ${after} through ${MODE_LABEL}`;
  const violations: Violation[] = [];

  const missing = missingDirections(name, snapshot, config);
  if (missing.length > 0) {
    violations.push({
      rule: 'namespace-default-deny',
      warningOnly: true,
      message:
        `namespace "${name}" has no default-deny NetworkPolicy for ${joinDirections(missing)}, so new pods will be ${CONSEQUENCE[after]} (${where}). ` +
        `Create one, e.g. ${defaultDenyHint(name, missing)}.`,
    });
  }

  // a namespace being created has no pods yet (offline, pods among the same manifests are judged themselves)
  const listing = config.rules['pod-service-account'] && request.operation === 'UPDATE' ? snapshot.pods(name) : undefined;
  if (listing) {
    const offenders = listing.pods
      .filter((p) => config.disallowedServiceAccounts.has(p.serviceAccount))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (offenders.length > 0) {
      const accounts = [...new Set(offenders.map((p) => p.serviceAccount))].sort();
      const single = accounts.length === 1;
      const list = listAtMost(
        offenders.map((p) => (single ? p.name : `${p.name} (ServiceAccount "${p.serviceAccount}")`)),
        MAX_NAMED_PODS,
      );
      const partial = listing.complete ? '' : `; the pod listing stopped early: checked the first ${listing.pods.length} pods`;
      const count = offenders.length === 1 ? '1 existing pod runs' : `${offenders.length} existing pods run`;
      const account = single ? `the disallowed ServiceAccount "${accounts[0]}"` : 'disallowed ServiceAccounts';
      // filed under the rule that will refuse those pods, so its cap and exceptions apply to the warning
      violations.push({
        rule: 'pod-service-account',
        warningOnly: true,
        message:
          `${count} under ${account} and would now be ${CONSEQUENCE[after]}: ${list} (${where}${partial}). ` +
          `Give each workload a dedicated ServiceAccount (serviceAccountName in its pod template) and roll it out.`,
      });
    }
  }
  return violations;
}

export const namespaceDefaultDeny: Rule = {
  id: 'namespace-default-deny',
  summary: 'Every governed namespace keeps a default-deny NetworkPolicy: pods wait for one, and the last one stays.',
  intercepts: [
    { group: '', kind: 'Pod', operations: ['CREATE'] },
    ...WORKLOAD_KINDS.map((kind) => ({ group: POD_SPEC_PATHS[kind].group, kind, operations: ['CREATE'] as const })),
    { group: NETWORKING, kind: 'NetworkPolicy', operations: ['UPDATE', 'DELETE'] },
    { group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'] },
  ],
  needs: ['Namespace', 'NetworkPolicy', 'Pod'],
  evaluate({ request, snapshot, config }): Violation[] {
    if (request.kind.kind === 'Namespace' && request.kind.group === '') return judgeNamespace(request, snapshot, config);
    if (request.kind.kind === 'NetworkPolicy' && request.kind.group === NETWORKING) return judgePolicyChange(request, snapshot, config);
    if (request.operation === 'CREATE') return judgePodBearing(request, snapshot, config);
    return [];
  },
};
