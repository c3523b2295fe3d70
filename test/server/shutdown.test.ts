// SIGTERM on a real `serve` process: with 50 reviews in flight (bodies half sent), the process stops
// accepting connections, answers all 50, and exits 0.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeRequest } from '../support/requests.js';
import { localServeOptions, reviewOf, send } from '../support/serve.js';
import { pod } from '../support/kube-objects.js';
import { makeTestCerts, tempDir } from '../support/tls.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./fixtures/serve-main.ts', import.meta.url));

interface Pending {
  uid: string;
  finish(): void;
  answer: Promise<{ status: number; body: string }>;
}

/** Starts a review and sends half its body; `finish()` sends the rest. Resolves once the first half is on the wire. */
function halfSentReview(port: number, ca: string, index: number): Promise<Pending> {
  const request = makeRequest(pod('shop', `web-${index}`));
  const body = Buffer.from(JSON.stringify(reviewOf(request)));
  const half = Math.floor(body.length / 2);
  return new Promise((resolveStarted, rejectStarted) => {
    let settle: (value: { status: number; body: string }) => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    const answer = new Promise<{ status: number; body: string }>((res, rej) => {
      settle = res;
      fail = rej;
    });
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', (error) => {
      fail(error);
      rejectStarted(error);
    });
    req.write(body.subarray(0, half), () => resolveStarted({ uid: request.uid, finish: () => req.end(body.subarray(half)), answer }));
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe('SIGTERM', () => {
  it('finishes every review in flight, refuses new connections, exits 0', async () => {
    const dir = tempDir();
    const certs = await makeTestCerts(join(dir, 'tls'));
    const state = join(dir, 'state');
    mkdirSync(state);
    writeFileSync(join(state, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {netguard.io/mode: enforce}}\n');
    writeFileSync(join(dir, 'config.yaml'), 'rules: {namespace-default-deny: false}\n');
    const options = localServeOptions(join(dir, 'config.yaml'), certs, { state });

    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((l) => l.includes('"msg":"listening"'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      void exited.then((code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    const port = Number(new URL(url).port);

    const pending = await Promise.all(Array.from({ length: 50 }, (_, i) => halfSentReview(port, certs.caCert, i)));
    // A barrier instead of a sleep: one full review sent after the 50 half-sent ones. Its TLS
    // handshake takes several event-loop turns, in which the server reads the data already waiting
    // on the 50 sockets — so once it is answered, all 50 are reviews in flight.
    const probe = await send(`https://127.0.0.1:${port}`, certs.caCert, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reviewOf(makeRequest(pod('shop', 'probe')))),
    });
    expect(probe.status).toBe(200);
    child.kill('SIGTERM');
    // the listening socket closes while the 50 are still waiting for the rest of their bodies
    const deadline = Date.now() + 10_000;
    while (!(await refusesConnections(port))) {
      if (Date.now() > deadline) throw new Error('serve kept accepting connections after SIGTERM');
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const review of pending) review.finish();

    const answers = await Promise.all(pending.map((p) => p.answer));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    answers.forEach((answer, i) => {
      const body = JSON.parse(answer.body) as { response: { uid: string; allowed: boolean } };
      expect(body.response.uid).toBe(pending[i]!.uid);
      expect(body.response.allowed).toBe(false);
    });
    expect(await exited).toBe(0);
    expect(stdout).toContain('"msg":"shutting down: no new connections, finishing the reviews in flight"');
    expect(stdout).toContain('"msg":"stopped"');
  }, 30_000);
});
