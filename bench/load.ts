// Load generators, keep-alive over HTTPS to 127.0.0.1:
//  - saturate: N connections each sending the next request as soon as the answer is in (closed
//    loop: the server's ceiling on this machine). wrk (one thread) when it is on the PATH: in C it
//    takes far less of the 2 cores from the server than autocannon (JavaScript, in this process),
//    which is the fallback;
//  - paced: open loop at a fixed rate, wrk2-style: each request has a scheduled send time and its
//    latency counts from then, so a server that falls behind is charged for the queue it causes
//    (no coordinated omission). Also checks every answer (status, verdict).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
  /** connection errors and timeouts */
  errors: number;
  /** answers that were not the expected status or verdict */
  wrong: number;
}

function summarize(samples: Float64Array, count: number, seconds: number, errors: number, wrong: number): LoadResult {
  const sorted = Array.from(samples.subarray(0, count)).sort((a, b) => a - b);
  return {
    requests: count,
    perSecond: count / seconds,
    p50ms: percentile(sorted, 50),
    p90ms: percentile(sorted, 90),
    p99ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    errors,
    wrong,
  };
}

export interface SaturateOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
}

/** `wrk 4.x` when installed (Debian: apt-get install wrk), else undefined. */
export function wrkVersion(): string | undefined {
  try {
    return /wrk (\S+)/.exec(execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? 'wrk';
  } catch (error) {
    // wrk prints its version and usage, then exits 1
    const out = String((error as { stdout?: unknown }).stdout ?? '');
    return /wrk (\S+)/.exec(out)?.[1];
  }
}

const WRK_SCRIPT = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"errors":%d,"status":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;

/** Closed-loop load with wrk (one thread, `connections` keep-alive connections). */
export async function saturateWrk(options: SaturateOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    const body = join(dir, 'body.json');
    writeFileSync(script, WRK_SCRIPT);
    writeFileSync(body, options.body);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', script, options.url], {
        env: { ...process.env, WRK_BODY: body },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const line = /WRK_JSON (\{.*\})/.exec(out)?.[1];
    if (!line) throw new Error(`wrk printed no summary: ${out}`);
    const r = JSON.parse(line) as { requests: number; us: number; p50: number; p90: number; p99: number; max: number; errors: number; status: number };
    return { requests: r.requests, perSecond: r.requests / (r.us / 1e6), p50ms: r.p50 / 1000, p90ms: r.p90 / 1000, p99ms: r.p99 / 1000, maxMs: r.max / 1000, errors: r.errors, wrong: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Closed-loop load with autocannon, in this process. */
export async function saturateAutocannon(options: SaturateOptions): Promise<LoadResult> {
  const samples = new Float64Array(2_000_000);
  let count = 0;
  let wrong = 0;
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    if (statusCode !== 200) wrong++;
    if (count < samples.length) samples[count++] = ms;
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const errors = result.errors + result.timeouts;
  return summarize(samples, count, Math.max(seconds, options.seconds), errors, wrong);
}

export interface PacedRequest {
  body: string;
  /** default application/json */
  contentType?: string;
  /** the HTTP status a correct server answers */
  status: number;
  /** substring the answer must contain ('"allowed":true', '"allowed":false', '') */
  expect: string;
}

export interface PacedOptions {
  url: string;
  ca: string;
  rate: number;
  seconds: number;
  /** sent at the same rate before `seconds`, not counted (connections open, JIT warms) */
  warmupSeconds?: number;
  /** the i-th request to send */
  next: (i: number) => PacedRequest;
  /** at most this many requests in flight (sockets in the keep-alive pool) */
  maxSockets?: number;
  /** called with each wrong answer (first few only), for diagnosis */
  onWrong?: (request: PacedRequest, status: number, text: string) => void;
  timeoutMs?: number;
}

/**
 * Open-loop load at `rate` requests/s for `seconds` (after `warmupSeconds`). Sends are scheduled on a 1 ms tick in batches,
 * so the schedule holds even when the event loop is late; latency = answer time − scheduled time.
 */
export async function paced(options: PacedOptions): Promise<LoadResult> {
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 0));
  const total = warmup + Math.round(options.rate * options.seconds);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, ca: options.ca });
  const url = new URL(options.url);
  const samples = new Float64Array(total);
  let count = 0;
  let errors = 0;
  let wrong = 0;
  let sent = 0;
  let done = 0;
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  let measuredFrom = started;

  await new Promise<void>((resolve) => {
    const fire = (i: number, scheduled: number) => {
      const item = options.next(i);
      let settled = false;
      const settle = (error: boolean, status = 0, text = '') => {
        if (settled) return;
        settled = true;
        if (error) errors++;
        else {
          if (i >= warmup) samples[count++] = performance.now() - scheduled;
          if (status !== item.status || !text.includes(item.expect)) {
            wrong++;
            options.onWrong?.(item, status, text);
          }
        }
        done++;
        if (done === total) resolve();
      };
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': item.contentType ?? 'application/json', 'content-length': Buffer.byteLength(item.body) },
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => settle(false, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', () => settle(true));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => settle(true));
      req.end(item.body);
    };
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
      while (sent < due) {
        if (sent === warmup) measuredFrom = performance.now();
        fire(sent, started + sent * intervalMs);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const seconds = (performance.now() - measuredFrom) / 1000;
  agent.destroy();
  return summarize(samples, count, seconds, errors, wrong);
}

/** wrk when installed, else autocannon; `tool` says which ran. */
export async function saturate(options: SaturateOptions): Promise<LoadResult & { tool: string }> {
  const wrk = wrkVersion();
  return wrk ? { ...(await saturateWrk(options)), tool: `wrk ${wrk}` } : { ...(await saturateAutocannon(options)), tool: 'autocannon 9' };
}

/** One POST with its own connection: status and body (to check a verdict before loading a server). */
export function postOnce(url: string, ca: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
