// The audit itself: reads the cluster kind by kind (namespaces and roles first: the others are
// judged against them), judges each existing object, and keeps only findings and counts — pods
// and policies are judged page by page and let go. Pods in violation are reported once per owning
// workload (the object a person fixes), with the pods' names. Unlabelled namespaces under
// `defaultMode: disabled` are judged as if enforced and listed apart: stage 0 of an opt-in rollout.
import { namespaceFor } from '../check/request.js';
import { effectiveServiceAccount } from '../cluster/store.js';
import { labelsOf, metaOf, type KubeObject } from '../cluster/objects.js';
import { ClusterStore } from '../cluster/store.js';
import { countedCoverage, countedKinds } from '../cluster/coverage/counted.js';
import { describePolicy } from '../cluster/coverage/kinds.js';
import { MODE_LABEL, namespaceMode } from '../config/modes.js';
import { RULE_IDS, type Config, type Direction, type Mode } from '../config/types.js';
import { exceptionRef, expiredExceptions } from '../exceptions/apply.js';
import { findWriters } from '../rbac/writers.js';
import type { ObjectFeed } from './feed.js';
import { judgeNamespace, judgeObject, judgeWith, notAudited } from './judge.js';
import { OwnerIndex, workloadWithPodSpec } from './owners.js';
import { AUDIT_KINDS, OWNER_KINDS, type AuditFinding, type AuditKind, type AuditResult, type NamespaceReport, type NamespaceStatus } from './types.js';

export interface AuditProgress {
  update(state: { kind: AuditKind; objects: number; findings: number }): void;
}

export interface AuditScope {
  /** --namespace: audit this namespace only (cluster-scoped bindings are left out) */
  namespace?: string | undefined;
}

/** Kinds kept in the snapshot the rules read; the rest are judged and dropped. */
const SNAPSHOT_KINDS: ReadonlySet<AuditKind> = new Set(['Namespace', 'Role', 'ClusterRole', 'NetworkPolicy']);
const DIRECTIONS: readonly Direction[] = ['Ingress', 'Egress'];

/** Findings in order of arrival, pods folded into one finding per workload and ServiceAccount. */
class Findings {
  readonly list: AuditFinding[] = [];
  private readonly byWorkload = new Map<string, AuditFinding>();

  add(found: readonly AuditFinding[]): void {
    this.list.push(...found);
  }

  /** A pod's findings, reported at its workload: the workload judged with the pod's spec as template. */
  addPod(pod: KubeObject, namespace: string, found: readonly AuditFinding[], owners: OwnerIndex, judge: (stand: KubeObject, rule: AuditFinding['rule']) => AuditFinding[]): void {
    const owner = owners.workloadOf(pod, namespace);
    if (!owner) return this.add(found);
    const podName = metaOf(pod).name ?? '';
    for (const finding of found) {
      const key = `${namespace}/${owner.kind}/${owner.name}/${finding.rule}/${effectiveServiceAccount(pod['spec'])}`;
      const known = this.byWorkload.get(key);
      if (known) {
        known.pods!.push(podName);
        continue;
      }
      const [atWorkload] = judge(workloadWithPodSpec(owner, namespace, pod['spec']), finding.rule);
      const grouped: AuditFinding = { ...(atWorkload ?? finding), pods: [podName] };
      this.byWorkload.set(key, grouped);
      this.list.push(grouped);
    }
  }
}

function sortFindings(findings: AuditFinding[]): AuditFinding[] {
  for (const f of findings) f.pods?.sort();
  return findings.sort(
    (a, b) =>
      (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name) ||
      RULE_IDS.indexOf(a.rule) - RULE_IDS.indexOf(b.rule),
  );
}

/** A namespace's covering policies for a report: a NetworkPolicy by its name, other APIs' with their kind. */
function coveringNames(store: ClusterStore, namespace: string, direction: Direction, config: Config): string[] {
  return countedCoverage(store.coverage(namespace, direction), countedKinds(config))
    .map((p) => (p.kindId === 'NetworkPolicy' ? p.name : describePolicy(p.kind, undefined, p.name)))
    .sort();
}

