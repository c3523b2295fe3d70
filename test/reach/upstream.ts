// The model of the upstream NetworkPolicy conformance tests (kubernetes test/e2e/network/netpol):
// namespaces x, y, z labelled `ns: <name>`, pods a, b, c labelled `pod: <name>`, each serving 80 and
// 81 on TCP, UDP and SCTP (ports named `serve-80-tcp` …), with known IPs; plus the expectation
// builder those tests use (start all allowed or all denied, then mark peers), and a runner that
// answers every cell with both ways into the engine.
import { expect } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { compileConfig } from '../../src/config/load.js';
import { Reachability } from '../../src/reach/engine.js';
import type { PortQuery } from '../../src/reach/policies.js';
import { reachState } from '../../src/reach/state.js';
import { compileGlobs } from '../../src/util/glob.js';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;
export const ENDPOINTS = NAMESPACES.flatMap((ns) => PODS.map((pod) => `${ns}/${pod}`));

/** 10.0.<namespace 1..3>.<pod 1..3>, and fd00::<ns>:<pod> beside it when dual-stack */
export const ipOf = (id: string) => {
  const [ns, pod] = id.split('/') as [string, string];
  return `10.0.${NAMESPACES.indexOf(ns as 'x') + 1}.${PODS.indexOf(pod as 'a') + 1}`;
};
export const ipv6Of = (id: string) => {
  const [ns, pod] = id.split('/') as [string, string];
  return `fd00::${NAMESPACES.indexOf(ns as 'x') + 1}:${PODS.indexOf(pod as 'a') + 1}`;
};

const PORTS = [80, 81].flatMap((port) =>
  ['TCP', 'UDP', 'SCTP'].map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })),
);

export interface ClusterOptions {
  /** extra labels per namespace or pod id */
  labels?: Record<string, Record<string, string>>;
  dualStack?: boolean;
}

export function cluster(options: ClusterOptions = {}): KubeObject[] {
  const labels = options.labels ?? {};
  return NAMESPACES.flatMap((ns) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ns, ...labels[ns] } } },
    ...PODS.map((pod) => {
      const id = `${ns}/${pod}`;
      const ips = options.dualStack ? [ipOf(id), ipv6Of(id)] : [ipOf(id)];
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { pod, ...labels[id] } },
        spec: { containers: [{ name: `cont-${pod}`, image: 'agnhost', ports: PORTS }] },
        status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
      };
    }),
  ]);
}

let counter = 0;
/** A networking.k8s.io/v1 NetworkPolicy in `namespace` with the given spec. */
export function netpol(namespace: string, spec: Record<string, unknown>, name = `policy-${++counter}`): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** upstream's Reachability expectation: a 9×9 grid of booleans, self always allowed */
export class Expected {
  private readonly cells = new Map<string, boolean>();

  constructor(allowed: boolean) {
    for (const from of ENDPOINTS) for (const to of ENDPOINTS) this.cells.set(`${from}>${to}`, allowed);
  }

  /** from/to: `x/a`, `x/*`, `* /a` (without the space), `*` */
  peer(from: string, to: string, allowed: boolean): this {
    const f = compileGlobs([from]);
    const t = compileGlobs([to]);
    for (const a of ENDPOINTS) for (const b of ENDPOINTS) if (f.matches(a) && t.matches(b)) this.cells.set(`${a}>${b}`, allowed);
    return this;
  }

  allIngress(to: string, allowed: boolean): this {
    return this.peer('*', to, allowed);
  }

  allEgress(from: string, allowed: boolean): this {
    return this.peer(from, '*', allowed);
  }

  table(): string {
    return truthTable(ENDPOINTS, (from, to) => from === to || this.cells.get(`${from}>${to}`)!);
  }
}

function truthTable(ids: readonly string[], allowed: (from: string, to: string) => boolean): string {
  return [`-\t${ids.join('\t')}`, ...ids.map((from) => `${from}\t${ids.map((to) => (allowed(from, to) ? 'X' : '.')).join('\t')}`)].join('\n');
}

const POLICY_RESOURCES = compileConfig({}, 'defaults').policyResourceList;

export function engineOf(objects: readonly KubeObject[]): Reachability {
  const state = reachState(objects, 'default', POLICY_RESOURCES);
  return new Reachability(state.endpoints, state.policies);
}

/**
 * The engine's table for the 9 upstream pods on one port. Every cell is answered twice, by the
 * class rows (`allowedRow`) and by `explain`, and the two must agree.
 */
export function actualTable(engine: Reachability, query: PortQuery): string {
  const byId = new Map(engine.endpoints.map((e) => [e.id, e]));
  return truthTable(ENDPOINTS, (fromId, toId) => {
    const from = byId.get(fromId)!;
    const to = byId.get(toId)!;
    const fast = engine.allowed(from, to, query);
    // a plain check: this runs for every cell of every generated state
    if (engine.explain(from, to, query).allowed !== fast) throw new Error(`${fromId} -> ${toId} ${query.port}/${query.protocol}: explain and row differ`);
    return fast;
  });
}

export const tcp = (port: number): PortQuery => ({ port, protocol: 'TCP' });
export const udp = (port: number): PortQuery => ({ port, protocol: 'UDP' });
export const sctp = (port: number): PortQuery => ({ port, protocol: 'SCTP' });

/** Asserts the truth table of `policies` over the upstream cluster for each port given. */
export function expectReach(objects: readonly KubeObject[], checks: readonly [PortQuery, Expected][]): void {
  const engine = engineOf(objects);
  for (const [query, expected] of checks) {
    expect(actualTable(engine, query), `${query.port}/${query.protocol}`).toBe(expected.table());
  }
}
