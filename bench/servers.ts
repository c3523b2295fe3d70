// The processes the load benchmarks measure, all on 127.0.0.1 with one certificate:
//  - the real `netguard serve` (compiled dist/, --state DIR, JSON logs to a file, level info);
//  - the bare node:https server (bench/bare-server.ts): the ceiling of the stack.
// Plus what they need: certificates, a state directory, a config file, free ports, readiness
// polling and RSS from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { generateCertificates, writeCertificates } from '../src/certs/generate.js';
import { writeStateDir, type StateSize } from './cluster-state.js';
import { BENCH_CONFIG } from './engine.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const NETGUARD_MAIN = join(ROOT, 'dist/src/cli/main.js');
const BARE_SERVER = join(ROOT, 'bench/bare-server.ts');

export interface Fixture {
  dir: string;
  cert: string;
  key: string;
  ca: string;
  caPem: string;
  config: string;
}

/** Certificates (src/certs/generate.ts) and the config, in `dir`. */
export async function prepareFixture(dir: string): Promise<Fixture> {
  mkdirSync(dir, { recursive: true });
  writeCertificates(join(dir, 'certs'), await generateCertificates({ service: 'netguard', namespace: 'netguard', days: 2 }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, stringify({ ...BENCH_CONFIG, trustedCidrs: [...BENCH_CONFIG.trustedCidrs] }));
  const cert = join(dir, 'certs/tls.crt');
  const ca = join(dir, 'certs/ca.crt');
  return { dir, cert, key: join(dir, 'certs/tls.key'), ca, caPem: readFileSync(ca, 'utf8'), config };
}

/** `dir/state-N` holding N namespaces of bench state (written once per fixture). */
export function stateDir(fixture: Fixture, size: StateSize): string {
  const dir = join(fixture.dir, `state-${size.namespaces}`);
  if (!existsSync(dir)) writeStateDir(dir, size);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

function getStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

export interface Running {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  /** https://127.0.0.1:port/validate */
  url: string;
  /** netguard only: http://127.0.0.1:port/metrics */
  metricsUrl?: string;
  /** spawn → first 200 from the readiness URL */
  readyMs: number;
  stop(): Promise<number | null>;
}

async function waitFor(child: ChildProcess, url: string, ca: string, timeoutMs: number, started: number): Promise<number> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${url}: the process exited before it was ready`);
    if ((await getStatus(url, ca)) === 200) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${url}: not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function stopper(child: ChildProcess): () => Promise<number | null> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.once('exit', (code) => {
        clearTimeout(kill);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
}

export interface ServeOptions {
  state: string;
  /** JSON log lines go here (a file, or /dev/null) */
  logFile: string;
  nodeArgs?: string[];
  logLevel?: string;
  readyTimeoutMs?: number;
  /** the compiled entry point (default: dist/src/cli/main.js of this checkout) */
  main?: string;
}

/** Spawns the compiled `netguard serve` and waits for GET /readyz 200 on its HTTPS port. */
export async function startNetguard(fixture: Fixture, options: ServeOptions): Promise<Running> {
  const port = await freePort();
  const metricsPort = await freePort();
  const out = openSync(options.logFile, 'a');
  const args = [
    ...(options.nodeArgs ?? []),
    options.main ?? NETGUARD_MAIN,
    'serve',
    '--config', fixture.config,
    '--state', options.state,
    '--tls-cert', fixture.cert,
    '--tls-key', fixture.key,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--metrics-port', String(metricsPort),
    '--log-level', options.logLevel ?? 'info',
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', out, 'inherit'] });
  const stop = stopper(child);
  const readyMs = await waitFor(child, `https://127.0.0.1:${port}/readyz`, fixture.caPem, options.readyTimeoutMs ?? 120_000, started).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { name: 'netguard', child, pid: child.pid!, port, url: `https://127.0.0.1:${port}/validate`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, readyMs, stop };
}

/** Spawns bench/bare-server.ts with the same certificate; ready when it answers at all. */
export async function startBare(fixture: Fixture, nodeArgs: string[] = []): Promise<Running> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', BARE_SERVER, fixture.cert, fixture.key, String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // the bare server answers every path as a review; a GET without a body is not one, so poll a port
  const stop = stopper(child);
  const readyMs = await waitForPort(child, port, started).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { name: 'bare', child, pid: child.pid!, port, url: `https://127.0.0.1:${port}/validate`, readyMs, stop };
}

async function waitForPort(child: ChildProcess, port: number, started: number): Promise<number> {
  const { connect } = await import('node:net');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bare server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error('bare server not listening after 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc, clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) in parentheses; utime, stime are 14, 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
