// Offline check: judges every manifest object as a CREATE against the cluster state the same
// manifests form, as if its namespace were in enforce mode. Pure: objects and config in, findings out.
import type { UserInfo } from '../admission/types.js';
import type { SourcedObject } from '../cluster/manifests.js';
import { storeFromObjects } from '../cluster/static.js';
import { SERVICE_ACCOUNT_FIELDS, storedKindOf } from '../cluster/store.js';
import { isRecord, labelsOf, type KubeObject } from '../cluster/objects.js';
import { latestVersions } from './latest.js';
import { namespaceMode } from '../config/modes.js';
import type { Config, Mode, RuleId } from '../config/types.js';
import { exceptionRef, expiredExceptions, type ExceptionRef } from '../exceptions/apply.js';
import { Engine } from '../rules/engine.js';
import { NETWORKING, POD_SPEC_PATHS, RBAC, type PodBearingKind } from '../rules/kinds.js';
import { RULES } from '../rules/registry.js';
import { groupOf, POLICY_KINDS } from '../cluster/coverage/kinds.js';
import { createRequest, impersonatedUser, isClusterScoped, namespaceFor } from './request.js';

export interface Finding {
  file: string;
  /** 1-based line of the offending field when the finding names one (see withFieldLines), else of the document */
  line: number;
  /** the offending field (`spec.template.spec.serviceAccountName`), or null for the object as a whole */
  field: string | null;
  /** `file:line` */
  source: string;
  /** the object the finding is about */
  object: SourcedObject;
  kind: string;
  /** null for cluster-scoped objects */
  namespace: string | null;
  name: string;
  /** null for a warning that no rule raised (an unknown netguard.io/mode value) */
  rule: RuleId | null;
  message: string;
  /** the exception that covers it (excepted findings only) */
  exception?: ExceptionRef;
  /** the mode `rules.<id>` caps the rule at, when that turned a violation into a warning */
  cappedAt?: Mode;
}

export interface SkippedRule {
  rule: RuleId;
  reason: string;
}

export interface CheckSummary {
  /** objects read from the manifests (List items counted one by one) */
  objects: number;
  /** objects netguard judged */
  checked: number;
  /** objects in exemptNamespaces, never judged */
  exempt: number;
  /** objects of kinds netguard does not judge */
  ignored: number;
  /** documents superseded by a later one for the same object (judged in that last version) */
  replaced: number;
  violations: number;
  warnings: number;
  excepted: number;
}

export interface CheckResult {
  requester: { username: string; groups: string[] } | null;
  violations: Finding[];
  warnings: Finding[];
  /** violations an exception covers: shown, not counted for the exit code */
  excepted: Finding[];
  /** exceptions in the config that have expired (they cover nothing) */
  expiredExceptions: ExceptionRef[];
  skippedRules: SkippedRule[];
  summary: CheckSummary;
}

export interface CheckInput {
  objects: readonly SourcedObject[];
  /** cluster state the manifests build on (`--state`, `--kubeconfig`): part of the snapshot, never judged */
  state?: readonly { object: KubeObject }[];
  config: Config;
  /** namespace of objects without metadata.namespace */
  defaultNamespace: string;
  /** --as; undefined skips the rules that judge the requester */
  username?: string;
  groups?: readonly string[];
  /** epoch ms: exceptions expired by then cover nothing (handed in: the evaluation stays pure) */
  now: number;
}

/** The two rules SPEC names as judging the requester; a rule may also declare it itself. */
const REQUESTER_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['netpol-provisioning', 'namespace-mode-label']);

export const SKIP_REASON = 'judges the requester; run check with --as USER (and --as-group GROUP) to evaluate it';

export function requesterRules(): RuleId[] {
  return RULES.filter((rule) => rule.judgesRequester || REQUESTER_RULES.has(rule.id)).map((rule) => rule.id);
}

/** Kinds named in SPEC's rule table, plus whatever the registered rules intercept: kind → API groups. */
const JUDGED_KINDS: ReadonlyMap<string, ReadonlySet<string>> = groupsByKind([
  ...Object.entries(POD_SPEC_PATHS).map(([kind, { group }]) => ({ group, kind })),
  { group: NETWORKING, kind: 'NetworkPolicy' },
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((kind) => ({ group: RBAC, kind })),
  { group: '', kind: 'Namespace' },
  ...RULES.flatMap((rule) => rule.intercepts),
  ...POLICY_KINDS,
]);

function groupsByKind(kinds: readonly { group: string; kind: string }[]): Map<string, Set<string>> {
  const byKind = new Map<string, Set<string>>();
  for (const { group, kind } of kinds) byKind.set(kind, (byKind.get(kind) ?? new Set()).add(group));
  return byKind;
}

/** Asked once or twice for every object read: a lookup by kind, then group (no key text built). */
export function isJudgedKind(apiVersion: string | undefined, kind: string | undefined): boolean {
  return JUDGED_KINDS.get(kind ?? '')?.has(groupOf(apiVersion)) ?? false;
}

/**
 * What check keeps of an object as it is read: the whole object when the snapshot holds its kind; a
 * workload (Deployment, Job, …) with its metadata and, of its pod spec, only the fields naming its
 * ServiceAccount (all the rules read of it: effectiveServiceAccount);
 * another judged object whole; anything else only what names it — enough to count it and to tell
 * when a later document replaces it. A GitOps tree's or a cluster dump's ConfigMaps and container
 * specs are then never held whole: holding them cost more time in garbage collection than reading
 * them (bench/README.md).
 */
