// `--output policyreport`: wgpolicyk8s.io/v1alpha2 reports as multi-document YAML, ready for
// `kubectl apply -f -`: one PolicyReport per governed namespace (an empty one for a clean namespace,
// so applying it clears an older report) and one ClusterPolicyReport for cluster-scoped objects
// (Namespaces, ClusterRoleBindings). Each result is one violation; each summary counts its results.
// What the audit could not judge goes into a comment at the top and into annotations.
import { stringify } from 'yaml';
import { coverageLines } from './coverage.js';
import type { AuditFinding, AuditResult } from './types.js';

export const REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const REPORT_NAME = 'netguard-audit';

interface Summary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

function result(finding: AuditFinding, timestamp: { seconds: number; nanos: number }) {
  return {
    policy: 'netguard',
    rule: finding.rule,
    // an excepted finding is skipped, as Kyverno reports what a PolicyException covers
    result: finding.exception ? 'skip' : 'fail',
    message: finding.message,
    source: 'netguard',
    scored: true,
    timestamp,
    properties: { mode: finding.mode, ...(finding.exception ? { exception: finding.exception.name, exceptionExpires: finding.exception.expires } : {}) },
    resources: [
      {
        apiVersion: finding.apiVersion,
        kind: finding.kind,
        ...(finding.namespace !== undefined ? { namespace: finding.namespace } : {}),
        name: finding.name,
        ...(finding.uid !== undefined ? { uid: finding.uid } : {}),
      },
    ],
  };
}

function annotations(audit: AuditResult): Record<string, string> {
  return {
    'netguard.io/source': audit.source,
    ...(audit.notAudited.length > 0 ? { 'netguard.io/not-audited': audit.notAudited.map((n) => n.rule).join(',') } : {}),
    ...(audit.skipped.exempt.length > 0 ? { 'netguard.io/skipped-exempt-namespaces': String(audit.skipped.exempt.length) } : {}),
    ...(audit.skipped.disabled.length > 0 ? { 'netguard.io/skipped-disabled-namespaces': String(audit.skipped.disabled.length) } : {}),
  };
}

function report(kind: 'PolicyReport' | 'ClusterPolicyReport', namespace: string | undefined, findings: AuditFinding[], audit: AuditResult) {
  const ms = audit.time.getTime();
  const timestamp = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  const skip = findings.filter((f) => f.exception).length;
  const summary: Summary = { pass: 0, fail: findings.length - skip, warn: 0, error: 0, skip };
  return {
    apiVersion: REPORT_API_VERSION,
    kind,
    metadata: {
      name: REPORT_NAME,
      ...(namespace !== undefined ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'netguard' },
      annotations: annotations(audit),
    },
    summary,
    results: findings.map((f) => result(f, timestamp)),
  };
}

export function renderPolicyReports(audit: AuditResult): string {
  const byNamespace = new Map<string, AuditFinding[]>(audit.governedNamespaces.map((ns) => [ns, []]));
  const clusterScoped: AuditFinding[] = [];
  for (const finding of audit.findings) {
    if (finding.namespace === undefined) {
      clusterScoped.push(finding);
      continue;
    }
    let list = byNamespace.get(finding.namespace);
    if (!list) {
      list = [];
      byNamespace.set(finding.namespace, list);
    }
    list.push(finding);
  }
  const documents = [
    report('ClusterPolicyReport', undefined, clusterScoped, audit),
    ...[...byNamespace.keys()].sort().map((ns) => report('PolicyReport', ns, byNamespace.get(ns)!, audit)),
  ];
  const header = coverageLines(audit).map((line) => `# ${line}`).join('\n');
  return `${header}\n${documents.map((doc) => `---\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('')}`;
}
