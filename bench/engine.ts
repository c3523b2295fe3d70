// In-process figures, no network: per review kind with 2,000 namespaces of state (policies of every
// API among them: bench/policy-apis.ts),
//  - engine: engine.evaluate alone (the rules);
//  - handler: AdmissionHandler.handle on the raw JSON body, as the server calls it (JSON.parse,
//    schema checks, mode, engine, response, the per-review log line to /dev/null, metrics).
// Run: npx tsx bench/engine.ts
import { openSync } from 'node:fs';
import { pino } from 'pino';
import { AdmissionHandler } from '../src/admission/handler.js';
import type { AdmissionRequest } from '../src/admission/types.js';
import { ClusterStore } from '../src/cluster/store.js';
import { compileConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { Engine } from '../src/rules/engine.js';
import { createMetrics } from '../src/server/metrics.js';
import { benchState, reviewNamespace, syntheticObjects } from './cluster-state.js';
import { policyApiObjects, policyApiReviews } from './policy-apis.js';
import { benchReviews } from './reviews.js';
import { fmt, percentile, table } from './stats.js';

export interface InProcessResult {
  review: string;
  perSecond: number;
  p50us: number;
  p99us: number;
  /** engine: violations found; handler: the verdict */
  outcome: string;
}

/** The benchmarks' config: every rule on, enforce everywhere, trusted CIDRs set so that rule runs. */
export const BENCH_CONFIG = { defaultMode: 'enforce', trustedCidrs: ['10.0.0.0/8'] } as const;

function setup(namespaces: number) {
  const size = benchState(namespaces);
  const store = new ClusterStore(false);
  for (const object of syntheticObjects(size)) store.upsert(object);
  for (const object of policyApiObjects(size)) store.upsert(object);
  const config = compileConfig({ ...BENCH_CONFIG, trustedCidrs: [...BENCH_CONFIG.trustedCidrs] }, 'bench');
  const namespace = reviewNamespace(size);
  return { store, config, reviews: { ...benchReviews(namespace), ...policyApiReviews(namespace) } };
}

/** Time budget per review kind: should a review walk every namespace again (a cluster-wide policy's
 * removal judged without the store's overlap index), 50,000 of them would take the bench's whole run. */
const BUDGET_NS = 3_000_000_000n;

/** Times `run` up to `iterations` times (or until the budget is spent) after a warm-up; samples in µs. */
function measure(iterations: number, run: () => unknown): { perSecond: number; p50us: number; p99us: number } {
  const warmUntil = process.hrtime.bigint() + BUDGET_NS / 6n;
  for (let i = 0; i < Math.min(5000, iterations) && process.hrtime.bigint() < warmUntil; i++) run(); // let the JIT settle
  const samples = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  let done = 0;
  while (done < iterations && (done < 200 || process.hrtime.bigint() - started < BUDGET_NS)) {
    const t0 = process.hrtime.bigint();
    run();
    samples[done++] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(samples.subarray(0, done)).sort((a, b) => a - b);
  return { perSecond: done / seconds, p50us: percentile(sorted, 50), p99us: percentile(sorted, 99) };
}

export function runEngineBench(namespaces = 2000, iterations = 50_000): InProcessResult[] {
  const { store, config, reviews } = setup(namespaces);
  const engine = new Engine();
  return Object.entries(reviews).map(([name, review]) => {
    const request = review.request as AdmissionRequest;
    const violations = engine.evaluate(request, store, config).length;
    return { review: name, ...measure(iterations, () => engine.evaluate(request, store, config)), outcome: `${violations} violations` };
  });
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The handler is async (live reads may await); with static state every await resolves at once, so
 * the loop yields to the event loop every 64 reviews to let the asynchronous log writes drain (the
 * time spent there counts in reviews/s, not in the per-review samples).
 */
async function measureAsync(iterations: number, run: () => Promise<unknown>): Promise<{ perSecond: number; p50us: number; p99us: number }> {
  const warmUntil = process.hrtime.bigint() + BUDGET_NS / 6n;
  for (let i = 0; i < Math.min(5000, iterations) && process.hrtime.bigint() < warmUntil; i++) {
    await run();
    if (i % 64 === 63) await turn();
  }
  const samples = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  let done = 0;
  while (done < iterations && (done < 200 || process.hrtime.bigint() - started < BUDGET_NS)) {
    const t0 = process.hrtime.bigint();
    await run();
    samples[done++] = Number(process.hrtime.bigint() - t0) / 1000;
    if (done % 64 === 0) await turn();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(samples.subarray(0, done)).sort((a, b) => a - b);
  return { perSecond: done / seconds, p50us: percentile(sorted, 50), p99us: percentile(sorted, 99) };
}

export async function runHandlerBench(namespaces = 2000, iterations = 30_000): Promise<InProcessResult[]> {
  const { store, config, reviews } = setup(namespaces);
  // as serve writes its lines (src/log.ts), to /dev/null
  const destination = pino.destination({ fd: openSync('/dev/null', 'w'), sync: false, minLength: 4096 });
  const handler = new AdmissionHandler({
    engine: new Engine(),
    config: () => config,
    source: { snapshot: store, ready: () => true, close: async () => undefined },
    logger: createLogger({ level: 'info', destination }),
    metrics: createMetrics({ ready: () => true }).admission,
  });
  const results: InProcessResult[] = [];
  for (const [name, review] of Object.entries(reviews)) {
    const body = JSON.stringify(review);
    const answer = (await handler.handle(body)).body as { response: { allowed: boolean } };
    results.push({ review: name, ...(await measureAsync(iterations, () => handler.handle(body))), outcome: answer.response.allowed ? 'allowed' : 'denied' });
  }
  destination.flushSync();
  return results;
}

export function inProcessTable(results: readonly InProcessResult[]): string {
  return table(
    ['review', 'reviews/s', 'p50 µs', 'p99 µs', 'outcome'],
    results.map((r) => [r.review, fmt(r.perSecond, 0), fmt(r.p50us, 2), fmt(r.p99us, 2), r.outcome]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('engine.evaluate, 2,000 namespaces');
  console.log(inProcessTable(runEngineBench()));
  console.log('\nAdmissionHandler.handle(raw JSON), 2,000 namespaces');
  console.log(inProcessTable(await runHandlerBench()));
}
