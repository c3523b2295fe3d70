// The store's index of default-deny coverage: namespace → direction → covering policies of every
// API. Namespaced policies are filed under their namespace once; cluster-scoped ones are evaluated
// against every known namespace when they change, and every cluster-scoped policy is evaluated
// against a namespace when its labels change. Replacing or removing a policy undoes exactly its
// own entries. A query is two map lookups (no evaluation) for a namespace the store knows.
// Filing and unfiling also keep, per cluster-scoped policy, the namespace-directions it covers alone
// (no policy of another identity covers them) and the policies covering alongside it, so judging a
// cluster-wide policy's removal reads what it alone covers instead of evaluating it against every
// namespace. (A namespaced policy covers one namespace: judging it is cheap without this.)
import type { Direction } from '../../config/types.js';
import type { KubeObject } from '../objects.js';
import { coveringPolicy, policyEntry, policyKey, type CoveringPolicy, type PolicyEntry } from './index.js';
import { coverageKind, type CoverageKindId } from './kinds.js';
import { DIRECTIONS, directionsFor, type NamespaceView } from './types.js';

type ByDirection = Record<Direction, Map<string, CoveringPolicy>>;

const NONE: readonly CoveringPolicy[] = [];

/** Where one cluster-scoped policy is the only coverer (besides other views of itself), and who covers alongside it. */
export interface CoverageOverlap {
  /** namespace → directions it covers alone */
  alone: ReadonlyMap<string, ReadonlySet<Direction>>;
  /** policies of other identities sharing a namespace-direction with it (read lazily: a cluster-wide policy has thousands) */
  alongside: Iterable<CoveringPolicy>;
  /** kinds with at least one stored policy (the overlap counts them all) */
  kinds: Iterable<CoverageKindId>;
}

interface Alongside {
  policy: CoveringPolicy;
  /** namespace-directions shared */
  shared: number;
}

interface Stored extends PolicyEntry {
  /** namespace the entry is filed under (namespaced policies) */
  namespace: string | undefined;
}

/** A cluster-scoped policy: the namespaces it covers now (a namespaced one covers its own or none). */
interface ClusterStored extends Stored {
  covered: Set<string>;
}

export class CoverageIndex {
  private readonly policies = new Map<string, Stored>();
  private readonly cluster = new Map<string, ClusterStored>();
  private readonly byNamespace = new Map<string, ByDirection>();
  private readonly namespaces = new Map<string, NamespaceView>();
  private readonly alone = new Map<string, Map<string, Set<Direction>>>();
  private readonly alongside = new Map<string, Map<string, Alongside>>();
  private readonly kindCounts = new Map<CoverageKindId, number>();

  put(kindId: CoverageKindId, object: KubeObject, namespace: string, knownNamespaces: Iterable<NamespaceView>): void {
    const kind = coverageKind(kindId);
    const entry = policyEntry(object, kind, namespace);
    if (!entry) return;
    this.delete(kindId, namespace, entry.policy.name);
    this.kindCounts.set(kindId, (this.kindCounts.get(kindId) ?? 0) + 1);
    if (entry.coverage.scope === 'namespace') {
      // one literal shape for all (a spread gives each stored policy a hidden class of its own)
      this.policies.set(entry.policy.key, { policy: entry.policy, coverage: entry.coverage, source: undefined, namespace });
      for (const d of entry.coverage.directions) this.file(namespace, d, entry.policy);
      return;
    }
    const stored: ClusterStored = { policy: entry.policy, coverage: entry.coverage, source: coverageSource(object), namespace: undefined, covered: new Set() };
    this.policies.set(entry.policy.key, stored);
    this.cluster.set(entry.policy.key, stored);
    for (const ns of knownNamespaces) this.fileCluster(stored, ns);
  }

  delete(kindId: CoverageKindId, namespace: string, name: string): void {
    const key = policyKey(kindId, coverageKind(kindId).clusterScoped ? undefined : namespace, name);
    const stored = this.policies.get(key);
    if (!stored) return;
    const clustered = this.cluster.get(key);
    this.policies.delete(key);
    this.cluster.delete(key);
    const left = (this.kindCounts.get(kindId) ?? 1) - 1;
    if (left > 0) this.kindCounts.set(kindId, left);
    else this.kindCounts.delete(kindId);
    if (clustered) for (const ns of clustered.covered) this.unfile(ns, key);
    else if (stored.namespace !== undefined) this.unfile(stored.namespace, key);
  }

  namespaceChanged(namespace: NamespaceView): void {
    this.namespaces.set(namespace.name, namespace);
    for (const stored of this.cluster.values()) {
      if (stored.covered.delete(namespace.name)) this.unfile(namespace.name, stored.policy.key);
      this.fileCluster(stored, namespace);
    }
  }

  namespaceRemoved(name: string): void {
    this.namespaces.delete(name);
    for (const stored of this.cluster.values()) if (stored.covered.delete(name)) this.unfile(name, stored.policy.key);
  }

