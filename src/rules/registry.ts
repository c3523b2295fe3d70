// All rules, in the order their messages appear. Ids are checked against the public list at load.
import { RULE_IDS, type RuleId } from '../config/types.js';
import type { Rule } from './types.js';
import { netpolProvisioning } from './netpol-provisioning.js';
import { rbacNetpolGrant } from './rbac-netpol-grant.js';
import { podServiceAccount } from './pod-service-account.js';
import { provisionedIdentity } from './provisioned-identity.js';
import { namespaceDefaultDeny } from './namespace-default-deny.js';
import { namespaceModeLabel } from './namespace-mode-label.js';
import { netpolTrustedCidrs } from './netpol-trusted-cidrs.js';

export function checkRegistry(rules: readonly Rule[]): readonly Rule[] {
  const seen = new Set<RuleId>();
  for (const rule of rules) {
    if (!RULE_IDS.includes(rule.id)) throw new Error(`rule id "${rule.id}" is not one of ${RULE_IDS.join(', ')}`);
    if (seen.has(rule.id)) throw new Error(`rule id "${rule.id}" is registered twice`);
    seen.add(rule.id);
  }
  return [...rules].sort((a, b) => RULE_IDS.indexOf(a.id) - RULE_IDS.indexOf(b.id));
}

export const RULES: readonly Rule[] = checkRegistry([
  netpolProvisioning,
  rbacNetpolGrant,
  podServiceAccount,
  provisionedIdentity,
  namespaceDefaultDeny,
  namespaceModeLabel,
  netpolTrustedCidrs,
]);
