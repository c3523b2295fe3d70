// `npm run bench`: every figure measured in one run, side by side, each repeated (BENCH_REPS, 3)
// and reported as the median; prints the tables and writes bench/results.md.
//
//  1. in-process: engine.evaluate and AdmissionHandler.handle per review kind (2,000 namespaces);
//  2. start-up of `netguard serve --state` with 2,000 and 10,000 namespaces: spawn → /readyz 200, RSS;
//  3. HTTPS, real `netguard serve` (dist/, log level info: a line per review with a finding, to a
//     file) against the bare node:https server, same certificate, same payloads, 127.0.0.1:
//     saturation with 32 keep-alive connections (wrk, or autocannon without it), then paced at
//     1,000 reviews/s (open loop); the allowed pod also against a second netguard logging every
//     review (--log-level debug);
//  4. the live cache at 10,000 namespaces (bench/live-cache.ts, its own process);
//  5. the fuzz tests at FUZZ_RUNS=10000;
//  6. `netguard reach` at 2,000 namespaces × 3 workloads (bench/reach.ts, its own process).
// The last soak result (bench/soak-results.md, from `npm run soak`) is copied into results.md.
//
// Everything is bounded (about 8 minutes on 2 cores) and talks to 127.0.0.1 only.
// BENCH_REPS, BENCH_SAT_ROUNDS and BENCH_SECONDS (saturation rounds and run length), BENCH_SKIP=fuzz,live,startup,reach,manifests skip parts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchState, reviewNamespace, type StateSize } from './cluster-state.js';
import { inProcessTable, runEngineBench, runHandlerBench, type InProcessResult } from './engine.js';
import { paced, postOnce, saturate, type LoadResult } from './load.js';
import { benchReviews } from './reviews.js';
import { manifestTable, runManifestBench, type ManifestBench } from './manifests.js';
import { cpuMsOf, prepareFixture, ROOT, rssOf, startBare, startNetguard, stateDir, type Fixture } from './servers.js';
import { fmt, median, table } from './stats.js';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
/**
 * Saturation is measured in more, shorter rounds than the rest: on a shared 2-core VM one server's
 * throughput swings by a third from one 5 s run to the next, and a ratio of two runs made back to
 * back holds steadier the closer together they are; the median of 9 such pairs is what is reported.
 */
const SAT_ROUNDS = Number(process.env['BENCH_SAT_ROUNDS'] ?? 9);
const LOAD_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const CONNECTIONS = 32;
const PACED_RATE = 1000;
const PACED_SECONDS = 3;
const FUZZ_RUNS = 10_000;
const SKIP = new Set((process.env['BENCH_SKIP'] ?? '').split(',').filter(Boolean));

const TARGETS = {
  /** throughput × bare at saturation */
  allowedRatio: 0.85,
  deniedRatio: 0.75,
  everyReviewLoggedRatio: 0.75,
  /** pod-allowed p99 at 1,000 reviews/s paced, × bare's */
  pacedP99Ratio: 1.3,
  engineP99Us: 50,
};

/** The one table of results.md: each target, what was measured, met or not. Every part adds its rows. */
const targetRows: string[][] = [];
function target(text: string, measured: string, met: boolean): void {
  targetRows.push([text, measured, met ? 'met' : '**NOT met**']);
}

/** `serve --state` reads manifests as a repository holds them: no managedFields, no status. */
const stateOf = (namespaces: number): StateSize => ({ ...benchState(namespaces), realistic: false });

const mb = (bytes: number) => bytes / 1024 / 1024;
const log = (text: string) => console.log(text);
const section = (title: string) => log(`\n== ${title}`);

// ---- in-process --------------------------------------------------------------------------------

/** Median of each figure over the repetitions, per review. */
function medianResults(runs: InProcessResult[][]): InProcessResult[] {
  return runs[0]!.map((first, i) => ({
    review: first.review,
    perSecond: median(runs.map((r) => r[i]!.perSecond)),
    p50us: median(runs.map((r) => r[i]!.p50us)),
    p99us: median(runs.map((r) => r[i]!.p99us)),
    outcome: first.outcome,
  }));
}

