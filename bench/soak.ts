// Soak: the real `netguard serve` (compiled dist/, 2,000 namespaces of --state, per-review log line
// on, to a file) under a steady open-loop mix of the four bench reviews plus bad input, on
// 127.0.0.1 only. Every answer is checked (status, verdict, echoed uid); RSS is sampled every 10 s.
// Fails (exit 1) on any error or wrong answer, or when RSS grows more than 10% between the end of
// the warm-up and the end.
//
//   npm run soak                       10 minutes at 300 reviews/s (the first minute is warm-up)
//   SOAK_SECONDS=120 npm run soak      shorter (warm-up: a fifth of it, at most 60 s)
//   SOAK_RATE=500                      another rate
//
// Writes bench/soak-results.md (npm run bench copies it into bench/results.md; SOAK_OUTPUT=FILE
// writes elsewhere). Besides RSS it samples the V8 heap from netguard's own /metrics, since RSS after
// start-up first falls (the heap that parsing the state needed is given back) before it settles.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchState, reviewNamespace } from './cluster-state.js';
import { paced, type PacedRequest } from './load.js';
import { benchReviews } from './reviews.js';
import { prepareFixture, rssOf, ROOT, startNetguard, stateDir } from './servers.js';
import { fmt, table } from './stats.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const RATE = Number(process.env['SOAK_RATE'] ?? 300);
const WARMUP = Math.min(60, Math.floor(SECONDS / 5));
const SAMPLE_EVERY_MS = 10_000;
const MAX_GROWTH = 0.1;

interface Kind {
  name: string;
  weight: number;
  make: (uid: string) => PacedRequest;
}

/** The mix: mostly the four reviews (each with its own uid, which the answer must echo), ~10% bad input. */
function mix(namespace: string): Kind[] {
  const reviews = benchReviews(namespace);
  const templates = Object.fromEntries(Object.entries(reviews).map(([name, review]) => [name, { text: JSON.stringify(review), uid: review.request.uid }]));
  const review = (name: string, allowed: boolean) => (uid: string): PacedRequest => {
    const t = templates[name]!;
    return { body: t.text.replace(t.uid, uid), status: 200, expect: `"uid":"${uid}","allowed":${allowed}` };
  };
  const pod = JSON.parse(templates['pod-allowed']!.text) as { request: Record<string, unknown> };
  return [
    { name: 'pod-allowed', weight: 40, make: review('pod-allowed', true) },
    { name: 'pod-denied', weight: 20, make: review('pod-denied', false) },
    { name: 'rolebinding-create', weight: 15, make: review('rolebinding-create', false) },
    { name: 'netpol-update', weight: 15, make: review('netpol-update', false) },
    { name: 'bad: not JSON', weight: 3, make: () => ({ body: '{"apiVersion": "admission.k8s.io/v1", "kind": ', status: 400, expect: 'NETGUARD_ERR_REVIEW_INVALID' }) },
    { name: 'bad: no uid', weight: 2, make: () => ({ body: JSON.stringify({ ...pod, request: { ...pod.request, uid: undefined } }), status: 400, expect: 'request.uid' }) },
    { name: 'bad: content type', weight: 2, make: () => ({ body: 'uid=1', contentType: 'text/plain', status: 415, expect: 'application/json' }) },
    {
      name: 'bad: malformed request',
      weight: 3,
      make: (uid) => ({ body: JSON.stringify({ ...pod, request: { ...pod.request, uid, operation: 'EXPLODE' } }), status: 200, expect: `"uid":"${uid}","allowed":false` }),
    },
  ];
}

