// Judges one existing object the way the webhook would judge its CREATE today, with the rule
// functions themselves: a synthetic CREATE request goes through the engine with only the rule that
// can be audited for that kind. The rules that judge who is asking cannot be audited after the fact.
import { isClusterScoped, createRequest, groupVersionOf } from '../check/request.js';
import { requesterRules } from '../check/evaluate.js';
import { metaOf, type KubeObject } from '../cluster/objects.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { cappedMode } from '../config/modes.js';
import { RULE_IDS, type Config, type Mode, type RuleId } from '../config/types.js';
import { exceptionRef, type Judgement } from '../exceptions/apply.js';
import { effectiveServiceAccount } from '../cluster/store.js';
import { isProvisionedServiceAccount } from '../rbac/identities.js';
import { Engine } from '../rules/engine.js';
import { POD_SPEC_PATHS, podSpecOf, type PodBearingKind } from '../rules/kinds.js';
import type { AuditFinding, AuditKind, NotAudited } from './types.js';

/** The rule an existing object of each kind is audited against (Roles are only read, for bindings). */
export const AUDITED_RULE: Readonly<Record<AuditKind, RuleId | undefined>> = {
  Namespace: 'namespace-default-deny',
  Role: undefined,
  ClusterRole: undefined,
  NetworkPolicy: 'netpol-trusted-cidrs',
  RoleBinding: 'rbac-netpol-grant',
  ClusterRoleBinding: 'rbac-netpol-grant',
  ReplicaSet: undefined,
  Job: undefined,
  Pod: 'pod-service-account',
};

export const NOT_AUDITABLE_REASON =
  'judges who makes a request; an audit of existing objects cannot know who created or last changed them. The webhook enforces it at apply time.';

export function notAudited(config: Config): NotAudited[] {
  return requesterRules()
    .filter((rule) => config.rules[rule] && rule !== 'provisioned-identity')
    .map((rule) => ({ rule, reason: NOT_AUDITABLE_REASON }));
}

const engine = new Engine();
/** Per audited rule: every other rule, so a Pod is not also judged for its namespace's default-deny. */
const SKIP_OTHERS = new Map<RuleId, ReadonlySet<RuleId>>(RULE_IDS.map((id) => [id, new Set(RULE_IDS.filter((other) => other !== id))]));

let sequence = 0;

/** Findings of one judgement: each in its capped mode; excepted ones carry their exception. */
function findingsOf(object: KubeObject, mode: Mode, config: Config, judgement: Judgement, say: (message: string) => string = (m) => m): AuditFinding[] {
  const found: AuditFinding[] = [];
  for (const v of judgement.violations) {
    const capped = cappedMode(v.rule, v.mode ?? mode, config.ruleCaps);
    if (!v.warningOnly && capped !== 'disabled') found.push(finding(object, v.rule, capped, say(v.message)));
  }
  for (const { violation: v, exception } of judgement.excepted) {
    if (!v.warningOnly) found.push({ ...finding(object, v.rule, cappedMode(v.rule, v.mode ?? mode, config.ruleCaps), say(v.message)), exception: exceptionRef(exception) });
  }
  return found;
}

function finding(object: KubeObject, rule: RuleId, mode: Mode, message: string): AuditFinding {
  const meta = metaOf(object);
  const clusterScoped = isClusterScoped(object.kind, object.apiVersion);
  return {
    rule,
    apiVersion: object.apiVersion ?? 'v1',
    kind: object.kind ?? '',
    namespace: clusterScoped ? undefined : (meta.namespace ?? 'default'),
    name: meta.name ?? '',
    uid: typeof meta['uid'] === 'string' ? meta['uid'] : undefined,
    mode,
    message,
  };
}

/** Violations of an existing object (kind, apiVersion and namespace set), judged as its CREATE. */
export function judgeObject(object: KubeObject, kind: AuditKind, mode: Mode, snapshot: ClusterSnapshot, config: Config, now: number): AuditFinding[] {
  const rule = AUDITED_RULE[kind];
  if (!rule || kind === 'Namespace') return [];
  const found = judgeWith(object, rule, mode, snapshot, config, now);
  return kind === 'Pod' ? [...found, ...onProvisionedIdentity(object, mode, config)] : found;
}

/**
 * A pod (or a workload's template) running as a provisioned ServiceAccount. Who created it cannot be
 * known after the fact, so each one is listed for review: running as that identity is as good as
 * holding network-policy write (provisioned-identity refuses the unprovisioned at apply time).
 */
function onProvisionedIdentity(object: KubeObject, mode: Mode, config: Config): AuditFinding[] {
  if (!config.rules['provisioned-identity']) return [];
  const kind = object.kind as PodBearingKind;
  const entry = POD_SPEC_PATHS[kind];
  if (!entry || groupVersionOf(object.apiVersion).group !== entry.group) return [];
  const namespace = metaOf(object).namespace ?? 'default';
  const { spec, path } = podSpecOf(kind, object);
  const account = effectiveServiceAccount(spec);
  if (!isProvisionedServiceAccount(namespace, account, config)) return [];
  const capped = cappedMode('provisioned-identity', mode, config.ruleCaps);
  if (capped === 'disabled') return [];
  const message =
    `${kind} "${metaOf(object).name ?? ''}" runs as the provisioned ServiceAccount "${namespace}/${account}", which may write network policy ` +
    `(${path}.serviceAccountName). Make sure only provisioned accounts create and change it; anyone who can create pods as it holds the pen.`;
  return [finding(object, 'provisioned-identity', capped, message)];
}

/** Violations of one rule by an object judged as its CREATE (a workload standing in for its pods). */
export function judgeWith(object: KubeObject, rule: RuleId, mode: Mode, snapshot: ClusterSnapshot, config: Config, now: number): AuditFinding[] {
  if (rule === 'provisioned-identity') return onProvisionedIdentity(object, mode, config);
  const request = createRequest(object, 'default', {}, `netguard-audit-${++sequence}`);
  return findingsOf(object, mode, config, engine.judge(request, snapshot, config, { skip: SKIP_OTHERS.get(rule)!, now }));
}

const PROBE_NAME = 'new-pod-';
/** How the rule names the stand-in pod (a generated name), and how the audit says it instead. */
const PROBE_MENTION = `Pod "${PROBE_NAME}<generated>"`;
const PROBE_MEANING = 'any new Pod';

/**
 * Whether a namespace lacks the default-deny its pods need: the question namespace-default-deny asks
 * of every Pod CREATE, asked once per namespace with a stand-in new pod (named as a generated one,
 * which the message then calls "any new Pod").
 */
export function judgeNamespace(namespace: string, uid: string | undefined, mode: Mode, snapshot: ClusterSnapshot, config: Config, now: number): AuditFinding[] {
  const probe: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: PROBE_NAME, namespace }, spec: { containers: [] } };
  const request = createRequest(probe, namespace, {}, `netguard-audit-${++sequence}`);
  const subject: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, ...(uid ? { uid } : {}) } };
  const judgement = engine.judge(request, snapshot, config, { skip: SKIP_OTHERS.get('namespace-default-deny')!, now });
  return findingsOf(subject, mode, config, judgement, (message) => message.replace(PROBE_MENTION, PROBE_MEANING));
}
