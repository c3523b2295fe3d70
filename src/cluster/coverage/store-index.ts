// The store's index of default-deny coverage: namespace → direction → covering policies of every
// API. Namespaced policies are filed under their namespace once; cluster-scoped ones are evaluated
// against every known namespace when they change, and every cluster-scoped policy is evaluated
// against a namespace when its labels change. Replacing or removing a policy undoes exactly its
// own entries. A query is two map lookups (no evaluation) for a namespace the store knows.
import type { Direction } from '../../config/types.js';
import type { KubeObject } from '../objects.js';
import { coveringPolicy, policyEntry, policyKey, type CoveringPolicy, type PolicyEntry } from './index.js';
import { coverageKind, type CoverageKindId } from './kinds.js';
import { DIRECTIONS, directionsFor, type NamespaceView } from './types.js';

type ByDirection = Record<Direction, Map<string, CoveringPolicy>>;

const NONE: readonly CoveringPolicy[] = [];

interface Stored extends PolicyEntry {
  /** namespace the entry is filed under (namespaced policies) */
  namespace: string | undefined;
  /** namespaces a cluster-scoped policy covers now */
  covered: Set<string>;
}

export class CoverageIndex {
  private readonly policies = new Map<string, Stored>();
  private readonly cluster = new Map<string, Stored>();
  private readonly byNamespace = new Map<string, ByDirection>();
  private readonly namespaces = new Map<string, NamespaceView>();

  put(kindId: CoverageKindId, object: KubeObject, namespace: string, knownNamespaces: Iterable<NamespaceView>): void {
    const kind = coverageKind(kindId);
    const entry = policyEntry(object, kind, namespace);
    if (!entry) return;
    this.delete(kindId, namespace, entry.policy.name);
    const stored: Stored = { ...entry, namespace: kind.clusterScoped ? undefined : namespace, covered: new Set() };
    this.policies.set(entry.policy.key, stored);
    if (entry.coverage.scope === 'namespace') {
      for (const d of entry.coverage.directions) this.file(namespace, d, entry.policy);
      if (entry.coverage.directions.length > 0) stored.covered.add(namespace);
      return;
    }
    this.cluster.set(entry.policy.key, stored);
    for (const ns of knownNamespaces) this.fileCluster(stored, ns);
  }

  delete(kindId: CoverageKindId, namespace: string, name: string): void {
    const key = policyKey(kindId, coverageKind(kindId).clusterScoped ? undefined : namespace, name);
    const stored = this.policies.get(key);
    if (!stored) return;
    this.policies.delete(key);
    this.cluster.delete(key);
    for (const ns of stored.covered) this.unfile(ns, key);
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
    const counts: Partial<Record<CoverageKindId, number>> = {};
    for (const stored of this.policies.values()) counts[stored.policy.kindId] = (counts[stored.policy.kindId] ?? 0) + 1;
    return counts;
  }

  private fileCluster(stored: Stored, namespace: NamespaceView): void {
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
    entry[direction].set(policy.key, policy);
  }

  private unfile(namespace: string, key: string): void {
    const entry = this.byNamespace.get(namespace);
    if (!entry) return;
    for (const d of DIRECTIONS) entry[d].delete(key);
  }
}
