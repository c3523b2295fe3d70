// `--output json`: one document with a fixed key order, so runs diff cleanly.
import { countedFindings } from './coverage.js';
import { NOT_AUDITABLE_REASON } from './judge.js';
import type { AuditResult } from './types.js';

export function renderJson(result: AuditResult): string {
  const document = {
    source: result.source,
    time: result.time.toISOString(),
    violations: result.findings.map((f) => ({
      rule: f.rule,
      apiVersion: f.apiVersion,
      kind: f.kind,
      namespace: f.namespace ?? null,
      name: f.name,
      uid: f.uid ?? null,
      mode: f.mode,
      message: f.message,
      exception: f.exception ?? null,
    })),
    expiredExceptions: result.expiredExceptions,
    notAudited: result.notAudited.map((n) => ({ rule: n.rule, reason: n.reason || NOT_AUDITABLE_REASON })),
    rulesOff: result.rulesOff,
    skipped: {
      exemptNamespaces: result.skipped.exempt,
      disabledNamespaces: result.skipped.disabled,
      clusterScoped: result.skipped.clusterScoped,
    },
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
