// What an audit finds and what it reports about its own coverage.
import type { Mode, RuleId } from '../config/types.js';
import type { ExceptionRef } from '../exceptions/apply.js';

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
  /** the mode the webhook would judge it in today: the object's mode, lowered by the rule's cap */
  mode: Mode;
  message: string;
  /** set when an exception covers the finding: reported, not counted for the exit code */
  exception?: ExceptionRef;
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
  /** exceptions in the config that had expired when the audit ran (they cover nothing) */
  expiredExceptions: ExceptionRef[];
  counts: { objects: number; judged: number; skipped: number };
  /** when the audit ran, for reports */
  time: Date;
}
