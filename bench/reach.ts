// `netguard reach` at scale (its own process: `node --import tsx bench/reach.ts`).
// Generated state: N namespaces × 3 workloads (web → api → db, one port 8080), each namespace with a
// default-deny, an allow-dns and one allow policy per workload, the api also open to a shared
// `monitoring` namespace. Measured: building the engine from objects, the full matrix for one port
// (every verdict, rendered as the text truth table into a counting sink), one `--from` row, and
// the heap after a full matrix at several sizes (linear in endpoints: bytes per endpoint stay flat).
// The YAML reading in front of it is the manifest reader's (measured by the main bench).
import { cpus, loadavg } from 'node:os';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { KubeObject } from '../src/cluster/objects.js';
import { compileConfig } from '../src/config/load.js';
import { Reachability } from '../src/reach/engine.js';
import { tablesOf } from '../src/reach/query.js';
import { renderTables } from '../src/reach/render-text.js';
import { reachState } from '../src/reach/state.js';
import { fmt, median, table } from './stats.js';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const PORT = { port: 8080, protocol: 'TCP' };
const POLICY_RESOURCES = compileConfig({}, 'defaults').policyResourceList;
const REACH_TARGETS = { fullMatrixS: 5, fromOneS: 0.5 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const app = (name: string) => ({ podSelector: { matchLabels: { app: name } } });

function workload(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports: [{ name: 'http', containerPort: 8080 }] }] } } },
  };
}

