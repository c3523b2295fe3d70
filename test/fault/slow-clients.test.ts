// Slow clients (slowloris) must not starve the others, and must not hold a connection forever:
// 50 connections dribble their headers or body a byte at a time, sit silent after the TLS
// handshake, or never start it, while normal reviews keep arriving. Every normal review is
// answered with its verdict; every slow connection is eventually cut off by the server's timeouts
// (SERVER_TIMEOUTS in src/server/app.ts, shortened here so the test waits seconds, not minutes).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionHandler } from '../../src/admission/handler.js';
import { createLogger } from '../../src/log.js';
import { buildApp, SERVER_TIMEOUTS } from '../../src/server/app.js';
import { makeRequest } from '../support/requests.js';
import { reviewOf, send, startTestServer, type TestServer } from '../support/serve.js';
import { pod } from '../support/kube-objects.js';
import { makeTestCerts, type TestCerts } from '../support/tls.js';

/** Failure signals, not speed targets: far above what any of this needs. */
const CLIENT_TIMEOUT_MS = 20_000;
const DROP_DEADLINE_MS = 20_000;

const SHORT = { handshakeMs: 1_500, headersMs: 1_500, requestMs: 3_000, keepAliveMs: 3_000, checkIntervalMs: 250 };

let certs: TestCerts;
let server: TestServer;

beforeAll(async () => {
  certs = await makeTestCerts();
  server = await startTestServer({ certs, timeouts: SHORT });
});
afterAll(async () => {
  await server?.close();
});

interface SlowClient {
  what: string;
  socket: Socket;
  /** resolves when the connection closes, with what the server sent before closing it */
  closed: Promise<string>;
  isClosed: () => boolean;
}

function port(): number {
  return Number(new URL(server.url).port);
}

/** A connection that writes `prelude` and then one byte of `drip` every `everyMs`, until closed. */
function slowClient(what: string, options: { tls: boolean; prelude?: string; drip?: string; everyMs?: number }): SlowClient {
  const socket = options.tls
    ? tlsConnect({ host: '127.0.0.1', port: port(), ca: certs.caCert, servername: 'localhost' })
    : netConnect({ host: '127.0.0.1', port: port() });
  let received = '';
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined); // writes after the server hung up
  const start = () => {
    if (options.prelude) socket.write(options.prelude);
    if (options.drip) {
      let i = 0;
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write(options.drip![i++ % options.drip!.length]!);
      }, options.everyMs ?? 100);
    }
  };
  socket.once(options.tls ? 'secureConnect' : 'connect', start);
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      done = true;
      if (timer) clearInterval(timer);
      resolve(received);
    }),
  );
  return { what, socket, closed, isClosed: () => done };
}

const HEAD = 'POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';

async function review(ns: string, serviceAccount?: string): Promise<boolean> {
  const request = makeRequest(pod(ns, 'web', serviceAccount));
  const answer = await send(server.url, certs.caCert, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(reviewOf(request)),
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  expect(answer.status).toBe(200);
  expect(answer.json().response.uid).toBe(request.uid);
  return answer.json().response.allowed as boolean;
}

describe('slow clients (slowloris)', () => {
  it('the server bounds handshakes, headers, requests and idle connections (documented defaults)', async () => {
    expect(SERVER_TIMEOUTS).toEqual({ handshakeMs: 10_000, headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000, checkIntervalMs: 1_000 });
    const app = buildApp({ handler: {} as AdmissionHandler, ready: () => true, logger: createLogger({ level: 'silent' }), https: { cert: certs.tlsCert, key: certs.tlsKey } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { headersTimeout, requestTimeout, keepAliveTimeout } = app.server;
      const { connectionsCheckingInterval } = app.server as unknown as { connectionsCheckingInterval: number };
      expect({ headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval }).toEqual({
        headersTimeout: SERVER_TIMEOUTS.headersMs,
        requestTimeout: SERVER_TIMEOUTS.requestMs,
        keepAliveTimeout: SERVER_TIMEOUTS.keepAliveMs,
        connectionsCheckingInterval: SERVER_TIMEOUTS.checkIntervalMs,
      });
    } finally {
      await app.close();
    }
  });

  it('50 slow connections do not starve normal reviews, and are all cut off by the server', async () => {
    const slow: SlowClient[] = [];
    for (let i = 0; i < 20; i++) slow.push(slowClient(`headers a byte at a time #${i}`, { tls: true, prelude: HEAD, drip: 'X-Slow: aaaaaaaaaaaaaaaaaaaa', everyMs: 100 }));
    for (let i = 0; i < 20; i++) {
      slow.push(slowClient(`body a byte at a time #${i}`, { tls: true, prelude: `${HEAD}Content-Length: 100000\r\n\r\n`, drip: '{"apiVersion":"admission.k8s.io/v1"', everyMs: 100 }));
    }
    for (let i = 0; i < 5; i++) slow.push(slowClient(`silent after the TLS handshake #${i}`, { tls: true }));
    for (let i = 0; i < 5; i++) slow.push(slowClient(`never starts the TLS handshake #${i}`, { tls: false }));

    // normal reviews keep arriving while the slow ones hold their connections
    let answered = 0;
    while (slow.some((c) => !c.isClosed()) && answered < 400) {
      const verdicts = await Promise.all([review('enforced'), review('enforced', 'web'), review('warned'), review('off')]);
      expect(verdicts).toEqual([false, true, true, true]);
      answered += verdicts.length;
    }
    expect(answered).toBeGreaterThan(0);

    // every slow connection is closed by the server, whatever it was doing
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), DROP_DEADLINE_MS).unref());
    const outcome = await Promise.race([Promise.all(slow.map((c) => c.closed)), deadline]);
    const stillOpen = slow.filter((c) => !c.isClosed()).map((c) => c.what);
    for (const c of slow) c.socket.destroy();
    expect(outcome === 'timeout' ? stillOpen : [], 'connections the server never cut off').toEqual([]);

    // the dribblers were answered "408 Request Timeout" before being cut off
    const replies = await Promise.all(slow.slice(0, 40).map((c) => c.closed));
    for (const reply of replies) expect(reply).toMatch(/^HTTP\/1\.1 408 /);

    // and the server still answers afterwards
    expect(await review('enforced')).toBe(false);
  });

  it('an idle keep-alive connection is closed after keepAliveMs', async () => {
    const client = slowClient('idle keep-alive', { tls: true, prelude: `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n` });
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), DROP_DEADLINE_MS).unref());
    const outcome = await Promise.race([client.closed, deadline]);
    client.socket.destroy();
    expect(outcome).not.toBe('timeout');
    expect(outcome).toMatch(/^HTTP\/1\.1 200 /);
  });
});
