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
  if (ref.kind === 'ClusterRole' && BUILTIN_WRITERS.has(ref.name)) grants.push(builtinGrant(ref.name));
  if (view) grants.push(...grantsOfRules(view.rules, scope, config));
  if (ref.kind !== 'ClusterRole') return grants;
  const seen = new Set(grants.map(grantKey));
  for (const source of aggregationSources(ref.name, selectorsOf(ref.name, view), snapshot)) {
    const inner = source.state ? grantsOfRules(source.state.rules, scope, config, `ClusterRole "${source.name}" `) : [];
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
