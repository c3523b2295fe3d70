// The configuration as users write it (config.schema.json) and as rules read it (compiled once).
import type { Cidr } from '../util/cidr.js';
import type { GlobSet } from '../util/glob.js';

export const MODES = ['disabled', 'audit', 'warn', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export const RULE_IDS = [
  'netpol-provisioning',
  'rbac-netpol-grant',
  'pod-service-account',
  'provisioned-identity',
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
  rules: Record<RuleId, boolean>;
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
}
