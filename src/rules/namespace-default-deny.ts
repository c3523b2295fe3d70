// namespace-default-deny — Pod CREATE and workload CREATE; UPDATE/DELETE of every policy resource;
// Namespace CREATE/UPDATE (warnings only).
// Reads the namespace's default-deny coverage per direction from every recognised policy API
// (src/cluster/coverage/: NetworkPolicy, ClusterNetworkPolicy/AdminNetworkPolicy/
// BaselineAdminNetworkPolicy, Cilium, Calico — the kinds whose resource is guarded) and, for a
// Namespace, its netguard.io/mode label and pods.
// Pods and new workloads: allowed when every direction in defaultDeny.directions is covered.
// Policy UPDATE/DELETE: allowed unless it takes away the last coverage of a direction from a
// namespace that had it (a policy that covered nothing, or a namespace that never had coverage, is
// not this rule's business). A cluster-scoped policy can cover many namespaces: each governed one it
// would leave uncovered is judged in its own mode. An allow that rests on *another* policy still
// covering names that policy (assumedAbsences) so a live cluster reads it before allowing.
// Namespace opted in or made stricter: warns about the missing default-deny and (under
// pod-service-account's id) existing pods on disallowed ServiceAccounts (at most 10 named). Nothing is enforced while a namespace is terminating.
import type { AdmissionRequest } from '../admission/types.js';
import { countedCoverage, countedKinds, type CountedKinds } from '../cluster/coverage/counted.js';
import { coveringPolicy, type CoveringPolicy } from '../cluster/coverage/index.js';
import { coverageSource } from '../cluster/coverage/store-index.js';
import { COVERAGE_KIND_IDS, describePolicy, policyKindOf, readCoverage } from '../cluster/coverage/kinds.js';
import { directionsFor, type Coverage, type NamespaceView } from '../cluster/coverage/types.js';
import { isTerminating } from '../cluster/facts.js';
import { asString, isRecord, labelsOf, metaOf } from '../cluster/objects.js';
import type { ClusterSnapshot, NamespaceState } from '../cluster/snapshot.js';
import { MODE_LABEL, namespaceMode, strictness } from '../config/modes.js';
import type { Config, Direction, Mode } from '../config/types.js';
import { nameOf, namespaceOf, podBearingKind, POD_SPEC_PATHS, WORKLOAD_KINDS } from './kinds.js';
import type { Absence, Rule, Violation } from './types.js';
import { listAtMost } from '../util/text.js';

const DIRECTIONS: readonly Direction[] = ['Ingress', 'Egress'];
const MAX_NAMED_PODS = 10;
/** Other covering policies read live before a removal is allowed (a namespace rarely has more). */
const MAX_PRESENCES = 16;

/** Configured directions in a stable order. */
function configured(config: Config): Direction[] {
  return DIRECTIONS.filter((d) => config.defaultDeny.directions.includes(d));
}

function covering(namespace: string, direction: Direction, snapshot: ClusterSnapshot, counted: CountedKinds): readonly CoveringPolicy[] {
  return countedCoverage(snapshot.coverage(namespace, direction), counted);
}

export function missingDirections(namespace: string, snapshot: ClusterSnapshot, config: Config): Direction[] {
  const counted = countedKinds(config);
  return configured(config).filter((d) => covering(namespace, d, snapshot, counted).length === 0);
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
        `No other policy API covers it either (looked at ${countedKinds(config).lookedAt}). ` +
        `Create one before deploying, e.g. ${defaultDenyHint(namespace, missing)}, then allow the traffic the workload needs with narrower policies.`,
      absences: [{ kind: 'DefaultDenyPolicy', namespace }],
    },
  ];
}

/** A direction of a namespace this change takes away from it. */
interface Loss {
  namespace: NamespaceState | NamespaceView;
  direction: Direction;
}

interface PolicyChange {
  self: CoveringPolicy;
  clusterScoped: boolean;
  /** what no other counted policy still covers */
  lost: Loss[];
  /** the other policies still covering what this change takes away */
  rests: Iterable<CoveringPolicy>;
}

/**
 * What a policy UPDATE/DELETE takes away, per namespace and direction (undefined: not a counted
 * policy). `rests` is needed only to name the policies a live cluster reads before allowing.
 */
function policyChange(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config, withRests: boolean): PolicyChange | undefined {
  const kind = policyKindOf(request.kind.group, request.kind.kind);
  const counted = countedKinds(config);
  if (!kind?.coverage || !counted.ids.has(kind.coverage.id)) return undefined;
  const name = asString(metaOf(request.oldObject).name) || asString(metaOf(request.object).name) || nameOf(request);
  const own = kind.clusterScoped ? undefined : namespaceOf(request);
  const self = coveringPolicy(kind, own, name);
  const stored = snapshot.coveredBy(kind.coverage.id, own, name);
  const after = request.operation === 'DELETE' ? undefined : readCoverage(request.object, kind, own ?? '');
  if (kind.clusterScoped && stored?.source !== undefined && (!isRecord(request.oldObject) || stored.source === coverageSource(request.oldObject))) {
    const overlap = snapshot.coverageOverlap(self.key);
    // the store's overlap counts every kind: exact when every stored kind counts under this config
    const exact = [...overlap.kinds].every((id) => counted.ids.has(id));
    if (exact && (!withRests || !after)) return { self, clusterScoped: true, lost: lostAlone(overlap.alone, after, snapshot, config), rests: overlap.alongside };
  }
  const before: Coverage | undefined = isRecord(request.oldObject) ? readCoverage(request.oldObject, kind, own ?? '') : stored?.coverage;
  if (!before) return { self, clusterScoped: kind.clusterScoped, lost: [], rests: [] };
  const namespaces: Iterable<NamespaceState | NamespaceView> = own !== undefined ? [snapshot.namespace(own) ?? { name: own, labels: {} }] : snapshot.allNamespaces();
  const lost: Loss[] = [];
  const rests = new Map<string, CoveringPolicy>();
  for (const namespace of namespaces) {
    if ('terminating' in namespace && namespace.terminating) continue;
    const had = directionsFor(before, namespace, own);
    if (had.length === 0) continue;
    const keeps = after ? directionsFor(after, namespace, own) : [];
    for (const direction of configured(config)) {
      if (!had.includes(direction) || keeps.includes(direction)) continue;
      const others = covering(namespace.name, direction, snapshot, counted).filter((p) => p.identity !== self.identity);
      if (others.length === 0) lost.push({ namespace, direction });
      for (const other of others) rests.set(other.key, other);
    }
  }
  return { self, clusterScoped: kind.clusterScoped, lost, rests: [...rests.values()] };
}

