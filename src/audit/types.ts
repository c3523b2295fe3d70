// What an audit finds and what it reports about its own coverage.
import type { Direction, Mode, RuleId } from '../config/types.js';
import type { ExceptionRef } from '../exceptions/apply.js';
import type { Writer } from '../rbac/writers.js';

/**
 * Kinds an audit reads, in the order it reads them (each later kind needs the earlier ones).
 * ReplicaSets and Jobs are read only for their owners, so pods are reported under the Deployment
 * or CronJob that runs them.
 */
export const AUDIT_KINDS = ['Namespace', 'Role', 'ClusterRole', 'NetworkPolicy', 'RoleBinding', 'ClusterRoleBinding', 'ReplicaSet', 'Job', 'Pod'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Kinds whose objects are only read for their ownerReferences; a cluster that refuses them only loses the grouping. */
export const OWNER_KINDS: ReadonlySet<AuditKind> = new Set(['ReplicaSet', 'Job']);

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
  /** for a workload: the names of its pods found in violation (the finding points at the workload) */
  pods?: string[];
}

export interface NotAudited {
  rule: RuleId;
  reason: string;
}

/**
 * governed: judged; exempt: in exemptNamespaces; disabled: labelled netguard.io/mode=disabled;
 * unlabelled: no label and defaultMode disabled — listed with what enforcing it would refuse.
 */
export type NamespaceStatus = 'governed' | 'exempt' | 'disabled' | 'unlabelled';

export interface NamespaceReport {
  name: string;
  mode: Mode;
  status: NamespaceStatus;
  /** per direction of defaultDeny.directions: the policies that deny it by default (none: missing) */
  coverage: { direction: Direction; policies: string[] }[];
}

export interface AuditResult {
  /** `live cluster (https://…)` or `state directory DIR` */
  source: string;
  /** --namespace: only this namespace was audited */
  namespace: string | undefined;
  findings: AuditFinding[];
  /** namespaces judged (mode is not disabled) */
  governedNamespaces: string[];
  /** every namespace seen, with its mode and default-deny coverage */
  namespaces: NamespaceReport[];
  /** stage 0 of an opt-in rollout: what enforcing the unlabelled namespaces would refuse (not violations) */
  optIn: AuditFinding[];
  /** namespaces not judged: exempt ones (always disabled) and those whose mode is disabled */
  skipped: { exempt: string[]; disabled: string[]; clusterScoped: boolean };
  notAudited: NotAudited[];
  /** rules switched off in the config */
  rulesOff: RuleId[];
  /** exceptions in the config that had expired when the audit ran (they cover nothing) */
  expiredExceptions: ExceptionRef[];
  /** every subject holding network-policy write, by any path (the rows of `netguard writers`) */
  writers: Writer[];
  /** what the audit could not read and what that costs (e.g. no grouping by Deployment) */
  notes: string[];
  counts: { objects: number; judged: number; skipped: number };
  /** when the audit ran, for reports */
  time: Date;
}
