// What a rule is: data plus one pure, synchronous function of (request, snapshot, config).
import type { AdmissionRequest, Operation } from '../admission/types.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import type { Config, Mode, RuleId } from '../config/types.js';
import type { CoverageKindId } from '../cluster/coverage/kinds.js';
import type { StoredKind } from '../cluster/store.js';

/** A kind of object a rule judges, and the operations it judges it on. */
export interface Intercept {
  group: string;
  kind: string;
  operations: readonly Operation[];
  /** subresources judged as well (requests for any other subresource are allowed untouched) */
  subResources?: readonly string[];
}

/**
 * Something a denial rests on not existing. Before such a denial is final, a live cluster confirms
 * the absence with one read from the API server (read-through); see admission/readThrough.ts.
 */
export type Absence =
  | { kind: 'DefaultDenyPolicy'; namespace: string }
  | { kind: 'Role'; namespace: string | undefined; roleKind: 'Role' | 'ClusterRole'; name: string }
  /**
   * No binding beyond the cache's holds this role (a ClusterRole: nor the aggregated ClusterRoles
   * it feeds): an allowed role change that adds a grant rests on it. Confirmed by listing bindings.
   */
  | { kind: 'RoleBindings'; roleKind: 'Role' | 'ClusterRole'; namespace: string | undefined; name: string }
  /** a presence: another policy an allowed removal rests on still covering (read live: found or gone) */
  | { kind: 'CoveringPolicy'; kindId: CoverageKindId; namespace: string | undefined; name: string };

export interface Violation {
  rule: RuleId;
  /** `<what is wrong> (<where>). <how to fix>.` — the rule id is prefixed when shown */
  message: string;
  /** the offending field in the object (`spec.template.spec.serviceAccountName`, `metadata.labels["k"]`), when there is one */
  field?: string;
  /** informational: shown as a warning in every evaluated mode, never denies */
  warningOnly?: boolean;
  absences?: Absence[];
  /**
   * The mode this violation is judged in when it is not the request's: a role change judged per
   * binding in that binding's namespace mode, a namespace loosening judged in the stricter of its
   * old mode and clusterScopedMode. Unset: the request's mode.
   */
  mode?: Mode;
}

/** The request a rule sees; `requester` is undefined when nobody is asking (offline check without --as). */
export interface RuleInput {
  request: AdmissionRequest;
  snapshot: ClusterSnapshot;
  config: Config;
}

export interface Rule {
  id: RuleId;
  /** one line for docs and `--help` */
  summary: string;
  intercepts: readonly Intercept[];
  /**
   * Operations judged on every policy resource of the config (`policyResourceList`): matched by the
   * request's resource (group + resource), or by group + kind for a known policy kind.
   */
  interceptsPolicyResources?: readonly Operation[];
  /** cluster state this rule reads: drives which caches start and what the chart's RBAC grants */
  needs: readonly StoredKind[];
  /**
   * true for rules that may set Violation.mode: they run even when the request's own mode is
   * disabled (clusterScopedMode: disabled must not let an enforce namespace be loosened)
   */
  judgesInOwnModes?: boolean;
  /** true for rules that judge who is asking; offline check skips them without --as */
  judgesRequester?: boolean;
  evaluate(input: RuleInput): Violation[];
  /**
   * What an allowing answer would rest on being absent (a binding's role the cache does not hold).
   * A live cache can lag the API server, so these are read once before the review is judged.
   */
  assumedAbsences?(input: RuleInput): Absence[];
}
