// A Role's PolicyRules as grant resolution reads them, derived once when the role enters a
// snapshot (the config-dependent question "does this grant network-policy write?" is asked later,
// against whatever config is current). Matching follows the API server's RBAC authorizer
// (pkg/apis/rbac/v1/evaluation_helpers.go): `*` matches every verb, group and resource, including
// subresources; `*/sub` matches that subresource of every resource; resourceNames, when present,
// narrow a rule to those names. Rules naming nonResourceURLs are about URLs and never grant
// anything on objects (the API server refuses rules that mix both).
import { asArray, isRecord } from '../cluster/objects.js';

export interface RuleFacts {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  /** empty: every name */
  resourceNames: readonly string[];
  /** the rule's position in the role, for messages (`rules[2]`) */
  index: number;
}

const strings = (value: unknown): string[] => asArray(value).filter((v): v is string => typeof v === 'string');

/** The resource rules of a Role/ClusterRole object (anything else yields none). */
export function ruleFactsOf(role: unknown): RuleFacts[] {
  if (!isRecord(role)) return [];
  return asArray(role['rules']).flatMap((rule, index): RuleFacts[] => {
    if (!isRecord(rule) || asArray(rule['nonResourceURLs']).length > 0) return [];
    const verbs = strings(rule['verbs']);
    const resources = strings(rule['resources']);
    if (verbs.length === 0 || resources.length === 0) return [];
    return [{ apiGroups: strings(rule['apiGroups']), resources, verbs, resourceNames: strings(rule['resourceNames']), index }];
  });
}

export function allowsVerb(rule: RuleFacts, verbs: readonly string[]): string[] {
  if (rule.verbs.includes('*')) return ['*'];
  return verbs.filter((v) => rule.verbs.includes(v));
}

export function allowsGroup(rule: RuleFacts, group: string): boolean {
  return rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

/** `resource` may be `name/subresource`. */
export function allowsResource(rule: RuleFacts, resource: string): boolean {
  if (rule.resources.includes('*') || rule.resources.includes(resource)) return true;
  const slash = resource.indexOf('/');
  return slash > 0 && rule.resources.includes(`*${resource.slice(slash)}`);
}

/** The names a rule reaches among `candidates` (all of them when the rule names none). */
export function namesReached(rule: RuleFacts, candidates: Iterable<string>): string[] {
  const all = [...candidates];
  return rule.resourceNames.length === 0 ? all : all.filter((name) => rule.resourceNames.includes(name));
}
