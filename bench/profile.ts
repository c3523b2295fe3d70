// Where a review's time goes: runs the real `netguard serve` (dist/, 2,000 namespaces, review log
// line on) under `node --cpu-prof`, loads it at saturation with the allowed Pod review, stops it
// (the profile is written at exit) and sorts the samples taken while serving into buckets: TLS and
// socket writes, node's HTTP, fastify, JSON parsing, the handler, pino, prom-client, the engine, GC.
//
//   npx tsx bench/profile.ts              PROFILE_SECONDS=10, PROFILE_REVIEW=pod-allowed
//   PROFILE_KEEP=1 npx tsx bench/profile.ts   keeps the .cpuprofile (open it in Chrome DevTools)
//   PROFILE_LOG_LEVEL=debug npx tsx bench/profile.ts   every review logged
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchState, reviewNamespace } from './cluster-state.js';
import { saturate } from './load.js';
import { benchReviews } from './reviews.js';
import { prepareFixture, startNetguard, stateDir } from './servers.js';
import { fmt, table } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First matching bucket wins; a sample is judged by its whole stack, leaf first. */
const BUCKETS: [string, (frames: CallFrame[]) => boolean][] = [
  ['start-up (excluded)', (f) => f.some((c) => c.functionName === 'startServe' || c.functionName === 'loadStaticState')],
  ['idle', (f) => f[0]!.functionName === '(idle)'],
  ['garbage collection', (f) => f[0]!.functionName === '(garbage collector)'],
  ['log line (pino, sonic-boom)', (f) => f.some((c) => /\/(pino|sonic-boom)\//.test(c.url))],
  ['metrics (prom-client)', (f) => f.some((c) => /\/prom-client\//.test(c.url))],
  ['JSON.parse + schema checks (parseReview)', (f) => f.some((c) => c.functionName === 'parseReview')],
  ['rules (engine)', (f) => f.some((c) => /\/src\/rules\//.test(c.url))],
  ['handler (mode, response, bookkeeping)', (f) => f.some((c) => /\/src\/admission\//.test(c.url))],
  ['TLS + socket writes (native)', (f) => ['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String'].includes(f[0]!.functionName)],
  ['fastify (routing, body, hooks, serializer)', (f) => f.some((c) => /\/(fastify|find-my-way|fast-json-stringify|avvio)\//.test(c.url))],
  ['node http', (f) => f.some((c) => /_http_|http_common/.test(c.url))],
  ['node other (streams, TLS reads, timers)', (f) => f.some((c) => c.url.startsWith('node:'))],
  ['other', () => true],
];

export function bucketize(profile: CpuProfile, reviews: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frames: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur)!.callFrame);
    const bucket = BUCKETS.find(([, match]) => match(frames))![0];
    totals.set(bucket, (totals.get(bucket) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  totals.delete('start-up (excluded)');
  const busy = [...totals].filter(([name]) => name !== 'idle').reduce((sum, [, us]) => sum + us, 0);
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => [name, fmt(us / 1000, 0), name === 'idle' ? '' : fmt((100 * us) / busy, 1), name === 'idle' ? '' : fmt(us / reviews, 1)]);
  return table(['bucket', 'ms', '% of busy', 'µs / review'], rows);
}

async function main(): Promise<void> {
  const seconds = Number(process.env['PROFILE_SECONDS'] ?? 10);
  const reviewName = process.env['PROFILE_REVIEW'] ?? 'pod-allowed';
  const dir = mkdtempSync(join(tmpdir(), 'netguard-profile-'));
  try {
    const fixture = await prepareFixture(dir);
    const size = { ...benchState(2000), realistic: false };
    const profileDir = join(dir, 'profile');
    const server = await startNetguard(fixture, { state: stateDir(fixture, size), logFile: join(dir, 'serve.log'), logLevel: process.env['PROFILE_LOG_LEVEL'] ?? 'info', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    const body = JSON.stringify(benchReviews(reviewNamespace(size))[reviewName]);
    const result = await saturate({ url: server.url, body, connections: 32, seconds });
    await server.stop();
    // the main thread's profile is the largest one
    const file = readdirSync(profileDir)
      .map((name) => join(profileDir, name))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(`netguard serve under ${result.tool}, ${reviewName}, 32 connections, ${seconds} s: ${result.requests} reviews, ${fmt(result.perSecond, 0)}/s (with the profiler on)`);
    console.log(bucketize(profile, result.requests));
    if (process.env['PROFILE_KEEP']) {
      const kept = join(tmpdir(), `netguard-${Date.now()}.cpuprofile`);
      copyFileSync(file, kept);
      console.log(`profile kept: ${kept}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
