// The API server vanishing under load does not crash the webhook. `serve --kubeconfig` against the
// fake API server, reviews streaming the whole time:
//   up      → every verdict as the cluster state says; denials resting on an absence are confirmed live
//   stopped → still answered from the cache; such denials say the API server could not be confirmed;
//             /readyz goes 503 once the watches have been down longer than watchDownLimitMs (short here)
//   hanging → the live read gives up after readTimeoutMs (short here) and the cache's answer stands
//   back    → ready again, live confirmation again, changes made while it was down arrive.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AdmissionResponse } from '../../src/admission/types.js';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { denyAll, namespace, pod } from '../support/kube-objects.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, reviewOf, send } from '../support/serve.js';
import { makeTestCerts, tempDir, type TestCerts } from '../support/tls.js';

const CLIENT_TIMEOUT_MS = 20_000;
const WAIT = { timeout: 20_000, interval: 50 };
const UNCONFIRMED = /netguard could not confirm this with the API server: (.*); answered from its cache\)/;

let api: FakeApiServer;
let certs: TestCerts;
let server: RunningServer;
const { logger, lines } = collectingLogger('info');

beforeAll(async () => {
  api = await startFakeApi();
  api.seed([namespace('shop', 'enforce'), denyAll('shop'), namespace('payments', 'enforce'), namespace('staging', 'warn')]);
  certs = await makeTestCerts();
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), 'defaultMode: disabled\n');
  server = await startServe(
    localServeOptions(join(dir, 'config.yaml'), certs, { kubeconfig: writeKubeconfig(api.url, dir) }),
    { logger, live: { watchDownLimitMs: 1_000, backoff: { initialMs: 50, maxMs: 400 }, readTimeoutMs: 500 } },
  );
  await vi.waitFor(async () => expect((await fetch(readyz())).status).toBe(200), WAIT);
});

afterAll(async () => {
  await server?.close();
  await api?.stop();
});

const readyz = () => server.metricsUrl.replace('/metrics', '/readyz');
const healthz = () => server.metricsUrl.replace('/metrics', '/healthz');

/** The reviews streamed, and what each must get whatever the API server does. */
const CASES = {
  'shop, own ServiceAccount': { ns: 'shop', sa: 'web', check: (r: AdmissionResponse) => expect(r).toMatchObject({ allowed: true }) },
  'shop, default ServiceAccount': {
    ns: 'shop',
    sa: undefined,
    check: (r: AdmissionResponse) => {
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toMatch(/^pod-service-account: /);
    },
  },
  'staging (warn), default ServiceAccount': {
    ns: 'staging',
    sa: undefined,
    check: (r: AdmissionResponse) => {
      expect(r.allowed).toBe(true);
      expect(r.warnings?.some((w) => w.startsWith('pod-service-account: '))).toBe(true);
    },
  },
  'payments (no default-deny)': {
    ns: 'payments',
    sa: 'web',
    check: (r: AdmissionResponse) => {
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toMatch(/^namespace-default-deny: /);
    },
  },
} as const;
type CaseName = keyof typeof CASES;

async function judge(name: CaseName): Promise<AdmissionResponse> {
  const { ns, sa, check } = CASES[name];
  const request = makeRequest(pod(ns, `web-${Math.random().toString(36).slice(2, 8)}`, sa));
  const answer = await send(server.url, certs.caCert, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(reviewOf(request)),
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  expect(answer.status, name).toBe(200);
  const response = answer.json().response as AdmissionResponse;
  expect(response.uid).toBe(request.uid);
  check(response);
  return response;
}

/** Streams every case from `workers` loops until `stop()` resolves; returns the payments answers. */
async function stream(workers: number, stop: () => Promise<void>): Promise<AdmissionResponse[]> {
  let going = true;
  const payments: AdmissionResponse[] = [];
  const names = Object.keys(CASES) as CaseName[];
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; going; i++) {
      const name = names[i % names.length]!;
      const response = await judge(name);
      if (name === 'payments (no default-deny)') payments.push(response);
    }
  });
  await stop();
  going = false;
  await Promise.all(loops);
  return payments;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('the API server vanishing under load', () => {
  it('keeps answering through an outage, a hang and the return of the API server', { timeout: 60_000 }, async () => {
    // up: denials resting on the missing default-deny are confirmed with the API server
    const up = await stream(3, () => sleep(500));
    expect(up.length).toBeGreaterThan(0);
    for (const r of up) expect(r.status?.message).not.toMatch(UNCONFIRMED);

    // stopped, with reviews in flight: answered from the cache, unconfirmed denials say so
    let down: AdmissionResponse[] = [];
    const stopped = stream(3, async () => {
      await sleep(200);
      await api.stop();
      down = await stream(2, async () => {
        await vi.waitFor(async () => expect((await fetch(readyz())).status).toBe(503), WAIT);
        expect((await fetch(healthz())).status).toBe(200);
        expect((await send(server.url, certs.caCert, { method: 'GET', path: '/readyz', timeoutMs: CLIENT_TIMEOUT_MS })).status).toBe(503);
        await sleep(300);
      });
    });
    await stopped;
    expect(down.length).toBeGreaterThan(0);
    for (const r of down) expect(r.status?.message).toMatch(UNCONFIRMED);

    // back: ready again, confirmed again
    await api.start();
    await vi.waitFor(async () => expect((await fetch(readyz())).status).toBe(200), WAIT);
    await vi.waitFor(async () => expect((await judge('payments (no default-deny)')).status?.message).not.toMatch(UNCONFIRMED), WAIT);

    // hanging: the API server accepts the read and never answers; readTimeoutMs bounds the wait
    const hang = api.addFault({ match: (r) => r.path === '/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies', delayMs: 30_000 });
    const hanging = await stream(2, () => sleep(1_500));
    hang();
    expect(hanging.length).toBeGreaterThan(0);
    for (const r of hanging) expect(r.status?.message).toMatch(/could not confirm this with the API server: .*timed out/);

    // a default-deny created while the webhook was cut off arrives, and the pod is allowed
    api.add(denyAll('payments'));
    await vi.waitFor(async () => {
      const response = await send(server.url, certs.caCert, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(reviewOf(makeRequest(pod('payments', 'web-last', 'web')))),
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      expect(response.json().response.allowed).toBe(true);
    }, WAIT);

    // nothing went wrong inside netguard along the way
    expect(lines.filter((l) => l.msg === 'internal error while judging a review' || l.msg === 'request failed')).toEqual([]);
  });
});
