// What an audit finds and what it reports about its own coverage.
import type { Mode, RuleId } from '../config/types.js';

/** Kinds an audit reads, in the order it reads them (each later kind needs the earlier ones). */
export const AUDIT_KINDS = ['Namespace', 'Role', 'ClusterRole', 'NetworkPolicy', 'RoleBinding', 'ClusterRoleBinding', 'Pod'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditFinding {
  rule: RuleId;
  apiVersion: string;
  kind: string;
  /** undefined for cluster-scoped objects (Namespace, ClusterRoleBinding) */
  namespace: string | undefined;
  name: string;
  uid: string | undefined;
  /** the mode that governs the object: what the webhook would do with it today */
  mode: Mode;
  message: string;
}

export interface NotAudited {
  rule: RuleId;
  reason: string;
}

export interface AuditResult {
  /** `live cluster (https://…)` or `state directory DIR` */
  source: string;
  findings: AuditFinding[];
  /** namespaces judged (mode is not disabled) */
  governedNamespaces: string[];
  /** namespaces not judged: exempt ones (always disabled) and those whose mode is disabled */
  skipped: { exempt: string[]; disabled: string[]; clusterScoped: boolean };
  notAudited: NotAudited[];
  /** rules switched off in the config */
  rulesOff: RuleId[];
  counts: { objects: number; judged: number; skipped: number };
  /** when the audit ran, for reports */
  time: Date;
}
