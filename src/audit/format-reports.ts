// Report objects as multi-document YAML, ready for `kubectl apply -f -`, in two flavours of one
// shape: `--output policyreport` (wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport) and
// `--output openreports` (openreports.io/v1alpha1 Report / ClusterReport, its successor). One
// namespaced report per governed namespace (an empty one for a clean namespace, so applying it
// clears an older report) and one cluster-scoped report for cluster-scoped objects (Namespaces,
// ClusterRoleBindings). Each result is one violation; a workload's result lists its pods in
// properties. What the audit could not judge goes into a comment at the top and into annotations.
import { stringify } from 'yaml';
import { coverageLines } from './coverage.js';
import type { AuditFinding, AuditResult } from './types.js';

export interface ReportFlavour {
  apiVersion: string;
  namespaced: string;
  clusterScoped: string;
}

export const POLICY_REPORT: ReportFlavour = { apiVersion: 'wgpolicyk8s.io/v1alpha2', namespaced: 'PolicyReport', clusterScoped: 'ClusterPolicyReport' };
export const OPEN_REPORTS: ReportFlavour = { apiVersion: 'openreports.io/v1alpha1', namespaced: 'Report', clusterScoped: 'ClusterReport' };

export const REPORT_NAME = 'netguard-audit';

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
    properties: {
      mode: finding.mode,
      ...(finding.pods ? { pods: finding.pods.join(',') } : {}),
      ...(finding.exception ? { exception: finding.exception.name, exceptionExpires: finding.exception.expires } : {}),
    },
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

function report(flavour: ReportFlavour, namespace: string | undefined, findings: AuditFinding[], audit: AuditResult) {
  const ms = audit.time.getTime();
  const timestamp = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  return {
    apiVersion: flavour.apiVersion,
    kind: namespace === undefined ? flavour.clusterScoped : flavour.namespaced,
    metadata: {
      name: REPORT_NAME,
      ...(namespace !== undefined ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'netguard' },
      annotations: annotations(audit),
    },
    summary: { pass: 0, fail: findings.filter((f) => !f.exception).length, warn: 0, error: 0, skip: findings.filter((f) => f.exception).length },
    results: findings.map((f) => result(f, timestamp)),
  };
}

export function renderReports(audit: AuditResult, flavour: ReportFlavour): string {
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
    // with --namespace, the cluster-scoped report would claim the rest of the cluster is clean
    ...(audit.namespace === undefined || clusterScoped.length > 0 ? [report(flavour, undefined, clusterScoped, audit)] : []),
    ...[...byNamespace.keys()].sort().map((ns) => report(flavour, ns, byNamespace.get(ns)!, audit)),
  ];
  const header = coverageLines(audit).map((line) => `# ${line}`).join('\n');
  return `${header}\n${documents.map((doc) => `---\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('')}`;
}

export const renderPolicyReports = (audit: AuditResult) => renderReports(audit, POLICY_REPORT);
export const renderOpenReports = (audit: AuditResult) => renderReports(audit, OPEN_REPORTS);