export function keptForCheck(sourced: SourcedObject): SourcedObject {
  const { object } = sourced;
  if (storedKindOf(object) !== undefined) return sourced;
  if (isJudgedKind(object.apiVersion, object.kind)) {
    const pods = POD_SPEC_PATHS[object.kind as PodBearingKind] as (typeof POD_SPEC_PATHS)[PodBearingKind] | undefined;
    if (!pods || pods.group !== groupOf(object.apiVersion)) return sourced;
    return { ...sourced, object: { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, ...(alongPath(object, pods.path, SERVICE_ACCOUNT_FIELDS) as object) } };
  }
  const { name, namespace } = object.metadata ?? {};
  return { ...sourced, object: { apiVersion: object.apiVersion, kind: object.kind, metadata: { name, namespace } } };
}

/** `node` with only `path` and, at its end, the `fields` present; what is not a map along the way is kept as it is. */
function alongPath(node: unknown, path: readonly string[], fields: readonly string[]): unknown {
  if (!isRecord(node)) return node;
  const kept: Record<string, unknown> = {};
  const [head, ...rest] = path;
  if (head === undefined) {
    for (const field of fields) if (field in node) kept[field] = node[field];
  } else if (head in node) {
    kept[head] = alongPath(node[head], rest, fields);
  }
  return kept;
}

const engine = new Engine();

export function checkObjects(input: CheckInput): CheckResult {
  const { config, defaultNamespace } = input;
  const { now } = input;
  // the manifests come last: where they hold an object the cluster has too, theirs is what will be applied
  const snapshot = storeFromObjects([...(input.state ?? []), ...input.objects], defaultNamespace);
  const { latest: objects, replaced } = latestVersions(input.objects, defaultNamespace);
  const user: UserInfo = impersonatedUser(input.username, input.groups ?? []);
  const skip = new Set<RuleId>(input.username === undefined ? requesterRules() : []);

  const violations: Finding[] = [];
  const warnings: Finding[] = [];
  const excepted: Finding[] = [];
  const summary: CheckSummary = { objects: input.objects.length, checked: 0, exempt: 0, ignored: 0, replaced, violations: 0, warnings: 0, excepted: 0 };

  objects.forEach((sourced, index) => {
    const { object, file, line, source } = sourced;
    if (!isJudgedKind(object.apiVersion, object.kind)) {
      summary.ignored++;
      return;
    }
    const namespace = namespaceFor(object, defaultNamespace);
    const clusterScoped = isClusterScoped(object.kind, object.apiVersion);
    // Exemption is about where an object lives. A Namespace object lives nowhere, so it is judged
    // like any cluster-scoped object (as serve does); the rules know exempt namespaces never loosen.
    if (!clusterScoped && namespace !== undefined && config.exemptGlobs.matches(namespace)) {
      summary.exempt++;
      return;
    }
    summary.checked++;
    const request = createRequest(object, defaultNamespace, user, `netguard-check-${index + 1}`);
    const where = {
      file,
      line,
      source,
      object: sourced,
      kind: request.kind.kind,
      namespace: clusterScoped ? null : (namespace ?? null),
      name: request.name || '<unnamed>',
    };
    if (object.kind === 'Namespace' && request.name) {
      const label = namespaceMode(request.name, labelsOf(object), config).warning;
      if (label) warnings.push({ ...where, field: null, rule: null, message: label });
    }
    const judgement = engine.judge(request, snapshot, config, { skip, now });
    for (const violation of judgement.violations) {
      // judged in a disabled namespace's mode (a binding there): the webhook would not hold it
      if (violation.mode === 'disabled') continue;
      const finding: Finding = { ...where, field: violation.field ?? null, rule: violation.rule, message: violation.message };
      // a rule capped at warn or audit never fails the check: the webhook would not deny it
      const cap = config.ruleCaps[violation.rule];
      if (cap !== undefined && cap !== 'enforce' && !violation.warningOnly) finding.cappedAt = cap;
      (violation.warningOnly || finding.cappedAt ? warnings : violations).push(finding);
    }
    for (const { violation, exception } of judgement.excepted) {
      if (violation.mode !== 'disabled') excepted.push({ ...where, field: violation.field ?? null, rule: violation.rule, message: violation.message, exception: exceptionRef(exception) });
    }
  });

  summary.violations = violations.length;
  summary.warnings = warnings.length;
  summary.excepted = excepted.length;
  return {
    requester: input.username === undefined ? null : { username: input.username, groups: [...(user.groups ?? [])] },
    violations,
    warnings,
    excepted,
    expiredExceptions: expiredExceptions(config, now).map(exceptionRef),
    skippedRules: [...skip].filter((rule) => config.rules[rule]).map((rule) => ({ rule, reason: SKIP_REASON })),
    summary,
  };
}

/** Findings that name a field point at its line; `locate` finds it (it reads the file again). */
export function withFieldLines(result: CheckResult, locate: (object: SourcedObject, field: string) => number): CheckResult {
  const place = (f: Finding): Finding => {
    if (f.field === null) return f;
    const line = locate(f.object, f.field);
    return { ...f, line, source: `${f.file}:${line}` };
  };
  return { ...result, violations: result.violations.map(place), warnings: result.warnings.map(place), excepted: result.excepted.map(place) };
}
