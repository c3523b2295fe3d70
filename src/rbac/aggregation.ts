// ClusterRole aggregation (aggregationRule.clusterRoleSelectors), as the API server's
// clusterrole-aggregation controller applies it: an aggregated ClusterRole holds the rules of every
// ClusterRole whose labels match one of its selectors, and so on down (view → edit → admin). The
// built-in admin/edit/view and system:aggregate-to-* roles take part with their shipped selectors
// and labels when the state does not hold them, so a role aggregating into `view` is known to reach
// whoever `view` is bound to, even offline.
import type { CompiledSelector, Labels } from '../cluster/selectors.js';
import type { ClusterSnapshot, RoleState } from '../cluster/snapshot.js';
import { BUILTIN_AGGREGATION, BUILTIN_LABELS } from './builtin.js';

/** A ClusterRole taking part in aggregation: one from the state, or a built-in the state lacks. */
export interface AggregationNode {
  name: string;
  labels: Labels;
  aggregation: readonly CompiledSelector[] | undefined;
  /** undefined for a built-in not in the state (its rules are known by name: BUILTIN_WRITERS) */
  state: RoleState | undefined;
}

function nodes(snapshot: ClusterSnapshot): AggregationNode[] {
  const found: AggregationNode[] = [];
  const seen = new Set<string>();
  for (const role of snapshot.clusterRoles()) {
    seen.add(role.name);
    found.push({ name: role.name, labels: role.labels, aggregation: role.aggregation, state: role });
  }
  for (const name of new Set([...BUILTIN_AGGREGATION.keys(), ...BUILTIN_LABELS.keys()])) {
    if (!seen.has(name)) found.push({ name, labels: BUILTIN_LABELS.get(name) ?? {}, aggregation: BUILTIN_AGGREGATION.get(name), state: undefined });
  }
  return found;
}

const selects = (selectors: readonly CompiledSelector[], labels: Labels) => selectors.some((s) => s.matches(labels));

/**
 * The ClusterRoles whose rules flow into one with these selectors (transitively), never `self`.
 * A selector list is the role's own aggregationRule, or a built-in's when the state lacks it.
 */
export function aggregationSources(self: string, selectors: readonly CompiledSelector[] | undefined, snapshot: ClusterSnapshot): AggregationNode[] {
  if (!selectors || selectors.length === 0) return [];
  const all = nodes(snapshot);
  const found = new Map<string, AggregationNode>();
  const queue = [selectors];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const node of all) {
      if (node.name === self || found.has(node.name) || !selects(current, node.labels)) continue;
      found.set(node.name, node);
      if (node.aggregation) queue.push(node.aggregation);
    }
  }
  return [...found.values()];
}

/** The aggregated ClusterRoles a ClusterRole with these labels flows into (transitively), never `self`. */
export function aggregationTargets(self: string, labels: Labels, snapshot: ClusterSnapshot): AggregationNode[] {
  const all = nodes(snapshot).filter((node) => node.aggregation && node.aggregation.length > 0);
  const found = new Map<string, AggregationNode>();
  const queue = [labels];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const node of all) {
      if (node.name === self || found.has(node.name) || !selects(node.aggregation!, current)) continue;
      found.set(node.name, node);
      queue.push(node.labels);
    }
  }
  return [...found.values()];
}

/** The selectors a bound ClusterRole aggregates with: its own in the state, else a built-in's. */
export function selectorsOf(name: string, state: RoleState | undefined): readonly CompiledSelector[] | undefined {
  return state ? state.aggregation : BUILTIN_AGGREGATION.get(name);
}