/** The configured namespace-directions a cluster-scoped policy covers alone and the change does not keep. */
function lostAlone(alone: ReadonlyMap<string, ReadonlySet<Direction>>, after: Coverage | undefined, snapshot: ClusterSnapshot, config: Config): Loss[] {
  const lost: Loss[] = [];
  for (const [name, directions] of alone) {
    const namespace = snapshot.namespace(name) ?? { name, labels: {} };
    if ('terminating' in namespace && namespace.terminating) continue;
    const keeps = after ? directionsFor(after, namespace) : [];
    for (const direction of configured(config)) if (directions.has(direction) && !keeps.includes(direction)) lost.push({ namespace, direction });
  }
  return lost;
}

function judgePolicyChange(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Violation[] {
  const change = policyChange(request, snapshot, config, false);
  if (!change) return [];
  const lostBy = new Map<string, { namespace: NamespaceView; directions: Direction[] }>();
  for (const loss of change.lost) {
    const entry = lostBy.get(loss.namespace.name) ?? { namespace: loss.namespace, directions: [] };
    entry.directions.push(loss.direction);
    lostBy.set(loss.namespace.name, entry);
  }
  const deleting = request.operation === 'DELETE';
  const { self } = change;
  const named = describePolicy(self.kind, undefined, self.name);
  const violations: Violation[] = [];
  for (const { namespace, directions } of lostBy.values()) {
    // a cluster-scoped policy's loss is judged in each namespace's own mode
    const mode = change.clusterScoped ? namespaceMode(namespace.name, namespace.labels, config).mode : undefined;
    if (mode === 'disabled') continue;
    const action = deleting ? `deleting ${named}` : `this change to ${named}`;
    const keep = deleting
      ? 'keep this policy'
      : self.kindId === 'NetworkPolicy'
        ? `keep spec.podSelector empty, ${directions.join(' and ')} in spec.policyTypes and no ${directions.map((d) => d.toLowerCase()).join('/')} rules`
        : 'keep the policy denying by default';
    violations.push({
      rule: 'namespace-default-deny',
      message:
        `${action} would remove the last default-deny for ${joinDirections(directions)} in namespace "${namespace.name}" ` +
        `(${named}${change.clusterScoped ? '' : ` in namespace "${namespace.name}"`}). ` +
        `Create another default-deny policy first, e.g. ${defaultDenyHint(namespace.name, directions, self.name === 'default-deny' ? 'default-deny-2' : 'default-deny')}, or ${keep}.`,
      absences: [{ kind: 'DefaultDenyPolicy', namespace: namespace.name }],
      ...(mode ? { mode } : {}),
    });
  }
  return violations;
}

/** The other policies a removal rests on: a live cluster reads them before the removal is allowed. */
function presencesOf(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config): Absence[] {
  if (request.operation === 'CREATE' || !policyKindOf(request.kind.group, request.kind.kind)?.coverage) return [];
  const presences: Absence[] = [];
  for (const other of policyChange(request, snapshot, config, true)?.rests ?? []) {
    if (presences.length === MAX_PRESENCES) break;
    presences.push({ kind: 'CoveringPolicy', kindId: other.kindId, namespace: other.namespace, name: other.name });
  }
  return presences;
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
  summary: 'Every governed namespace keeps a default-deny (a NetworkPolicy or the same deny in another policy API): pods wait for one, and the last one stays.',
  intercepts: [
    { group: '', kind: 'Pod', operations: ['CREATE'] },
    ...WORKLOAD_KINDS.map((kind) => ({ group: POD_SPEC_PATHS[kind].group, kind, operations: ['CREATE'] as const })),
    { group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'] },
  ],
  interceptsPolicyResources: ['UPDATE', 'DELETE'],
  needs: ['Namespace', ...COVERAGE_KIND_IDS, 'Pod'],
  judgesInOwnModes: true,
  evaluate({ request, snapshot, config }): Violation[] {
    if (request.kind.kind === 'Namespace' && request.kind.group === '') return judgeNamespace(request, snapshot, config);
    if (request.operation === 'CREATE') return judgePodBearing(request, snapshot, config);
    return judgePolicyChange(request, snapshot, config);
  },
  assumedAbsences: ({ request, snapshot, config }) => presencesOf(request, snapshot, config),
};
