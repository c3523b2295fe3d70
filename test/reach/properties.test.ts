// Invariants of NetworkPolicy semantics, over random policies on the upstream 3×3 cluster.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { compileConfig } from '../../src/config/load.js';
import { Reachability } from '../../src/reach/engine.js';
import { reachState } from '../../src/reach/state.js';
import { actualTable, cluster, ENDPOINTS, engineOf, NAMESPACES, netpol, tcp, udp } from './upstream.js';

const QUERIES = [tcp(80), tcp(81), udp(80)];
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 100);

const labelValue = fc.constantFrom('red', 'green');
const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ color: labelValue }) }),
  fc.record({ matchLabels: fc.record({ pod: fc.constantFrom('a', 'b', 'c') }) }),
  fc.record({ matchExpressions: fc.tuple(fc.constantFrom('In', 'NotIn'), labelValue).map(([operator, v]) => [{ key: 'color', operator, values: [v] }]) }),
  fc.record({ matchExpressions: fc.constantFrom('Exists', 'DoesNotExist').map((operator) => [{ key: 'color', operator }]) }),
);
const nsSelector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('a', 'b') }) }),
  fc.record({ matchLabels: fc.record({ ns: fc.constantFrom(...NAMESPACES) }) }),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: nsSelector }),
  fc.record({ namespaceSelector: nsSelector, podSelector: selector }),
  fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('10.0.0.0/8', '10.0.2.0/24', '10.0.1.1/32'), except: fc.constantFrom([], ['10.0.2.2/32'], ['10.0.1.0/30']) }) }),
);
const port = fc.oneof(
  fc.constant({}),
  fc.constant({ port: 80 }),
  fc.constant({ port: 'serve-81-tcp' }),
  fc.constant({ port: 80, endPort: 81 }),
  fc.constant({ protocol: 'UDP' }),
  fc.constant({ port: 80, protocol: 'UDP' }),
);
const rule = (field: 'from' | 'to') =>
  fc.record({ [field]: fc.array(peer, { maxLength: 2 }), ports: fc.array(port, { maxLength: 2 }) }, { requiredKeys: [] });
const types = fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']);
const policy = fc
  .record({
    ns: fc.constantFrom(...NAMESPACES),
    podSelector: selector,
    policyTypes: types,
    ingress: fc.array(rule('from'), { maxLength: 2 }),
    egress: fc.array(rule('to'), { maxLength: 2 }),
  })
  .map(({ ns, ...spec }) => netpol(ns, spec));
const podLabels = fc.dictionary(fc.constantFrom(...ENDPOINTS), fc.record({ color: labelValue }));
const nsLabels = fc.dictionary(fc.constantFrom(...NAMESPACES), fc.record({ team: fc.constantFrom('a', 'b') }));
const state = fc.tuple(podLabels, nsLabels, fc.array(policy, { maxLength: 4 })).map(([p, n, policies]) => ({
  base: cluster({ labels: { ...p, ...n } }),
  policies,
}));

/** every allowed cell of every query, as `query from to` */
function allowedSet(objects: readonly KubeObject[]): Set<string> {
  const engine = engineOf(objects);
  const out = new Set<string>();
  for (const q of QUERIES) {
    const rows = actualTable(engine, q).split('\n').slice(1);
    for (const row of rows) {
      const [from, ...cells] = row.split('\t');
      cells.forEach((cell, i) => cell === 'X' && out.add(`${q.port}/${q.protocol} ${from} ${ENDPOINTS[i]}`));
    }
  }
  return out;
}

const denyAll = (ns: string) => netpol(ns, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, `deny-${ns}`);

describe('reachability invariants', () => {
  it('adding an allow policy never removes a connection (every pod already isolated both ways)', () => {
    fc.assert(
      fc.property(state, policy, ({ base, policies }, added) => {
        const before = [...base, ...NAMESPACES.map(denyAll), ...policies];
        const was = allowedSet(before);
        const now = allowedSet([...before, added]);
        expect([...was].filter((c) => !now.has(c))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('adding a rule to a policy with explicit policyTypes never removes a connection', () => {
    fc.assert(
      fc.property(state, policy, rule('from'), ({ base, policies }, target, extra) => {
        const spec = target['spec'] as { ingress: unknown[] };
        const widened = { ...target, spec: { ...spec, ingress: [...spec.ingress, extra] } };
        const was = allowedSet([...base, ...policies, target]);
        const now = allowedSet([...base, ...policies, widened]);
        expect([...was].filter((c) => !now.has(c))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('a default-deny-all namespace with no allows receives nothing from other pods', () => {
    fc.assert(
      fc.property(state, fc.constantFrom(...NAMESPACES), ({ base, policies }, ns) => {
        const others = policies.filter((p) => p.metadata?.namespace !== ns);
        const allowed = allowedSet([...base, ...others, denyAll(ns)]);
        const intoNs = [...allowed].filter((c) => {
          const [, from, to] = c.split(' ');
          return to!.startsWith(`${ns}/`) && from !== to;
        });
        expect(intoNs).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('rows asked of the destinations directly and rows from the inverse index agree', () => {
    const resources = compileConfig({}, 'defaults').policyResourceList;
    fc.assert(
      fc.property(state, ({ base, policies }) => {
        const { endpoints, policies: compiled } = reachState([...base, ...policies], 'default', resources);
        const direct = new Reachability(endpoints, compiled, Number.POSITIVE_INFINITY);
        const indexed = new Reachability(endpoints, compiled, 0);
        const columns = direct.columns(endpoints);
        const differ = QUERIES.flatMap((q) =>
          endpoints.filter((from) => direct.allowedRow(from, q, columns).join() !== indexed.allowedRow(from, q, columns).join()).map((from) => `${from.id} ${q.port}/${q.protocol}`),
        );
        expect(differ).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('a pod always reaches itself, whatever the policies', () => {
    fc.assert(
      fc.property(state, ({ base, policies }) => {
        const allowed = allowedSet([...base, ...NAMESPACES.map(denyAll), ...policies]);
        const missing = QUERIES.flatMap((q) => ENDPOINTS.map((id) => `${q.port}/${q.protocol} ${id} ${id}`)).filter((c) => !allowed.has(c));
        expect(missing).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('endpoints of one equivalence class get the same verdicts (pods without IPs sharing labels)', () => {
    fc.assert(
      fc.property(fc.array(policy, { maxLength: 4 }), (policies) => {
        const twins = ['t1', 't2'].map((name) => ({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: 'y' },
          spec: { template: { metadata: { labels: { color: 'red' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'serve-80-tcp' }] }] } } },
        }));
        const engine = engineOf([...cluster(), ...twins, ...policies]);
        const [t1, t2] = ['y/deployment/t1', 'y/deployment/t2'].map((id) => engine.endpoints.find((e) => e.id === id)!);
        const differ = QUERIES.flatMap((q) =>
          engine.endpoints
            .filter((e) => e !== t1 && e !== t2)
            .filter(
              (other) =>
                engine.allowed(t1!, other, q) !== engine.allowed(t2!, other, q) ||
                engine.allowed(other, t1!, q) !== engine.allowed(other, t2!, q) ||
                JSON.stringify(engine.explain(other, t1!, q)) !== JSON.stringify(engine.explain(other, t2!, q)),
            )
            .map((other) => `${other.id} ${q.port}/${q.protocol}`),
        );
        expect(differ).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
