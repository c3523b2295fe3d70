// Every network-policy API netguard knows: group, kind, resource, scope, how messages name it, the
// versions to look for, and — for the kinds SPEC names default-deny shapes for — how to read its
// coverage. Objects are recognised by API group and kind, never by kind alone: a projectcalico.org
// NetworkPolicy is not a networking.k8s.io one. `reach` and `audit` use `policyKindOf` to name an
// object's API.
import { asString, isRecord } from '../objects.js';
import { ANTREA_GROUP } from './antrea.js';
import { calicoGlobalCoverage, calicoIdentity, calicoNetworkPolicyCoverage } from './calico.js';
import { ciliumClusterwideCoverage, ciliumNetworkPolicyCoverage } from './cilium.js';
import { adminNetworkPolicyCoverage, clusterNetworkPolicyCoverage } from './clusternetworkpolicy.js';
import { networkPolicyCoverage } from './networkpolicy.js';
import type { Coverage } from './types.js';

/** Store ids of the kinds read for coverage (the Kubernetes NetworkPolicy keeps its plain name). */
export const COVERAGE_KIND_IDS = [
  'NetworkPolicy',
  'policy.networking.k8s.io/ClusterNetworkPolicy',
  'policy.networking.k8s.io/AdminNetworkPolicy',
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
  'cilium.io/CiliumNetworkPolicy',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'projectcalico.org/NetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
  'crd.projectcalico.org/NetworkPolicy',
  'crd.projectcalico.org/GlobalNetworkPolicy',
] as const;
export type CoverageKindId = (typeof COVERAGE_KIND_IDS)[number];

export type PolicyApi = 'Kubernetes' | 'Kubernetes ClusterNetworkPolicy' | 'Cilium' | 'Calico' | 'Antrea';

export interface PolicyKind {
  group: string;
  kind: string;
  resource: string;
  clusterScoped: boolean;
  api: PolicyApi;
  /** how messages name the kind: unique across APIs */
  label: string;
  /** served versions to look for, preferred first */
  versions: readonly string[];
  /** set for the kinds read for default-deny coverage */
  coverage?: { id: CoverageKindId; read(object: unknown, namespace: string): Coverage };
  /** objects of different kinds that are one policy (Calico's two API groups) share an identity */
  identity?(namespace: string | undefined, name: string): string;
}

const SIG = 'policy.networking.k8s.io';
const CALICO_V3 = 'projectcalico.org';
const CALICO_CRD = 'crd.projectcalico.org';

function calicoKinds(group: string, version: string, suffix: string): PolicyKind[] {
  const base = { group, api: 'Calico' as const, versions: [version], identity: calicoIdentity };
  return [
    {
      ...base,
      kind: 'NetworkPolicy',
      resource: 'networkpolicies',
      clusterScoped: false,
      label: `Calico NetworkPolicy${suffix}`,
      coverage: { id: `${group}/NetworkPolicy` as CoverageKindId, read: calicoNetworkPolicyCoverage },
    },
    {
      ...base,
      kind: 'GlobalNetworkPolicy',
      resource: 'globalnetworkpolicies',
      clusterScoped: true,
      label: `Calico GlobalNetworkPolicy${suffix}`,
      coverage: { id: `${group}/GlobalNetworkPolicy` as CoverageKindId, read: calicoGlobalCoverage },
    },
  ];
}

