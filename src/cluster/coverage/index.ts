// Default-deny coverage, one module per policy API (see kinds.ts for the list). The store derives an
// object's coverage once on upsert with `policyEntry`; rules, audit and the live read-through ask the
// snapshot, never the objects.
import { metaOf } from '../objects.js';
import { describePolicy, policyIdentity, readCoverage, type CoverageKindId, type PolicyKind } from './kinds.js';
import type { Coverage } from './types.js';

/** A policy that puts a namespace's pods under deny-by-default for a direction. */
export interface CoveringPolicy {
  /** store key: `<kind id>/<namespace>/<name>` */
  key: string;
  kindId: CoverageKindId;
  kind: PolicyKind;
  /** undefined for cluster-scoped policies */
  namespace: string | undefined;
  name: string;
  /** shared by the views of one object under two API groups (Calico) */
  identity: string;
  /** `CiliumNetworkPolicy "team-a/deny-all"` */
  description: string;
}

export interface PolicyEntry {
  policy: CoveringPolicy;
  coverage: Coverage;
  /** a stored cluster-scoped policy: what its coverage was read from (coverageSource) */
  source?: string;
}

export function policyKey(kindId: CoverageKindId, namespace: string | undefined, name: string): string {
  return `${kindId}/${namespace ?? ''}/${name}`;
}

export function coveringPolicy(kind: PolicyKind, namespace: string | undefined, name: string): CoveringPolicy {
  const kindId = kind.coverage!.id;
  const ns = kind.clusterScoped ? undefined : namespace;
  return {
    key: policyKey(kindId, ns, name),
    kindId,
    kind,
    namespace: ns,
    name,
    identity: policyIdentity(kind, ns, name),
    description: describePolicy(kind, ns, name),
  };
}

/** The object's coverage entry; undefined for kinds not read for coverage or objects without a name. */
export function policyEntry(object: unknown, kind: PolicyKind, namespace: string): PolicyEntry | undefined {
  const name = metaOf(object).name;
  if (!kind.coverage || typeof name !== 'string' || name === '') return undefined;
  const coverage = readCoverage(object, kind, namespace);
  return coverage ? { policy: coveringPolicy(kind, namespace, name), coverage } : undefined;
}

