// The audit itself: reads the cluster kind by kind (namespaces and roles first: the others are
// judged against them), judges each existing object, and keeps only findings and counts — pods
// and policies are judged page by page and let go.
import { namespaceFor } from '../check/request.js';
import { labelsOf, metaOf, type KubeObject } from '../cluster/objects.js';
import { ClusterStore } from '../cluster/store.js';
import { namespaceMode } from '../config/modes.js';
import { RULE_IDS, type Config, type Mode } from '../config/types.js';
import { exceptionRef, expiredExceptions } from '../exceptions/apply.js';
import type { ObjectFeed } from './feed.js';
import { judgeNamespace, judgeObject, notAudited } from './judge.js';
import { AUDIT_KINDS, type AuditFinding, type AuditKind, type AuditResult } from './types.js';

export interface AuditProgress {
  update(state: { kind: AuditKind; objects: number; findings: number }): void;
}

/** Kinds kept in the snapshot the rules read; the rest are judged and dropped. */
const SNAPSHOT_KINDS: ReadonlySet<AuditKind> = new Set(['Namespace', 'Role', 'ClusterRole', 'NetworkPolicy']);

export async function runAuditOn(feed: ObjectFeed, config: Config, progress?: AuditProgress): Promise<AuditResult> {
  const time = new Date();
  const now = time.getTime();
  const store = new ClusterStore(false);
  const findings: AuditFinding[] = [];
  /** every namespace seen: Namespace objects (with uid) and namespaces other objects live in */
  const namespaces = new Map<string, string | undefined>();
  const counts = { objects: 0, judged: 0, skipped: 0 };

  const modeOf = (kind: AuditKind, object: KubeObject): Mode => {
    if (kind === 'ClusterRole' || kind === 'ClusterRoleBinding') return config.clusterScopedMode;
    const namespace = kind === 'Namespace' ? (metaOf(object).name ?? '') : (namespaceFor(object, 'default') ?? 'default');
    const labels = kind === 'Namespace' ? labelsOf(object) : store.namespace(namespace)?.labels;
    return namespaceMode(namespace, labels, config).mode;
  };

  for (const kind of AUDIT_KINDS) {
    // the other policy APIs' objects only feed coverage: read once the namespaces are known
    if (kind === 'NetworkPolicy') {
      for await (const page of feed.policyPages()) {
        for (const object of page) store.upsert(object);
        counts.objects += page.length;
      }
    }
    for await (const page of feed.pages(kind)) {
      for (const object of page) {
        counts.objects++;
        const meta = metaOf(object);
        if (kind === 'Namespace') {
          if (meta.name) namespaces.set(meta.name, typeof meta['uid'] === 'string' ? meta['uid'] : undefined);
        } else if (kind !== 'ClusterRole' && kind !== 'ClusterRoleBinding') {
          const namespace = namespaceFor(object, 'default') ?? 'default';
          if (!namespaces.has(namespace)) namespaces.set(namespace, undefined);
        }
        if (SNAPSHOT_KINDS.has(kind)) store.upsert(object);
        if (kind === 'Namespace' || kind === 'Role' || kind === 'ClusterRole') continue;
        const mode = modeOf(kind, object);
        if (mode === 'disabled') {
          counts.skipped++;
          continue;
        }
        counts.judged++;
        findings.push(...judgeObject(object, kind, mode, store, config, now));
      }
      progress?.update({ kind, objects: counts.objects, findings: findings.length });
    }
  }

  const governed: string[] = [];
  const skipped: AuditResult['skipped'] = { exempt: [], disabled: [], clusterScoped: config.clusterScopedMode === 'disabled' };
  for (const [namespace, uid] of [...namespaces].sort(([a], [b]) => a.localeCompare(b))) {
    const mode = namespaceMode(namespace, store.namespace(namespace)?.labels, config).mode;
    if (config.exemptGlobs.matches(namespace)) skipped.exempt.push(namespace);
    else if (mode === 'disabled') skipped.disabled.push(namespace);
    else {
      governed.push(namespace);
      findings.push(...judgeNamespace(namespace, uid, mode, store, config, now));
    }
  }

  findings.sort(
    (a, b) =>
      (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name) ||
      RULE_IDS.indexOf(a.rule) - RULE_IDS.indexOf(b.rule),
  );
  return {
    source: feed.description,
    findings,
    governedNamespaces: governed,
    skipped,
    notAudited: notAudited(config),
    rulesOff: RULE_IDS.filter((rule) => !config.rules[rule]),
    expiredExceptions: expiredExceptions(config, now).map(exceptionRef),
    counts,
    time,
  };
}