async function inProcess(): Promise<{ engine: InProcessResult[]; handler: InProcessResult[] }> {
  const engineRuns: InProcessResult[][] = [];
  const handlerRuns: InProcessResult[][] = [];
  for (let rep = 0; rep < REPS; rep++) {
    engineRuns.push(runEngineBench(2000));
    handlerRuns.push(await runHandlerBench(2000));
  }
  return { engine: medianResults(engineRuns), handler: medianResults(handlerRuns) };
}

// ---- start-up ----------------------------------------------------------------------------------

interface StartupResult {
  namespaces: number;
  objects: number;
  stateMb: number;
  readyMs: number[];
  rss: number[];
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

async function startup(fixture: Fixture, namespaces: number): Promise<StartupResult> {
  const size = stateOf(namespaces);
  const dir = stateDir(fixture, size);
  const objects = readdirSync(dir).reduce((sum, file) => sum + (readFileSync(join(dir, file), 'utf8').match(/^apiVersion:/gm)?.length ?? 0), 0);
  const result: StartupResult = { namespaces, objects, stateMb: mb(dirSize(dir)), readyMs: [], rss: [] };
  for (let rep = 0; rep < REPS; rep++) {
    const server = await startNetguard(fixture, { state: dir, logFile: '/dev/null' });
    result.readyMs.push(server.readyMs);
    result.rss.push(rssOf(server.pid));
    await server.stop();
  }
  return result;
}

// ---- HTTPS load --------------------------------------------------------------------------------

type ServerName = 'bare' | 'netguard' | 'debug';
type Saturation = LoadResult & { cpuUsPerReview: number };

interface LoadRow {
  review: string;
  expectAllowed: boolean;
  /** `debug` (every review logged) only for the allowed pod, where the log level makes a difference */
  saturation: Record<ServerName, Saturation[]>;
  paced: Record<'bare' | 'netguard', LoadResult[]>;
}

/** The server run second in one round of the first, and so on: none always runs on a warmer machine. */
function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

async function httpsLoad(fixture: Fixture, logFiles: Record<'netguard' | 'debug', string>): Promise<{ rows: LoadRow[]; tool: string; rssAfter: number }> {
  const size = stateOf(2000);
  const state = stateDir(fixture, size);
  const netguard = await startNetguard(fixture, { state, logFile: logFiles.netguard });
  const debug = await startNetguard(fixture, { state, logFile: logFiles.debug, logLevel: 'debug' });
  const bare = await startBare(fixture);
  const servers = { bare, netguard, debug };
  let tool = '';
  try {
    const reviews = benchReviews(reviewNamespace(size));
    const rows: LoadRow[] = [];
    for (const [review, body] of Object.entries(reviews).map(([name, r]) => [name, JSON.stringify(r)] as const)) {
      // the verdict netguard gives is checked once: the numbers are for the right answers
      const { text: answer } = await postOnce(netguard.url, fixture.caPem, body);
      const allowed = /"allowed":(true|false)/.exec(answer)?.[1] === 'true';
      if (!answer.includes(`"uid":"${(JSON.parse(body) as { request: { uid: string } }).request.uid}"`)) throw new Error(`netguard answered ${review} wrongly: ${answer}`);
      rows.push({ review, expectAllowed: allowed, saturation: { bare: [], netguard: [], debug: [] }, paced: { bare: [], netguard: [] } });
      for (const server of [bare, netguard, debug]) await saturate({ url: server.url, body, connections: CONNECTIONS, seconds: 2 }); // warm-up
    }
    const bodies = Object.fromEntries(Object.entries(reviews).map(([name, r]) => [name, JSON.stringify(r)]));
    for (let round = 0; round < SAT_ROUNDS; round++) {
      for (const row of rows) {
        const names: ServerName[] = row.review === 'pod-allowed' ? ['bare', 'netguard', 'debug'] : ['bare', 'netguard'];
        for (const name of rotate(names, round)) {
          const server = servers[name];
          const cpu0 = cpuMsOf(server.pid);
          const result = await saturate({ url: server.url, body: bodies[row.review]!, connections: CONNECTIONS, seconds: LOAD_SECONDS });
          const cpuUsPerReview = ((cpuMsOf(server.pid) - cpu0) * 1000) / Math.max(1, result.requests);
          tool = result.tool;
          row.saturation[name].push({ ...result, cpuUsPerReview });
          log(`  ${row.review.padEnd(18)} ${name.padEnd(8)} saturation  ${fmt(result.perSecond, 0).padStart(6)} req/s  p99 ${fmt(result.p99ms, 2)} ms  ${fmt(cpuUsPerReview, 0)} µs CPU/review`);
        }
      }
    }
    for (let rep = 0; rep < REPS; rep++) {
      for (const row of rows) {
        for (const name of rotate(['bare', 'netguard'] as const, rep)) {
          const server = servers[name];
          const expect = name === 'bare' || row.expectAllowed ? '"allowed":true' : '"allowed":false';
          const result = await paced({ url: server.url, ca: fixture.caPem, rate: PACED_RATE, seconds: PACED_SECONDS, warmupSeconds: 0.5, next: () => ({ body: bodies[row.review]!, status: 200, expect }) });
          row.paced[name].push(result);
          log(`  ${row.review.padEnd(18)} ${name.padEnd(8)} ${PACED_RATE}/s paced  p50 ${fmt(result.p50ms, 2)}  p99 ${fmt(result.p99ms, 2)} ms  wrong ${result.wrong}, errors ${result.errors}`);
        }
      }
    }
    return { rows, tool, rssAfter: rssOf(netguard.pid) };
  } finally {
    await Promise.all([netguard.stop(), debug.stop(), bare.stop()]);
  }
}

// ---- live cache and fuzz (their own processes) --------------------------------------------------

interface LiveCacheSummary {
  readyMs: number;
  ready: boolean;
  productionRssBytes: number;
  emptyPod: { p50: number; p99: number };
  loadedPod: { p50: number; p99: number };
  emptyBinding: { p50: number; p99: number };
  loadedBinding: { p50: number; p99: number };
  pass: boolean;
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: performance.now() - started });
    });
  });
}

