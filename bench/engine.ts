// In-process engine: reviews per second and per-review latency by review kind, with 2,000
// namespaces of state. Times only engine.evaluate (the rules), as the API server sees none of it.
import type { AdmissionRequest } from '../src/admission/types.js';
import { ClusterStore } from '../src/cluster/store.js';
import { compileConfig } from '../src/config/load.js';
import { Engine } from '../src/rules/engine.js';
import { syntheticObjects } from './cluster-state.js';
import { benchReviews } from './reviews.js';
import { fmt, percentile, table } from './stats.js';

export interface EngineResult {
  review: string;
  perSecond: number;
  p50us: number;
  p99us: number;
  violations: number;
}

export function runEngineBench(namespaces = 2000, iterations = 50_000): EngineResult[] {
  const store = new ClusterStore(false);
  for (const object of syntheticObjects({ namespaces, policiesPerNamespace: 3, rolesPerNamespace: 2, bindingsPerNamespace: 2 })) store.upsert(object);
  const config = compileConfig({ defaultMode: 'enforce', trustedCidrs: ['10.0.0.0/8'] }, 'bench');
  const engine = new Engine();
  const reviews = benchReviews(`team-${Math.floor(namespaces / 2)}`);
  return Object.entries(reviews).map(([name, review]) => {
    const request = review.request as AdmissionRequest;
    for (let i = 0; i < 2000; i++) engine.evaluate(request, store, config); // warm-up
    const samples = new Float64Array(iterations);
    const started = process.hrtime.bigint();
    let violations = 0;
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      violations = engine.evaluate(request, store, config).length;
      samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const sorted = [...samples].sort((a, b) => a - b);
    return { review: name, perSecond: iterations / seconds, p50us: percentile(sorted, 50), p99us: percentile(sorted, 99), violations };
  });
}

export function engineTable(results: EngineResult[]): string {
  return table(
    ['review', 'reviews/s', 'p50 µs', 'p99 µs', 'violations'],
    results.map((r) => [r.review, fmt(r.perSecond, 0), fmt(r.p50us, 2), fmt(r.p99us, 2), r.violations]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(engineTable(runEngineBench()));
}