  /** Covering policies of a namespace for a direction; an unknown namespace is judged as unlabelled. */
  covering(namespace: string, direction: Direction): readonly CoveringPolicy[] {
    const own = this.byNamespace.get(namespace)?.[direction];
    if (this.namespaces.has(namespace) || this.cluster.size === 0) return own && own.size > 0 ? [...own.values()] : NONE;
    const view: NamespaceView = { name: namespace, labels: {} };
    const fromCluster = [...this.cluster.values()].filter((s) => directionsFor(s.coverage, view).includes(direction)).map((s) => s.policy);
    return [...(own?.values() ?? []), ...fromCluster];
  }

  entry(kindId: CoverageKindId, namespace: string | undefined, name: string): PolicyEntry | undefined {
    const kind = coverageKind(kindId);
    return this.policies.get(coveringPolicy(kind, namespace, name).key);
  }

  /** Keys of the stored policies of one kind, in one namespace or all. */
  keys(kindId: CoverageKindId, namespace: string | undefined): string[] {
    const keys: string[] = [];
    for (const stored of this.policies.values()) {
      if (stored.policy.kindId === kindId && (namespace === undefined || stored.namespace === namespace)) keys.push(stored.policy.key);
    }
    return keys;
  }

  counts(): Partial<Record<CoverageKindId, number>> {
    return Object.fromEntries(this.kindCounts);
  }

  overlap(key: string): CoverageOverlap {
    return {
      alone: this.alone.get(key) ?? new Map(),
      alongside: policiesOf(this.alongside.get(key)),
      kinds: this.kindCounts.keys(),
    };
  }

  private fileCluster(stored: ClusterStored, namespace: NamespaceView): void {
    const directions = directionsFor(stored.coverage, namespace);
    if (directions.length === 0) return;
    stored.covered.add(namespace.name);
    for (const d of directions) this.file(namespace.name, d, stored.policy);
  }

  private file(namespace: string, direction: Direction, policy: CoveringPolicy): void {
    let entry = this.byNamespace.get(namespace);
    if (!entry) {
      entry = { Ingress: new Map(), Egress: new Map() };
      this.byNamespace.set(namespace, entry);
    }
    const coverers = entry[direction];
    if (coverers.has(policy.key)) return;
    this.setAlone(namespace, direction, coverers, false);
    for (const other of coverers.values()) this.pair(policy, other, 1);
    coverers.set(policy.key, policy);
    this.setAlone(namespace, direction, coverers, true);
  }

  private unfile(namespace: string, key: string): void {
    const entry = this.byNamespace.get(namespace);
    if (!entry) return;
    for (const d of DIRECTIONS) {
      const coverers = entry[d];
      const policy = coverers.get(key);
      if (!policy) continue;
      this.setAlone(namespace, d, coverers, false);
      coverers.delete(key);
      for (const other of coverers.values()) this.pair(policy, other, -1);
      this.setAlone(namespace, d, coverers, true);
    }
  }

  /** Two policies of different identities start or stop sharing one namespace-direction. */
  private pair(a: CoveringPolicy, b: CoveringPolicy, delta: 1 | -1): void {
    if (a.identity === b.identity) return;
    if (a.kind.clusterScoped) this.countAlongside(a.key, b, delta);
    if (b.kind.clusterScoped) this.countAlongside(b.key, a, delta);
  }

  private countAlongside(key: string, other: CoveringPolicy, delta: 1 | -1): void {
    let others = this.alongside.get(key);
    if (!others) this.alongside.set(key, (others = new Map()));
    const found = others.get(other.key);
    const shared = (found?.shared ?? 0) + delta;
    if (shared > 0) others.set(other.key, { policy: other, shared });
    else others.delete(other.key);
    if (others.size === 0) this.alongside.delete(key);
  }

  /** Files (or unfiles) a namespace-direction as covered alone by its coverers, when they are all one identity. */
  private setAlone(namespace: string, direction: Direction, coverers: Map<string, CoveringPolicy>, alone: boolean): void {
    if (!oneIdentity(coverers)) return;
    for (const { key, kind } of coverers.values()) {
      if (!kind.clusterScoped) continue;
      let byNamespace = this.alone.get(key);
      if (alone) {
        if (!byNamespace) this.alone.set(key, (byNamespace = new Map()));
        let directions = byNamespace.get(namespace);
        if (!directions) byNamespace.set(namespace, (directions = new Set()));
        directions.add(direction);
        continue;
      }
      const directions = byNamespace?.get(namespace);
      directions?.delete(direction);
      if (directions?.size === 0) byNamespace!.delete(namespace);
      if (byNamespace?.size === 0) this.alone.delete(key);
    }
  }
}

function* policiesOf(alongside: Map<string, Alongside> | undefined): Generator<CoveringPolicy> {
  for (const { policy } of alongside?.values() ?? []) yield policy;
}

/** True when a namespace-direction's coverers are one policy (or one Calico policy's two views). */
function oneIdentity(coverers: Map<string, CoveringPolicy>): boolean {
  let identity: string | undefined;
  for (const policy of coverers.values()) {
    if (identity === undefined) identity = policy.identity;
    else if (policy.identity !== identity) return false;
  }
  return identity !== undefined;
}

/** What a cluster-scoped policy's coverage is read from (all but metadata and status), to tell a request's object from the stored one. */
export function coverageSource(object: KubeObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object as Record<string, unknown>;
  return JSON.stringify(rest);
}
