// The configuration as users write it (config.schema.json) and as rules read it (compiled once).
import type { Cidr } from '../util/cidr.js';
import type { GlobSet } from '../util/glob.js';

export const MODES = ['disabled', 'audit', 'warn', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export const RULE_IDS = [
  'netpol-provisioning',
  'rbac-netpol-grant',
  'pod-service-account',
  'namespace-default-deny',
  'namespace-mode-label',
  'netpol-trusted-cidrs',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type Direction = 'Ingress' | 'Egress';

export interface ProvisionerSpec {
  name: string;
  users: string[];
  groups: string[];
  /** `namespace/name` */
  serviceAccounts: string[];
  /** namespace globs; `*` alone means cluster-wide */
  namespaces: string[];
}

/** The file's content after defaults are applied. */
export interface ConfigSpec {
  defaultMode: Mode;
  clusterScopedMode: Mode;
  dryRun: boolean;
  exemptNamespaces: string[];
  provisioners: ProvisionerSpec[];
  cleanupAccounts: string[];
  defaultDeny: { directions: Direction[] };
  serviceAccounts: { disallowed: string[] };
  trustedCidrs: string[];
  /** `group/resource` of the network-policy APIs guarded besides networking.k8s.io/networkpolicies */
  policyResources: string[];
  /** `true` on, `false` off, or a mode that caps the rule (see modes.ts `effectiveMode`) */
  rules: Record<RuleId, RuleSetting>;
  exceptions: ExceptionSpec[];
}

/** Modes a rule can be capped at in `rules.<id>`. */
export const RULE_CAPS = ['enforce', 'warn', 'audit'] as const;
export type RuleCap = (typeof RULE_CAPS)[number];
export type RuleSetting = boolean | RuleCap;

/** One `exceptions:` entry as written (optional lists left out mean "any"). */
export interface ExceptionSpec {
  name: string;
  rules: RuleId[];
  /** namespace globs; only `*` covers cluster-scoped objects */
  namespaces: string[];
  /** `Kind` (Kubernetes' own API groups) or `group/Kind` */
  kinds?: string[];
  /** globs on metadata.name */
  names?: string[];
  /** usernames or groups */
  requesters?: string[];
  /** RFC 3339 date (valid through that day, UTC) or date-time (void from that instant) */
  expires: string;
  reason: string;
}

/** An exception compiled once per config load. */
export interface Exception extends ExceptionSpec {
  ruleSet: ReadonlySet<RuleId>;
  namespaceGlobs: GlobSet;
  /** true when `namespaces` holds the bare `*`: the only exceptions that cover cluster-scoped objects */
  clusterWide: boolean;
  /** `group/Kind` keys; undefined: every kind the rules judge */
  kindSet: ReadonlySet<string> | undefined;
  nameGlobs: GlobSet | undefined;
  requesterSet: ReadonlySet<string> | undefined;
  /** epoch ms from which the exception is void */
  expiresAt: number;
}

/** A policy resource (SPEC "Policy resources"), e.g. `{ group: 'cilium.io', resource: 'ciliumnetworkpolicies' }`. */
export interface PolicyResource {
  group: string;
  resource: string;
}

export interface Provisioner extends ProvisionerSpec {
  namespaceGlobs: GlobSet;
  /** true when `namespaces` holds the bare `*`: the only scope that covers cluster-scoped bindings */
  clusterWide: boolean;
}

/** What rules read: the spec plus lookups compiled once per load, never per review. */
export interface Config extends ConfigSpec {
  provisionerList: Provisioner[];
  exemptGlobs: GlobSet;
  trustedCidrList: Cidr[];
  disallowedServiceAccounts: ReadonlySet<string>;
  cleanupAccountSet: ReadonlySet<string>;
  /** networking.k8s.io/networkpolicies first, then `policyResources` (deduplicated) */
  policyResourceList: readonly PolicyResource[];
  /** rule id → the mode it is capped at (rules set to `enforce`, `warn` or `audit`) */
  ruleCaps: Partial<Record<RuleId, RuleCap>>;
  exceptionList: Exception[];
}