async function liveCache(): Promise<{ summary?: LiveCacheSummary; text: string }> {
  const { out } = await runChild(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/live-cache.ts', '--json'], {}, 240_000);
  const json = /LIVE_CACHE_JSON (\{.*\})/.exec(out)?.[1];
  const text = out.split('\n').filter((line) => !line.startsWith('LIVE_CACHE_JSON') && !line.startsWith('npm warn')).join('\n').trim();
  return { ...(json ? { summary: JSON.parse(json) as LiveCacheSummary } : {}), text };
}

/** bench/reach.ts in its own process, so its heap figures are its own. */
async function reachBench(): Promise<string> {
  const { out } = await runChild(process.execPath, ['--import', 'tsx', 'bench/reach.ts'], {}, 300_000);
  return out.split('\n').filter((line) => !line.startsWith('npm warn')).join('\n').trim();
}

interface FuzzSummary {
  ok: boolean;
  files: number;
  tests: number;
  passed: number;
  failed: number;
  seconds: number;
  byTest: { file: string; name: string; status: string; ms: number }[];
  output: string;
}

async function fuzz(): Promise<FuzzSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-fuzz-'));
  try {
    const report = join(dir, 'fuzz.json');
    const vitest = join(ROOT, 'node_modules/.bin/vitest');
    const { code, out, ms } = await runChild(vitest, ['run', 'test/fuzz', '--reporter=json', `--outputFile=${report}`], { FUZZ_RUNS: String(FUZZ_RUNS) }, 300_000);
    if (!existsSync(report)) return { ok: false, files: 0, tests: 0, passed: 0, failed: 0, seconds: ms / 1000, byTest: [], output: out.slice(-2000) };
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numTotalTestSuites: number;
      numTotalTests: number;
      numPassedTests: number;
      numFailedTests: number;
      testResults: { name: string; assertionResults: { fullName: string; status: string; duration?: number }[] }[];
    };
    return {
      ok: code === 0 && json.numFailedTests === 0,
      files: json.testResults.length,
      tests: json.numTotalTests,
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      seconds: ms / 1000,
      byTest: json.testResults.flatMap((file) =>
        file.assertionResults.map((test) => ({ file: file.name.replace(`${ROOT}`, ''), name: test.fullName, status: test.status, ms: test.duration ?? 0 })),
      ),
      output: code === 0 ? '' : out.slice(-2000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report ------------------------------------------------------------------------------------

const ms3 = (r: LoadResult[]) => `${fmt(median(r.map((x) => x.p50ms)), 2)} / ${fmt(median(r.map((x) => x.p90ms)), 2)} / ${fmt(median(r.map((x) => x.p99ms)), 2)}`;

/** netguard's throughput over bare's, round by round (the two ran back to back in each round). */
function roundRatios(bare: readonly LoadResult[], netguard: readonly LoadResult[]): number[] {
  return netguard.map((n, i) => n.perSecond / bare[i]!.perSecond);
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const load0 = loadavg();
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
  log(`netguard benchmarks — ${cpus().length} CPUs (${cpuModel}), Node ${process.version}, ${REPS} repetitions`);

  section('build (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });

  const dir = mkdtempSync(join(tmpdir(), 'netguard-bench-'));
  const fixture = await prepareFixture(dir);
  try {
    section('in-process: engine and handler, 2,000 namespaces');
    const { engine, handler } = await inProcess();
    log(inProcessTable(engine));
    log(inProcessTable(handler));

    let startups: StartupResult[] = [];
    if (!SKIP.has('startup')) {
      section('start-up: netguard serve --state');
      for (const n of [2000, 10_000]) {
        const result = await startup(fixture, n);
        startups.push(result);
        log(`  ${n} namespaces (${result.objects} objects, ${fmt(result.stateMb, 1)} MB of YAML): ready ${result.readyMs.map((m) => fmt(m, 0)).join(', ')} ms; RSS ${result.rss.map((r) => fmt(mb(r), 0)).join(', ')} MB`);
      }
    }

    let manifests: ManifestBench | undefined;
    if (!SKIP.has('manifests')) {
      section('manifest reading: check of a GitOps tree vs js-yaml, one 60,000-object file, serve --state 10,000 (bench/manifests.ts)');
      manifests = await runManifestBench(fixture, log);
    }

    section(`HTTPS: netguard serve vs bare node:https (${CONNECTIONS} connections, ${LOAD_SECONDS} s per run; paced ${PACED_RATE}/s for ${PACED_SECONDS} s)`);
    const logFiles = { netguard: join(dir, 'serve.log'), debug: join(dir, 'serve-debug.log') };
    const load = await httpsLoad(fixture, logFiles);
    // grep -c exits 1 when it counts nothing
    const reviewLines = (file: string) => Number(spawnSync('grep', ['-c', '"msg":"review"', file], { encoding: 'utf8' }).stdout.trim() || '0');
    const logLines = { netguard: reviewLines(logFiles.netguard), debug: reviewLines(logFiles.debug) };

    let live: { summary?: LiveCacheSummary; text: string } = { text: 'skipped (BENCH_SKIP=live)' };
    if (!SKIP.has('live')) {
      section('live cache, 10,000 namespaces (bench/live-cache.ts)');
      live = await liveCache();
      log(live.text);
    }

    let fuzzResult: FuzzSummary | undefined;
    if (!SKIP.has('fuzz')) {
      section(`fuzz tests, FUZZ_RUNS=${FUZZ_RUNS} (npx vitest run test/fuzz)`);
      fuzzResult = await fuzz();
      log(`  ${fuzzResult.ok ? 'PASS' : 'FAIL'}: ${fuzzResult.passed}/${fuzzResult.tests} tests in ${fuzzResult.files} files, ${fmt(fuzzResult.seconds, 0)} s`);
    }
    let reach = 'skipped (BENCH_SKIP=reach)';
    if (!SKIP.has('reach')) {
      section('netguard reach, 2,000 namespaces × 3 workloads (bench/reach.ts)');
      reach = await reachBench();
      log(reach);
    }
    const load1 = loadavg();

    // ---- tables
    const saturationRows = load.rows.flatMap((row) => (row.saturation.debug.length > 0 ? [[row, 'netguard'], [row, 'debug']] : [[row, 'netguard']]) as [LoadRow, 'netguard' | 'debug'][]);
    const saturationTable = table(
      ['review', 'verdict', 'bare req/s', 'netguard req/s', 'ratio (median of rounds; lowest–highest)', 'bare p50 / p90 / p99 ms', 'netguard p50 / p90 / p99 ms', 'CPU µs/review bare / netguard'],
      saturationRows.map(([row, name]) => {
        const b = row.saturation.bare;
        const n = row.saturation[name];
        const ratios = roundRatios(b, n);
        return [
          name === 'debug' ? `${row.review}, every review logged` : row.review,
          row.expectAllowed ? 'allowed' : 'denied',
          fmt(median(b.map((x) => x.perSecond)), 0),
          fmt(median(n.map((x) => x.perSecond)), 0),
          `${fmt(median(ratios), 2)} (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)})`,
          ms3(b),
          ms3(n),
          `${fmt(median(b.map((x) => x.cpuUsPerReview)), 0)} / ${fmt(median(n.map((x) => x.cpuUsPerReview)), 0)}`,
        ];
      }),
    );
    const pacedTable = table(
      ['review', 'bare p50 / p90 / p99 ms', 'netguard p50 / p90 / p99 ms', 'netguard max ms', 'wrong answers', 'errors'],
      load.rows.map((row) => [
        row.review,
        ms3(row.paced.bare),
        ms3(row.paced.netguard),
        fmt(median(row.paced.netguard.map((x) => x.maxMs)), 1),
        row.paced.netguard.reduce((s, x) => s + x.wrong, 0) + row.paced.bare.reduce((s, x) => s + x.wrong, 0),
        row.paced.netguard.reduce((s, x) => s + x.errors, 0) + row.paced.bare.reduce((s, x) => s + x.errors, 0),
      ]),
    );
    const startupTable = table(
      ['namespaces', 'objects', 'YAML', 'spawn → /readyz 200 (median; runs)', 'RSS at ready (median; runs)'],
      startups.map((s) => [
        s.namespaces.toLocaleString('en'),
        s.objects.toLocaleString('en'),
        `${fmt(s.stateMb, 1)} MB`,
        `${fmt(median(s.readyMs) / 1000, 2)} s (${s.readyMs.map((m) => fmt(m / 1000, 2)).join(', ')})`,
        `${fmt(mb(median(s.rss)), 0)} MB (${s.rss.map((r) => fmt(mb(r), 0)).join(', ')})`,
      ]),
    );
    const liveTable = live.summary
      ? table(
          ['figure', 'value', 'target'],
          [
            ['start → ready (list + watch of 10k ns, 50k policies, 5k roles, 20k bindings)', `${fmt(live.summary.readyMs / 1000, 2)} s${live.summary.ready ? '' : ' (NOT READY)'}`, '≤ 10 s'],
            ['estimated production RSS after sync', `${fmt(mb(live.summary.productionRssBytes), 0)} MB`, '≤ 250 MB'],
            ['Pod CREATE p50 / p99, loaded (empty cache)', `${fmt(live.summary.loadedPod.p50, 1)} / ${fmt(live.summary.loadedPod.p99, 1)} µs (${fmt(live.summary.emptyPod.p50, 1)} / ${fmt(live.summary.emptyPod.p99, 1)})`, 'unchanged'],
            ['RoleBinding CREATE p50 / p99, loaded (empty cache)', `${fmt(live.summary.loadedBinding.p50, 1)} / ${fmt(live.summary.loadedBinding.p99, 1)} µs (${fmt(live.summary.emptyBinding.p50, 1)} / ${fmt(live.summary.emptyBinding.p99, 1)})`, 'unchanged'],
          ],
        )
      : `live-cache benchmark gave no figures:\n\n\`\`\`\n${live.text.slice(-2000)}\n\`\`\``;
    const fuzzTable = fuzzResult
      ? table(
          ['test', 'status', 'seconds'],
          fuzzResult.byTest.map((t) => [`${t.file}: ${t.name}`, t.status, fmt(t.ms / 1000, 1)]),
        )
      : 'skipped (BENCH_SKIP=fuzz)';

    const rowOf = (review: string) => load.rows.find((r) => r.review === review)!;
    const throughput = (review: string, name: 'netguard' | 'debug') => median(roundRatios(rowOf(review).saturation.bare, rowOf(review).saturation[name]));
    const allowedRatio = throughput('pod-allowed', 'netguard');
    const deniedRatio = throughput('pod-denied', 'netguard');
    const loggedRatio = throughput('pod-allowed', 'debug');
    const pacedRatios = load.rows.map((r) => median(r.paced.netguard.map((x) => x.p99ms)) / median(r.paced.bare.map((x) => x.p99ms)));
    const pacedPodRatio = pacedRatios[load.rows.indexOf(rowOf('pod-allowed'))]!;
    const engineP99 = Math.max(...engine.map((r) => r.p99us));
    const pacedWrong = load.rows.reduce((s, r) => s + r.paced.netguard.reduce((t, x) => t + x.wrong + x.errors, 0), 0);
    target(`allowed pod: throughput ≥ ${TARGETS.allowedRatio} × bare (aim 0.9)`, `${fmt(allowedRatio, 2)} ×`, allowedRatio >= TARGETS.allowedRatio);
    target(`denied pod: throughput ≥ ${TARGETS.deniedRatio} × bare`, `${fmt(deniedRatio, 2)} ×`, deniedRatio >= TARGETS.deniedRatio);
    target(`every review logged (--log-level debug), allowed pod: throughput ≥ ${TARGETS.everyReviewLoggedRatio} × bare`, `${fmt(loggedRatio, 2)} ×`, loggedRatio >= TARGETS.everyReviewLoggedRatio);
    target(
      `paced p99 at ${PACED_RATE} reviews/s ≤ ${TARGETS.pacedP99Ratio} × bare's (allowed pod; all four: ${pacedRatios.map((r) => fmt(r, 2)).join(', ')})`,
      `${fmt(pacedPodRatio, 2)} ×`,
      pacedPodRatio <= TARGETS.pacedP99Ratio,
    );
    target('every paced answer right (status + verdict)', `${pacedWrong} wrong or failed`, pacedWrong === 0);
    target(`engine p99 ≤ ${TARGETS.engineP99Us} µs (worst review kind, 2,000 namespaces)`, `${fmt(engineP99, 2)} µs`, engineP99 <= TARGETS.engineP99Us);
    if (live.summary) {
      target('live cache ready ≤ 10 s at 10k namespaces', `${fmt(live.summary.readyMs / 1000, 2)} s`, live.summary.readyMs <= 10_000 && live.summary.ready);
      target('live cache RSS ≤ 250 MB at 10k namespaces', `${fmt(mb(live.summary.productionRssBytes), 0)} MB`, live.summary.productionRssBytes <= 250 * 1024 * 1024);
    }
    if (fuzzResult) target(`fuzz tests pass at FUZZ_RUNS=${FUZZ_RUNS}`, `${fuzzResult.passed}/${fuzzResult.tests}`, fuzzResult.ok);
    const targets = table(['target', 'measured', ''], targetRows);
    log(`\n${targets}`);

    const soakPath = join(ROOT, 'bench/soak-results.md');
    const soakNote =
      'The RSS at the end of the warm-up minute still holds the heap that parsing the YAML state needed; V8 returns it about two minutes after start, so the later samples show the steady state.';
    const soak = existsSync(soakPath)
      ? `${readFileSync(soakPath, 'utf8').replace(/^### Soak/, '## Last soak').trim()}\n\n${soakNote}`
      : '## Soak\n\nNot run yet: `npm run soak` writes bench/soak-results.md.';
    const minutes = (performance.now() - t0) / 60_000;
    const md = [
      '# netguard benchmark results',
      '',
      `Generated by \`npm run bench\` (bench/run.ts) on ${started.toISOString()} in ${fmt(minutes, 1)} minutes.`,
      '',
      `- Machine: ${cpus().length} CPUs (\`nproc\`), ${cpuModel}, Node ${process.version}, Linux. Load average before / after: ${load0.map((l) => fmt(l, 2)).join(' ')} / ${load1.map((l) => fmt(l, 2)).join(' ')}.`,
      `- Every figure is the median of ${REPS} rounds made in this one invocation (saturation: ${SAT_ROUNDS} rounds of ${LOAD_SECONDS} s runs); in each round the servers run back to back, in an order that rotates round by round, and a throughput ratio is taken within each round (the table gives the median and the range: how noisy the machine was).`,
      `- **Two cores only**: the load generator (${load.tool}, one thread) and, for paced runs, this Node process share them with the server, so absolute figures understate a dedicated machine and ratios are the meaningful numbers. Other work on the machine shows up as noise (see the load average).`,
      '- Servers: `node dist/src/cli/main.js serve --state DIR` (2,000 namespaces as YAML, all `enforce`, config `defaultMode: enforce`), log level info — one JSON line per review with a finding (denied, warned, annotated) through pino\'s asynchronous destination to a file, none for a clean allow — and, for the allowed pod, a second netguard at \`--log-level debug\` that logs every review; the bare server is bench/bare-server.ts (node:https, `JSON.parse` of the body, `allowed: true` for its uid). Same ECDSA P-256 certificate (src/certs/generate.ts), same payloads (bench/reviews.ts: a ~4 KB Pod CREATE allowed and denied, a RoleBinding CREATE, a NetworkPolicy UPDATE), keep-alive, 127.0.0.1.',
      '',
      '## Targets',
      '',
      targets,
      '',
      'Where the time goes, what was fixed and why the unmet targets are not met: [README.md](README.md#where-the-time-goes).',
      '',
      `## HTTPS at saturation (${CONNECTIONS} keep-alive connections, ${LOAD_SECONDS} s a run, ${load.tool})`,
      '',
      saturationTable,
      '',
      'CPU µs/review: user + system CPU of the server process (all its threads, from /proc) over the run, divided by the reviews answered.',
      '',
      `## HTTPS paced at ${PACED_RATE} reviews/s (open loop, ${PACED_SECONDS} s a run after 0.5 s warm-up)`,
      '',
      'Latency counts from each request\'s scheduled send time (no coordinated omission); the client is this Node process, so its own event-loop delays are included for both servers.',
      '',
      pacedTable,
      '',
      `netguard wrote ${logLines.netguard.toLocaleString('en')} review log lines during these runs (the one at debug: ${logLines.debug.toLocaleString('en')}); its RSS after them: ${fmt(mb(load.rssAfter), 0)} MB.`,
      '',
      '## In-process, 2,000 namespaces',
      '',
      '`engine.evaluate` (the rules alone):',
      '',
      inProcessTable(engine),
      '',
      '`AdmissionHandler.handle` on the raw JSON string (parse, schema checks, mode, engine, response, the review log line to /dev/null, metrics):',
      '',
      inProcessTable(handler),
      '',
      '## Start-up: `netguard serve --state DIR` (spawn → GET /readyz 200 over HTTPS)',
      '',
      startups.length > 0 ? startupTable : 'skipped (BENCH_SKIP=startup)',
      '',
      'The state is YAML as a repository holds manifests (no managedFields or status); parsing it with the `yaml` package is most of the start-up time.',
      '',
      '## Manifest reading (bench/manifests.ts)',
      '',
      manifests ? manifestTable(manifests) : 'skipped (BENCH_SKIP=manifests)',
      '',
      '## Live cache at 10,000 namespaces (bench/live-cache.ts)',
      '',
      liveTable,
      '',
      `## Fuzzing at bench scale (FUZZ_RUNS=${FUZZ_RUNS}, \`npx vitest run test/fuzz\`)`,
      '',
      fuzzResult ? `${fuzzResult.ok ? 'PASS' : '**FAIL**'}: ${fuzzResult.passed} of ${fuzzResult.tests} tests in ${fuzzResult.files} files, ${fmt(fuzzResult.seconds, 0)} s. Each property runs FUZZ_RUNS cases unless the test scales it (see the test files).` : '',
      '',
      fuzzTable,
      ...(fuzzResult && !fuzzResult.ok ? ['', '```', fuzzResult.output, '```'] : []),
      '',
      '## Reachability: `netguard reach` (bench/reach.ts)',
      '',
      reach,
      '',
      soak.trim(),
      '',
    ].join('\n');
    writeFileSync(join(ROOT, 'bench/results.md'), md);
    log(`\nwrote bench/results.md (${fmt(minutes, 1)} minutes)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