function picker(kinds: Kind[]): (i: number) => Kind {
  // a fixed, interleaved sequence: every 100 requests hold each kind `weight` times
  const sequence: Kind[] = [];
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  for (let slot = 0; slot < total; slot++) {
    let best = kinds[0]!;
    let bestScore = -Infinity;
    for (const k of kinds) {
      const taken = sequence.filter((s) => s === k).length;
      const score = (k.weight * (slot + 1)) / total - taken;
      if (score > bestScore) {
        best = k;
        bestScore = score;
      }
    }
    sequence.push(best);
  }
  return (i) => sequence[i % sequence.length]!;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/** nodejs_heap_size_used_bytes and nodejs_external_memory_bytes from netguard's /metrics. */
function heapOf(metricsUrl: string): Promise<{ heapUsed: number; external: number }> {
  return new Promise((resolve) => {
    const req = httpGet(metricsUrl, { timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
        resolve({ heapUsed: value('nodejs_heap_size_used_bytes'), external: value('nodejs_external_memory_bytes') });
      });
    });
    req.on('error', () => resolve({ heapUsed: NaN, external: NaN }));
    req.on('timeout', () => req.destroy());
  });
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-soak-'));
  try {
    const fixture = await prepareFixture(dir);
    const size = { ...benchState(2000), realistic: false };
    const state = stateDir(fixture, size);
    const logFile = join(dir, 'serve.log');
    const server = await startNetguard(fixture, { state, logFile });
    const kinds = mix(reviewNamespace(size));
    const pick = picker(kinds);
    const wrongByKind = new Map<string, number>();
    const firstWrong: string[] = [];
    const sentByKind = new Map<string, number>();

    console.log(`soak: ${SECONDS} s at ${RATE} reviews/s against netguard serve (pid ${server.pid}, ready in ${fmt(server.readyMs / 1000, 2)} s); warm-up ${WARMUP} s`);
    const started = performance.now();
    const samples: { t: number; rss: number; heapUsed: number; external: number }[] = [];
    const sample = async () => {
      const t = (performance.now() - started) / 1000;
      const rss = rssOf(server.pid);
      const heap = await heapOf(server.metricsUrl!);
      samples.push({ t, rss, ...heap });
      console.log(`  t=${String(Math.round(t)).padStart(4)} s  RSS ${fmt(mb(rss), 1)} MB  heap used ${fmt(mb(heap.heapUsed), 1)} MB  external ${fmt(mb(heap.external), 1)} MB`);
    };
    await sample();
    const timer = setInterval(() => void sample(), SAMPLE_EVERY_MS);
    let index = 0;
    const result = await paced({
      url: server.url,
      ca: fixture.caPem,
      rate: RATE,
      seconds: SECONDS - WARMUP,
      warmupSeconds: WARMUP,
      maxSockets: 16,
      next: (i) => {
        const kind = pick(i);
        sentByKind.set(kind.name, (sentByKind.get(kind.name) ?? 0) + 1);
        const request = kind.make(`soak-${process.pid}-${index++}`);
        return Object.assign(request, { kind: kind.name });
      },
      onWrong: (request, status, text) => {
        const name = (request as PacedRequest & { kind: string }).kind;
        wrongByKind.set(name, (wrongByKind.get(name) ?? 0) + 1);
        if (firstWrong.length < 5) firstWrong.push(`${name}: HTTP ${status} ${text.slice(0, 200)}`);
      },
    });
    clearInterval(timer);
    await sample();
    const exitCode = await server.stop();

    // start: the first sample at or after the warm-up; end: the last sample
    const start = samples.find((s) => s.t >= WARMUP - 0.5) ?? samples[0]!;
    const end = samples[samples.length - 1]!;
    const growth = (end.rss - start.rss) / start.rss;
    const after = samples.filter((s) => s.t >= start.t).map((s) => s.rss);
    const lowest = Math.min(...after);
    const highest = Math.max(...after);
    // the live heap: the lowest heap-used sample of each minute (just after a GC, roughly)
    const minutes = new Map<number, number>();
    for (const s of samples) if (s.t >= start.t) minutes.set(Math.floor(s.t / 60), Math.min(minutes.get(Math.floor(s.t / 60)) ?? Infinity, s.heapUsed));
    const heapLows = [...minutes.values()].filter(Number.isFinite);
    const logLines = Number(execFileSync('grep', ['-c', '"msg":"review"', logFile], { encoding: 'utf8' }).trim() || '0');
    const logBytes = statSync(logFile).size;
    const failed = result.errors > 0 || result.wrong > 0 || growth > MAX_GROWTH || exitCode !== 0;

    const summary = table(
      ['figure', 'value', 'limit'],
      [
        ['duration (measured after warm-up)', `${SECONDS} s (${SECONDS - WARMUP} s after ${WARMUP} s warm-up)`, ''],
        ['rate asked / achieved', `${RATE} / ${fmt(result.perSecond, 0)} reviews/s`, ''],
        ['requests (after warm-up)', String(result.requests), ''],
        ['RSS at end of warm-up', `${fmt(mb(start.rss), 1)} MB (t=${Math.round(start.t)} s)`, ''],
        ['RSS at end', `${fmt(mb(end.rss), 1)} MB (t=${Math.round(end.t)} s)`, ''],
        ['RSS growth', `${fmt(growth * 100, 1)} %`, `≤ ${MAX_GROWTH * 100} %`],
        ['RSS lowest / highest after warm-up', `${fmt(mb(lowest), 1)} / ${fmt(mb(highest), 1)} MB`, ''],
        ['RSS end vs lowest after warm-up', `${fmt(((end.rss - lowest) / lowest) * 100, 1)} %`, 'information'],
        ['V8 heap used, lowest in the first / last minute after warm-up', heapLows.length > 0 ? `${fmt(mb(heapLows[0]!), 1)} / ${fmt(mb(heapLows[heapLows.length - 1]!), 1)} MB` : 'n/a', 'information'],
        ['connection errors / timeouts', String(result.errors), '0'],
        ['wrong answers (status, verdict or uid)', String(result.wrong), '0'],
        ['latency p50 / p90 / p99 / max', `${fmt(result.p50ms, 2)} / ${fmt(result.p90ms, 2)} / ${fmt(result.p99ms, 2)} / ${fmt(result.maxMs, 1)} ms`, ''],
        ['review log lines written', `${logLines} (${fmt(logBytes / 1024 / 1024, 1)} MB)`, ''],
        ['serve exit code after SIGTERM', String(exitCode), '0'],
        ['result', failed ? 'FAIL' : 'PASS', ''],
      ],
    );
    const mixTable = table(
      ['kind', 'sent', 'wrong'],
      kinds.map((k) => [k.name, sentByKind.get(k.name) ?? 0, wrongByKind.get(k.name) ?? 0]),
    );
    const rssTable = table(['t (s)', 'RSS (MB)', 'V8 heap used (MB)', 'external (MB)'], samples.map((s) => [Math.round(s.t), fmt(mb(s.rss), 1), fmt(mb(s.heapUsed), 1), fmt(mb(s.external), 1)]));
    const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
    const report = [
      `### Soak (\`npm run soak\`, ${new Date().toISOString()})`,
      '',
      `Machine: ${cpus().length} CPUs (${cpu}), Node ${process.version}. Command: \`${process.env['SOAK_SECONDS'] ? `SOAK_SECONDS=${SECONDS} ` : ''}npm run soak\`. ` +
        `netguard serve from dist/ with 2,000 namespaces of --state, log level info (one line per review) to a file; ` +
        `open-loop load from the same process (latency counted from each request's scheduled send time), keep-alive, up to 16 connections.`,
      '',
      summary,
      '',
      'Mix (fixed interleaved sequence; each review carries its own uid, which the answer must echo):',
      '',
      mixTable,
      '',
      ...(firstWrong.length > 0 ? ['First wrong answers:', '', ...firstWrong.map((w) => `- ${w}`), ''] : []),
      '<details><summary>Memory every 10 s</summary>',
      '',
      rssTable,
      '',
      '</details>',
      '',
    ].join('\n');
    console.log(`\n${report}`);
    writeFileSync(process.env['SOAK_OUTPUT'] ?? join(ROOT, 'bench/soak-results.md'), report);
    return failed ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