export const POLICY_KINDS: readonly PolicyKind[] = [
  {
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
    resource: 'networkpolicies',
    clusterScoped: false,
    api: 'Kubernetes',
    label: 'NetworkPolicy',
    versions: ['v1'],
    coverage: { id: 'NetworkPolicy', read: networkPolicyCoverage },
  },
  ...(
    [
      ['ClusterNetworkPolicy', 'clusternetworkpolicies', 'v1alpha2', clusterNetworkPolicyCoverage],
      ['AdminNetworkPolicy', 'adminnetworkpolicies', 'v1alpha1', adminNetworkPolicyCoverage],
      ['BaselineAdminNetworkPolicy', 'baselineadminnetworkpolicies', 'v1alpha1', adminNetworkPolicyCoverage],
    ] as const
  ).map(([kind, resource, version, read]): PolicyKind => ({
    group: SIG,
    kind,
    resource,
    clusterScoped: true,
    api: 'Kubernetes ClusterNetworkPolicy',
    label: kind,
    versions: [version],
    coverage: { id: `${SIG}/${kind}`, read },
  })),
  {
    group: 'cilium.io',
    kind: 'CiliumNetworkPolicy',
    resource: 'ciliumnetworkpolicies',
    clusterScoped: false,
    api: 'Cilium',
    label: 'CiliumNetworkPolicy',
    versions: ['v2'],
    coverage: { id: 'cilium.io/CiliumNetworkPolicy', read: ciliumNetworkPolicyCoverage },
  },
  {
    group: 'cilium.io',
    kind: 'CiliumClusterwideNetworkPolicy',
    resource: 'ciliumclusterwidenetworkpolicies',
    clusterScoped: true,
    api: 'Cilium',
    label: 'CiliumClusterwideNetworkPolicy',
    versions: ['v2'],
    coverage: { id: 'cilium.io/CiliumClusterwideNetworkPolicy', read: ciliumClusterwideCoverage },
  },
  ...calicoKinds(CALICO_V3, 'v3', ''),
  ...calicoKinds(CALICO_CRD, 'v1', ' (crd.projectcalico.org)'),
  ...(
    [
      ['StagedNetworkPolicy', 'stagednetworkpolicies', false],
      ['StagedGlobalNetworkPolicy', 'stagedglobalnetworkpolicies', true],
      ['StagedKubernetesNetworkPolicy', 'stagedkubernetesnetworkpolicies', false],
      ['Tier', 'tiers', true],
    ] as const
  ).map(([kind, resource, clusterScoped]): PolicyKind => ({
    group: CALICO_V3,
    kind,
    resource,
    clusterScoped,
    api: 'Calico',
    label: `Calico ${kind}`,
    versions: ['v3'],
  })),
  ...(
    [
      ['NetworkPolicy', 'networkpolicies', false],
      ['ClusterNetworkPolicy', 'clusternetworkpolicies', true],
    ] as const
  ).map(([kind, resource, clusterScoped]): PolicyKind => ({
    group: ANTREA_GROUP,
    kind,
    resource,
    clusterScoped,
    api: 'Antrea',
    label: `Antrea ${kind}`,
    versions: ['v1beta1', 'v1'],
  })),
];

/** kind → group → API: asked several times for every object read, so no key text is built per lookup */
const BY_KIND = new Map<string, Map<string, PolicyKind>>();
for (const k of POLICY_KINDS) BY_KIND.set(k.kind, (BY_KIND.get(k.kind) ?? new Map<string, PolicyKind>()).set(k.group, k));
const BY_RESOURCE = new Map(POLICY_KINDS.map((k) => [`${k.group}/${k.resource}`, k]));
const BY_ID = new Map(POLICY_KINDS.flatMap((k) => (k.coverage ? [[k.coverage.id, k] as const] : [])));

/** The policy API an object of this group and kind belongs to (group+kind → API), if any. */
export function policyKindOf(group: string, kind: string): PolicyKind | undefined {
  return BY_KIND.get(kind)?.get(group);
}

export function policyKindOfResource(group: string, resource: string): PolicyKind | undefined {
  return BY_RESOURCE.get(`${group}/${resource}`);
}

/** Served through a CRD, found through discovery: every kind but the built-in NetworkPolicy. */
export function isCrdKind(kind: PolicyKind): boolean {
  return kind.api !== 'Kubernetes';
}

export function coverageKind(id: CoverageKindId): PolicyKind {
  return BY_ID.get(id)!;
}

/** The group of an apiVersion (`cilium.io/v2` → `cilium.io`, `v1` → core ''). */
export function groupOf(apiVersion: unknown): string {
  const text = asString(apiVersion) ?? '';
  const slash = text.indexOf('/');
  return slash < 0 ? '' : text.slice(0, slash);
}

/** The policy kind of an object, recognised by its apiVersion's group and its kind. */
export function policyKindOfObject(object: unknown): PolicyKind | undefined {
  if (!isRecord(object) || typeof object['kind'] !== 'string') return undefined;
  return policyKindOf(groupOf(object['apiVersion']), object['kind']);
}

/** `CiliumNetworkPolicy "team-a/deny-all"`, `Calico GlobalNetworkPolicy "deny-all"`. */
export function describePolicy(kind: PolicyKind, namespace: string | undefined, name: string): string {
  return `${kind.label} "${kind.clusterScoped || namespace === undefined ? name : `${namespace}/${name}`}"`;
}

/** Reads a policy object's coverage (undefined for kinds never read for coverage). */
export function readCoverage(object: unknown, kind: PolicyKind, namespace: string): Coverage | undefined {
  return kind.coverage?.read(object, namespace);
}

