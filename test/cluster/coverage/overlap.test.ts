// The store's coverage overlap (per cluster-scoped policy: the namespace-directions it covers alone, and
// the policies covering alongside it) against the plain per-namespace coverage it summarises, and
// the removal of a cluster-scoped policy judged from it against the same removal judged by walking
// every namespace (a request whose oldObject differs from the stored one is judged that way).
import { describePolicy } from '../../../src/cluster/coverage/kinds.js';
import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../../src/cluster/store.js';
import type { KubeObject } from '../../../src/cluster/objects.js';
import { compileConfig } from '../../../src/config/load.js';
import type { Direction } from '../../../src/config/types.js';
import { namespaceDefaultDeny } from '../../../src/rules/namespace-default-deny.js';
import { makeRequest } from '../../support/requests.js';

const DIRECTIONS: Direction[] = ['Ingress', 'Egress'];
const CONFIG = compileConfig({ defaultMode: 'enforce' }, 'test');

/** Small deterministic generator (mulberry32), so a failing sequence can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ns = (i: number) => `ns-${i}`;
const namespace = (i: number, tier: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns(i), labels: { tier } } });
const denyNp = (i: number, types: Direction[]): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: ns(i) }, spec: { podSelector: {}, policyTypes: types } });
const ciliumDeny = (i: number): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny', namespace: ns(i) }, spec: { endpointSelector: {}, ingress: [{}] } });
const ccnpFor = (name: string, namespaces: string[]): KubeObject => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name },
  spec: { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: namespaces }] }, ingress: [{}], egress: [{}] },
});
const globalDeny = (apiVersion: string, name: string, tier: string, types: Direction[]): KubeObject => ({
  apiVersion,
  kind: 'GlobalNetworkPolicy',
  metadata: { name },
  spec: { namespaceSelector: `tier == '${tier}'`, selector: 'all()', types },
});

/** One random change to the state: policies of several APIs come and go, namespaces are relabelled. */
function randomChange(next: () => number, namespaces: number): { object: KubeObject; present: boolean } {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const i = Math.floor(next() * namespaces);
  const present = next() < 0.7;
  const tier = pick(['a', 'b', 'c']);
  const object = pick([
    () => namespace(i, tier),
    () => denyNp(i, pick([['Ingress'], ['Egress'], DIRECTIONS] as Direction[][])),
    () => ciliumDeny(i),
    () => ccnpFor(`ccnp-${Math.floor(next() * 3)}`, [ns(i), ns((i + 1) % namespaces), ns((i + 3) % namespaces)]),
    // one Calico policy seen through both API groups: one identity, two stored views
    () => globalDeny('projectcalico.org/v3', 'tiered', tier, DIRECTIONS),
    () => globalDeny('crd.projectcalico.org/v1', 'default.tiered', tier, DIRECTIONS),
    () => globalDeny('projectcalico.org/v3', `egress-${tier}`, tier, ['Egress']),
  ])();
  return { object, present: object.kind === 'Namespace' ? true : present };
}

function apply(store: ClusterStore, change: { object: KubeObject; present: boolean }): void {
  if (change.present) store.upsert(change.object);
  else store.remove(change.object);
}

/** The overlap recomputed from the plain per-namespace coverage. */
function expectedOverlap(store: ClusterStore, key: string) {
  const alone = new Map<string, Set<Direction>>();
  const alongside = new Set<string>();
  for (const { name } of store.allNamespaces()) {
    for (const direction of DIRECTIONS) {
      const coverers = store.coverage(name, direction);
      const self = coverers.find((p) => p.key === key);
      if (!self) continue;
      const others = coverers.filter((p) => p.identity !== self.identity);
      if (others.length === 0) alone.set(name, new Set([...(alone.get(name) ?? []), direction]));
      for (const other of others) alongside.add(other.key);
    }
  }
  return { alone, alongside };
}

function clusterScopedKeys(store: ClusterStore): Set<string> {
  const found = new Set<string>();
  for (const { name } of store.allNamespaces()) for (const d of DIRECTIONS) for (const p of store.coverage(name, d)) if (p.namespace === undefined) found.add(p.key);
  return found;
}

describe('coverage overlap kept by the store', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('matches the per-namespace coverage after every change (seed %i)', (seed) => {
    const next = random(seed);
    const store = new ClusterStore(false);
    for (let i = 0; i < 8; i++) store.upsert(namespace(i, 'a'));
    for (let step = 0; step < 300; step++) {
      apply(store, randomChange(next, 8));
      for (const key of clusterScopedKeys(store)) {
        const overlap = store.coverageOverlap(key);
        const expected = expectedOverlap(store, key);
        expect(new Map([...overlap.alone].map(([n, d]) => [n, new Set(d)])), `alone, step ${step}`).toEqual(expected.alone);
        expect(new Set([...overlap.alongside].map((p) => p.key)), `alongside, step ${step}`).toEqual(expected.alongside);
      }
    }
  });

  it('forgets a policy entirely once it and its partners are gone', () => {
    const store = new ClusterStore(false);
    store.upsert(namespace(0, 'a'));
    store.upsert(denyNp(0, DIRECTIONS));
    store.upsert(ccnpFor('wide', [ns(0)]));
    const key = 'cilium.io/CiliumClusterwideNetworkPolicy//wide';
    expect([...store.coverageOverlap(key).alongside].map((p) => describePolicy(p.kind, p.namespace, p.name))).toEqual(['NetworkPolicy "ns-0/deny"']);
    store.remove(denyNp(0, DIRECTIONS));
    expect([...store.coverageOverlap(key).alongside]).toEqual([]);
    expect([...(store.coverageOverlap(key).alone.get(ns(0)) ?? [])]).toEqual(['Ingress', 'Egress']);
    store.remove(ccnpFor('wide', [ns(0)]));
    expect(store.coverageOverlap(key).alone.size).toBe(0);
  });
});

