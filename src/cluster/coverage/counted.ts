// Which policy kinds count for coverage under a config: those read for coverage whose resource is a
// guarded policy resource (config.policyResourceList). An unguarded deny could be removed by anyone,
// so it never counts.
import type { Config } from '../../config/types.js';
import type { CoveringPolicy } from './index.js';
import { POLICY_KINDS, type CoverageKindId, type PolicyKind } from './kinds.js';

export interface CountedKinds {
  ids: ReadonlySet<CoverageKindId>;
  kinds: readonly PolicyKind[];
  /** `networking.k8s.io NetworkPolicy; cilium.io CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy; …` */
  lookedAt: string;
}

/** The known policy kinds whose resource is a guarded policy resource, read for coverage or not. */
export function guardedKinds(config: Config): PolicyKind[] {
  const guarded = new Set(config.policyResourceList.map((r) => `${r.group}/${r.resource}`));
  return POLICY_KINDS.filter((k) => guarded.has(`${k.group}/${k.resource}`));
}

const cache = new WeakMap<Config, CountedKinds>();

export function countedKinds(config: Config): CountedKinds {
  let counted = cache.get(config);
  if (counted) return counted;
  const kinds = guardedKinds(config).filter((k) => k.coverage);
  const byGroup = new Map<string, string[]>();
  for (const kind of kinds) byGroup.set(kind.group, [...(byGroup.get(kind.group) ?? []), kind.kind]);
  counted = {
    ids: new Set(kinds.map((k) => k.coverage!.id)),
    kinds,
    lookedAt: [...byGroup].map(([group, names]) => `${group} ${names.join(', ')}`).join('; '),
  };
  cache.set(config, counted);
  return counted;
}

/** The covering policies that count under this config. */
export function countedCoverage(all: readonly CoveringPolicy[], counted: CountedKinds): readonly CoveringPolicy[] {
  return all.every((p) => counted.ids.has(p.kindId)) ? all : all.filter((p) => counted.ids.has(p.kindId));
}