export async function runAuditOn(feed: ObjectFeed, config: Config, progress?: AuditProgress, scope: AuditScope = {}): Promise<AuditResult> {
  const time = new Date();
  const now = time.getTime();
  const store = new ClusterStore(false);
  // bindings are judged one by one and kept apart (in the rules' snapshot they would be held
  // against roles a second time); `writers` resolves them against the roles at the end
  const bindings = new ClusterStore(false);
  const owners = new OwnerIndex();
  const findings = new Findings();
  const optIn = new Findings();
  /** every namespace seen: Namespace objects (with uid) and namespaces other objects live in */
  const namespaces = new Map<string, string | undefined>();
  const counts = { objects: 0, judged: 0, skipped: 0 };
  const only = scope.namespace;

  const statusOf = (namespace: string, labels: Readonly<Record<string, string>> | undefined): { mode: Mode; status: NamespaceStatus } => {
    const { mode } = namespaceMode(namespace, labels, config);
    if (config.exemptGlobs.matches(namespace)) return { mode, status: 'exempt' };
    if (mode !== 'disabled') return { mode, status: 'governed' };
    return { mode, status: labels?.[MODE_LABEL] === undefined ? 'unlabelled' : 'disabled' };
  };

  const modeOf = (kind: AuditKind, object: KubeObject): { mode: Mode; status: NamespaceStatus } => {
    if (kind === 'ClusterRole' || kind === 'ClusterRoleBinding') {
      return { mode: config.clusterScopedMode, status: config.clusterScopedMode === 'disabled' ? 'disabled' : 'governed' };
    }
    const namespace = kind === 'Namespace' ? (metaOf(object).name ?? '') : (namespaceFor(object, 'default') ?? 'default');
    return statusOf(namespace, kind === 'Namespace' ? labelsOf(object) : store.namespace(namespace)?.labels);
  };

  for (const kind of AUDIT_KINDS) {
    // the other policy APIs' objects only feed coverage (cluster-scoped ones too, with --namespace)
    if (kind === 'NetworkPolicy') {
      for await (const page of feed.policyPages()) {
        for (const object of page) store.upsert(object);
        counts.objects += page.length;
      }
    }
    for await (const page of feed.pages(kind, only)) {
      for (const object of page) {
        const meta = metaOf(object);
        const namespace = kind === 'Namespace' ? meta.name : kind === 'ClusterRole' || kind === 'ClusterRoleBinding' ? undefined : (namespaceFor(object, 'default') ?? 'default');
        // with --namespace, ClusterRoles are still read (RoleBindings refer to them), nothing else outside it
        if (only !== undefined && kind !== 'ClusterRole' && namespace !== only) continue;
        counts.objects++;
        if (kind === 'Namespace') {
          if (meta.name) namespaces.set(meta.name, typeof meta['uid'] === 'string' ? meta['uid'] : undefined);
        } else if (namespace !== undefined && !namespaces.has(namespace)) {
          namespaces.set(namespace, undefined);
        }
        if (SNAPSHOT_KINDS.has(kind)) store.upsert(object);
        if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') bindings.upsert(object);
        if (OWNER_KINDS.has(kind)) owners.add(object, namespace ?? 'default');
        if (kind === 'Namespace' || kind === 'Role' || kind === 'ClusterRole' || OWNER_KINDS.has(kind)) continue;
        const { mode, status } = modeOf(kind, object);
        if (mode === 'disabled') {
          counts.skipped++;
          if (status === 'unlabelled') judgeInto(optIn, object, kind, 'enforce');
          continue;
        }
        counts.judged++;
        judgeInto(findings, object, kind, mode);
      }
      progress?.update({ kind, objects: counts.objects, findings: findings.list.length });
    }
  }

  function judgeInto(into: Findings, object: KubeObject, kind: AuditKind, mode: Mode): void {
    const found = judgeObject(object, kind, mode, store, config, now);
    if (kind !== 'Pod' || found.length === 0) return into.add(found);
    into.addPod(object, namespaceFor(object, 'default') ?? 'default', found, owners, (stand, rule) => judgeWith(stand, rule, mode, store, config, now));
  }

  const governed: string[] = [];
  const reports: NamespaceReport[] = [];
  const skipped: AuditResult['skipped'] = { exempt: [], disabled: [], clusterScoped: only === undefined && config.clusterScopedMode === 'disabled' };
  const directions = DIRECTIONS.filter((d) => config.defaultDeny.directions.includes(d));
  for (const [namespace, uid] of [...namespaces].sort(([a], [b]) => a.localeCompare(b))) {
    const { mode, status } = statusOf(namespace, store.namespace(namespace)?.labels);
    reports.push({ name: namespace, mode, status, coverage: directions.map((direction) => ({ direction, policies: coveringNames(store, namespace, direction, config) })) });
    if (status === 'exempt') skipped.exempt.push(namespace);
    else if (mode === 'disabled') {
      skipped.disabled.push(namespace);
      if (status === 'unlabelled') optIn.add(judgeNamespace(namespace, uid, 'enforce', store, config, now));
    } else {
      governed.push(namespace);
      findings.add(judgeNamespace(namespace, uid, mode, store, config, now));
    }
  }

  return {
    source: feed.description,
    namespace: only,
    findings: sortFindings(findings.list),
    governedNamespaces: governed,
    namespaces: reports,
    optIn: sortFindings(optIn.list),
    skipped,
    notAudited: notAudited(config),
    rulesOff: RULE_IDS.filter((rule) => !config.rules[rule]),
    expiredExceptions: expiredExceptions(config, now).map(exceptionRef),
    writers: findWriters({ snapshot: store, bindings: bindings.allBindings(), config, ...(only !== undefined ? { namespace: only } : {}) }),
    notes: [...(feed.notes ?? [])],
    counts,
    time,
  };
}