/** The verdict and the policies read live before allowing, for one request. */
function judge(store: ClusterStore, request: ReturnType<typeof makeRequest>) {
  const input = { request, snapshot: store, config: CONFIG };
  const violations = namespaceDefaultDeny.evaluate(input).map((v) => `${v.mode ?? ''} ${v.message}`).sort();
  const presences = (namespaceDefaultDeny.assumedAbsences?.(input) ?? []).map((a) => JSON.stringify(a)).sort();
  return { violations, presences };
}

/** The same object with a field coverage never reads: no longer the stored one, so every namespace is walked. */
const unlike = (object: KubeObject): KubeObject => ({ ...object, 'x-unread': 'differs from the stored object' }) as KubeObject;

describe('removing a cluster-scoped policy: the overlap judges as walking every namespace does', () => {
  it.each([11, 12, 13, 14, 15, 16])('random states (seed %i)', (seed) => {
    const next = random(seed);
    const store = new ClusterStore(false);
    for (let i = 0; i < 8; i++) store.upsert({ ...namespace(i, 'a'), metadata: { name: ns(i), labels: { tier: 'a', 'netguard.io/mode': i % 4 === 0 ? 'warn' : 'enforce' } } });
    let compared = 0;
    for (let step = 0; step < 120; step++) {
      apply(store, randomChange(next, 8));
      const clusterScoped = [ccnpFor('ccnp-0', [ns(step % 8), ns((step + 2) % 8)]), globalDeny('projectcalico.org/v3', 'tiered', 'a', DIRECTIONS)];
      for (const policy of clusterScoped) {
        const stored = store.coveredBy(policy.kind === 'GlobalNetworkPolicy' ? 'projectcalico.org/GlobalNetworkPolicy' : 'cilium.io/CiliumClusterwideNetworkPolicy', undefined, policy.metadata!.name!);
        if (!stored) continue;
        // the stored object itself is what the API server sends as oldObject: rebuild it from the store's source
        const oldObject = { ...JSON.parse(stored.source!), metadata: { name: policy.metadata!.name } } as KubeObject;
        const removal = (old: KubeObject) => makeRequest(undefined, { operation: 'DELETE', oldObject: old });
        expect(judge(store, removal(oldObject)), `DELETE at step ${step}`).toEqual(judge(store, removal(unlike(oldObject))));
        const narrowed = policy.kind === 'GlobalNetworkPolicy' ? globalDeny('projectcalico.org/v3', 'tiered', 'a', ['Egress']) : ccnpFor('ccnp-0', [ns(step % 8)]);
        const update = (old: KubeObject) => makeRequest(narrowed, { operation: 'UPDATE', oldObject: old });
        expect(judge(store, update(oldObject)).violations, `UPDATE at step ${step}`).toEqual(judge(store, update(unlike(oldObject))).violations);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('refuses for each namespace the policy covers alone and names the other coverers to read live', () => {
    const store = new ClusterStore(false);
    for (let i = 0; i < 3; i++) store.upsert({ ...namespace(i, 'a'), metadata: { name: ns(i), labels: { 'netguard.io/mode': 'enforce' } } });
    store.upsert(denyNp(1, DIRECTIONS));
    const wide = ccnpFor('wide', [ns(0), ns(1), ns(2)]);
    store.upsert(wide);
    const { violations, presences } = judge(store, makeRequest(undefined, { operation: 'DELETE', oldObject: wide }));
    expect(violations).toHaveLength(2);
    expect(violations[0]).toContain('deleting CiliumClusterwideNetworkPolicy "wide" would remove the last default-deny for Ingress and Egress in namespace "ns-0"');
    expect(violations[1]).toContain('in namespace "ns-2"');
    expect(presences).toEqual([JSON.stringify({ kind: 'CoveringPolicy', kindId: 'NetworkPolicy', namespace: 'ns-1', name: 'deny' })]);
  });

  it('a policy of a kind the config does not guard never makes a removal look safe', () => {
    // anyone with RBAC on Calico's CRDs could write (and later delete) such a policy: it must not count
    const withoutCalico = compileConfig(
      { defaultMode: 'enforce', policyResources: ['cilium.io/ciliumnetworkpolicies', 'cilium.io/ciliumclusterwidenetworkpolicies'] },
      'test',
    );
    const store = new ClusterStore(false);
    store.upsert({ ...namespace(0, 'a'), metadata: { name: ns(0), labels: { tier: 'a', 'netguard.io/mode': 'enforce' } } });
    const wide = ccnpFor('wide', [ns(0)]);
    store.upsert(wide);
    store.upsert(globalDeny('projectcalico.org/v3', 'unguarded', 'a', DIRECTIONS));
    const removal = { request: makeRequest(undefined, { operation: 'DELETE', oldObject: wide }), snapshot: store, config: withoutCalico };
    const violations = namespaceDefaultDeny.evaluate(removal);
    expect(violations.map((v) => v.message)).toEqual([expect.stringContaining('would remove the last default-deny for Ingress and Egress in namespace "ns-0"')]);
    expect(namespaceDefaultDeny.assumedAbsences?.(removal)).toEqual([]);
    // under the default config the Calico policy is guarded and still covers: the removal is allowed
    expect(namespaceDefaultDeny.evaluate({ ...removal, config: CONFIG })).toEqual([]);
  });
});