function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function reachBenchState(namespaces: number): KubeObject[] {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { team: 'monitoring' } } },
    workload('monitoring', 'prometheus'),
  ];
  for (let i = 0; i < namespaces; i++) {
    const ns = `team-${i}`;
    objects.push(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${i % 50}` } } },
      workload(ns, 'web'),
      workload(ns, 'api'),
      workload(ns, 'db'),
      policy(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy(ns, 'allow-dns', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }] }],
      }),
      policy(ns, 'web', { ...app('web'), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }], egress: [{ to: [app('api')], ports: [{ port: 'http' }] }] }),
      policy(ns, 'api', {
        ...app('api'),
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [app('web'), { namespaceSelector: { matchLabels: { team: 'monitoring' } } }], ports: [{ port: 8080 }] }],
        egress: [{ to: [app('db')], ports: [{ port: 8080 }] }],
      }),
      policy(ns, 'db', { ...app('db'), policyTypes: ['Ingress'], ingress: [{ from: [app('api')], ports: [{ port: 'http' }] }] }),
    );
  }
  return objects;
}

function build(objects: readonly KubeObject[]): Reachability {
  const state = reachState(objects, 'default', POLICY_RESOURCES);
  return new Reachability(state.endpoints, state.policies);
}

interface Run {
  buildS: number;
  fullS: number;
  fromOneS: number;
  /** CPU seconds of this process (user + system) for the same spans: the machine is shared */
  buildCpuS: number;
  fullCpuS: number;
  fromOneCpuS: number;
  allowed: number;
  cells: number;
  textMb: number;
}

const cpuS = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function once(objects: readonly KubeObject[]): Run {
  let t = performance.now();
  let c = cpuS();
  const engine = build(objects);
  const buildS = (performance.now() - t) / 1000;
  const buildCpuS = cpuS() - c;

  t = performance.now();
  c = cpuS();
  let bytes = 0;
  let last = '';
  const tables = tablesOf(engine.endpoints, engine.endpoints, [PORT]);
  renderTables(engine, tables, (text) => {
    bytes += text.length;
    last = text;
  });
  const allowed = Number(/(\d+) of \d+ connections allowed\n$/.exec(last)?.[1]);
  const fullS = (performance.now() - t) / 1000;
  const fullCpuS = cpuS() - c;

  // `--from ONE`: a fresh engine (as each CLI run builds one) and one row over every destination
  t = performance.now();
  c = cpuS();
  const fresh = build(objects);
  const source = fresh.endpoints.find((e) => e.id === 'team-7/deployment/web')!;
  const row = fresh.allowedRow(source, PORT, fresh.columns(fresh.endpoints));
  const reached = row.reduce((n, cell) => n + cell, 0);
  const fromOneS = (performance.now() - t) / 1000;
  const fromOneCpuS = cpuS() - c;
  if (reached !== 2) throw new Error(`team-7/deployment/web reaches ${reached} endpoints on 8080, expected itself and its api`);

  const n = engine.endpoints.length;
  return { buildS, fullS, fromOneS, buildCpuS, fullCpuS, fromOneCpuS, allowed, cells: n * n, textMb: bytes / 1024 / 1024 };
}

/** Heap after the engine answered a full matrix, per endpoint. */
function heapPerEndpoint(namespaces: number): { endpoints: number; heapMb: number; bytesPerEndpoint: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const objects = reachBenchState(namespaces);
  const engine = build(objects);
  const columns = engine.columns(engine.endpoints);
  for (const from of engine.endpoints) engine.allowedRow(from, PORT, columns);
  gc();
  const used = process.memoryUsage().heapUsed - before;
  const endpoints = engine.endpoints.length;
  return { endpoints, heapMb: used / 1024 / 1024, bytesPerEndpoint: used / endpoints };
}

export function runReachBench(): { text: string } {
  const objects = reachBenchState(2000);
  const runs = Array.from({ length: REPS }, () => once(objects));
  const first = runs[0]!;
  const fullS = median(runs.map((r) => r.fullS));
  const fromOneS = median(runs.map((r) => r.fromOneS));
  const heap = [500, 1000, 2000].map(heapPerEndpoint);
  const endpoints = Math.sqrt(first.cells);
  const fullCpuS = median(runs.map((r) => r.fullCpuS));
  const fromOneCpuS = median(runs.map((r) => r.fromOneCpuS));
  const met = (cpu: number, wall: number, target: number) =>
    wall <= target ? 'met' : cpu <= target ? 'met in CPU time (wall time: shared machine)' : 'NOT MET';
  const text = [
    `2,000 namespaces × 3 workloads (+ monitoring): ${endpoints.toLocaleString('en')} endpoints, ${objects.length.toLocaleString('en')} objects; median of ${REPS} runs; load average ${loadavg().map((l) => fmt(l, 1)).join(' ')} on ${cpus().length} CPUs`,
    '',
    table(
      ['figure', 'wall', 'CPU (this process)', 'target'],
      [
        ['engine from objects (classes, selections)', `${fmt(median(runs.map((r) => r.buildS)), 2)} s`, `${fmt(median(runs.map((r) => r.buildCpuS)), 2)} s`, ''],
        [
          `full matrix, one port: ${first.cells.toLocaleString('en')} verdicts as the text truth table (${fmt(first.textMb, 0)} MB)`,
          `${fmt(fullS, 2)} s (${fmt((fullS * 1e9) / first.cells, 1)} ns a pair)`,
          `${fmt(fullCpuS, 2)} s`,
          `≤ ${REACH_TARGETS.fullMatrixS} s: ${met(fullCpuS, fullS, REACH_TARGETS.fullMatrixS)}`,
        ],
        ['`--from ONE`: engine from objects + one row', `${fmt(fromOneS, 3)} s`, `${fmt(fromOneCpuS, 3)} s`, `≤ ${REACH_TARGETS.fromOneS} s: ${met(fromOneCpuS, fromOneS, REACH_TARGETS.fromOneS)}`],
        ['allowed cells (self + web→api + api→db + monitoring→api per namespace)', first.allowed.toLocaleString('en'), '', ''],
      ],
    ),
    '',
    'Heap after a full matrix (engine and state; rows are not kept), by size:',
    '',
    table(
      ['endpoints', 'heap MB', 'bytes per endpoint'],
      heap.map((h) => [h.endpoints.toLocaleString('en'), fmt(h.heapMb, 1), fmt(h.bytesPerEndpoint, 0)]),
    ),
  ].join('\n');
  return { text };
}

if (process.argv[1]?.endsWith('reach.ts')) console.log(runReachBench().text);
