// What a role gives the subjects of one binding: the grants of its own rules, the built-in writers
// by name, and what ClusterRole aggregation brings in — the one answer rbac-netpol-grant, audit and
// `writers` share.
import { asArray, isRecord, labelsOf } from '../cluster/objects.js';
import { compileSelector, type CompiledSelector, type Labels } from '../cluster/selectors.js';
import type { ClusterSnapshot, RoleKind } from '../cluster/snapshot.js';
import type { Config } from '../config/types.js';
import type { Scope } from '../rules/provisioning.js';
import { aggregationSources, selectorsOf } from './aggregation.js';
import { BUILTIN_WRITERS } from './builtin.js';
import { grantKey, grantsOfRules, type Grant } from './grants.js';
import { ruleFactsOf, type RuleFacts } from './policy-rules.js';

/** A Role/ClusterRole as grant resolution reads it (the store's RoleState, or a request's object). */
export interface RoleView {
  kind: RoleKind;
  /** undefined for ClusterRoles */
  namespace: string | undefined;
  name: string;
  rules: readonly RuleFacts[];
  labels: Labels;
  /** a ClusterRole's aggregationRule.clusterRoleSelectors; undefined when it has none */
  aggregation: readonly CompiledSelector[] | undefined;
}

export function aggregationSelectorsOf(object: unknown): CompiledSelector[] | undefined {
  const rule = isRecord(object) ? object['aggregationRule'] : undefined;
  if (!isRecord(rule)) return undefined;
  return asArray(rule['clusterRoleSelectors']).map(compileSelector);
}

/** Derived once per object (store upsert, or the object under review). */
export function roleViewOf(object: unknown, kind: RoleKind, namespace: string | undefined, name: string): RoleView {
  return {
    kind,
    namespace: kind === 'Role' ? namespace : undefined,
    name,
    rules: ruleFactsOf(object),
    labels: labelsOf(object),
    aggregation: kind === 'ClusterRole' ? aggregationSelectorsOf(object) : undefined,
  };
}

/**
 * Grants of a role's own rules per config and scope, kept until the role is replaced (the store
 * derives a new RoleView on every upsert) or the config reloads (a new Config object): a binding
 * review then costs a map lookup, not a rule walk.
 */
const memo = new WeakMap<Config, WeakMap<RoleView, Map<string, Grant[]>>>();

function ownGrants(view: RoleView, scope: Scope, config: Config): Grant[] {
  let byRole = memo.get(config);
  if (!byRole) memo.set(config, (byRole = new WeakMap()));
  let byScope = byRole.get(view);
  if (!byScope) byRole.set(view, (byScope = new Map()));
  const key = scope === 'cluster' ? '' : scope.namespace;
  let grants = byScope.get(key);
  if (!grants) byScope.set(key, (grants = grantsOfRules(view.rules, scope, config)));
  return grants;
}

function builtinGrant(name: string): Grant {
  return { path: 'write', detail: 'as Kubernetes ships it', rule: `built-in ClusterRole "${name}"`, reaches: 'built-in' };
}

/**
 * Grants a binding with `scope` gets from the role `ref` (`view`: the role as the state or the
 * request has it, undefined when unknown). Aggregated grants carry path `aggregation`, with the
 * path they take inside the ClusterRole they come from.
 */
export function roleGrants(
  ref: { kind: RoleKind; name: string },
  view: RoleView | undefined,
  scope: Scope,
  snapshot: ClusterSnapshot,
  config: Config,
): Grant[] {
  const grants: Grant[] = [];
  // a built-in writer writes, whatever else it aggregates: its own rules and sources add nothing
  // a judgement needs (and resolving admin's aggregation on every binding to it would cost)
  if (ref.kind === 'ClusterRole' && BUILTIN_WRITERS.has(ref.name)) return [builtinGrant(ref.name)];
  if (view) grants.push(...ownGrants(view, scope, config));
  if (ref.kind !== 'ClusterRole') return grants;
  const seen = new Set(grants.map(grantKey));
  for (const source of aggregationSources(ref.name, selectorsOf(ref.name, view), snapshot)) {
    const inner = source.state ? ownGrants(source.state, scope, config).map((g) => ({ ...g, rule: `ClusterRole "${source.name}" ${g.rule}` })) : [];
    if (BUILTIN_WRITERS.has(source.name)) inner.push(builtinGrant(source.name));
    for (const grant of inner) {
      // a live aggregated role already holds its sources' rules: say each grant once
      if (seen.has(grantKey(grant))) continue;
      seen.add(grantKey(grant));
      grants.push({ ...grant, path: 'aggregation', detail: `${grant.path}: ${grant.detail}` });
    }
  }
  return grants;
}
