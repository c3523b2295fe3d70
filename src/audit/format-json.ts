// `--output json`: one document with a fixed key order, so runs diff cleanly.
import { countedFindings } from './coverage.js';
import { NOT_AUDITABLE_REASON } from './judge.js';
import type { AuditFinding, AuditResult } from './types.js';

function finding(f: AuditFinding) {
  return {
    rule: f.rule,
    apiVersion: f.apiVersion,
    kind: f.kind,
    namespace: f.namespace ?? null,
    name: f.name,
    uid: f.uid ?? null,
    mode: f.mode,
    message: f.message,
    exception: f.exception ?? null,
    ...(f.pods ? { pods: f.pods } : {}),
  };
}

export function renderJson(result: AuditResult): string {
  const document = {
    source: result.source,
    time: result.time.toISOString(),
    namespace: result.namespace ?? null,
    violations: result.findings.map(finding),
    namespaces: result.namespaces.map((n) => ({
      name: n.name,
      mode: n.mode,
      status: n.status,
      defaultDeny: Object.fromEntries(n.coverage.map((c) => [c.direction, c.policies])),
    })),
    optIn: result.optIn.map(finding),
    expiredExceptions: result.expiredExceptions,
    writers: result.writers,
    notAudited: result.notAudited.map((n) => ({ rule: n.rule, reason: n.reason || NOT_AUDITABLE_REASON })),
    rulesOff: result.rulesOff,
    skipped: {
      exemptNamespaces: result.skipped.exempt,
      disabledNamespaces: result.skipped.disabled,
      clusterScoped: result.skipped.clusterScoped,
    },
    notes: result.notes,
    summary: {
      violations: countedFindings(result).length,
      excepted: result.findings.length - countedFindings(result).length,
      objects: result.counts.objects,
      judged: result.counts.judged,
      skipped: result.counts.skipped,
      governedNamespaces: result.governedNamespaces.length,
      exemptNamespaces: result.skipped.exempt.length,
      disabledNamespaces: result.skipped.disabled.length,
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
