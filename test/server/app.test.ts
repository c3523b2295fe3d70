// The HTTPS port as kube-apiserver sees it: real TLS, real AdmissionReviews, and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { makeRequest } from '../support/requests.js';
import { reviewOf, send, startTestServer, type TestServer } from '../support/serve.js';
import { pod } from '../support/kube-objects.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const podIn = (ns: string, sa?: string) => makeRequest(pod(ns, 'web', sa));

describe('verdicts by namespace mode (pod on the default ServiceAccount)', () => {
  it('enforce: denied with 403 Forbidden naming pod-service-account, plus an audit annotation', async () => {
    const request = podIn('enforced');
    const { apiVersion, kind, response } = await server.review(request);
    expect(apiVersion).toBe('admission.k8s.io/v1');
    expect(kind).toBe('AdmissionReview');
    expect(response.uid).toBe(request.uid);
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.reason).toBe('Forbidden');
    expect(response.status?.message).toMatch(/^pod-service-account: Pod "web" runs under ServiceAccount "default"/);
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['pod-service-account']);
  });

  it('enforce: a pod on its own ServiceAccount is allowed without warnings', async () => {
    const { response } = await server.review(podIn('enforced', 'web'));
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it('warn: allowed with one warning per violation', async () => {
    const { response } = await server.review(podIn('warned'));
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toHaveLength(1);
    expect(response.warnings?.[0]).toMatch(/^pod-service-account: /);
  });

  it('audit: allowed with auditAnnotations keyed by rule id', async () => {
    const { response } = await server.review(podIn('audited'));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toBeUndefined();
    expect(response.auditAnnotations?.['pod-service-account']).toMatch(/runs under ServiceAccount "default"/);
  });

  it('disabled and exempt namespaces (kube-system, even labelled enforce): allowed untouched', async () => {
    for (const ns of ['off', 'kube-system']) {
      const { response } = await server.review(podIn(ns));
      expect(response).toEqual({ uid: expect.any(String), allowed: true });
    }
  });

  it('an unknown netguard.io/mode value counts as enforce and adds a warning', async () => {
    const { response } = await server.review(podIn('weird'));
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.warnings?.[0]).toMatch(/netguard\.io\/mode="bogus".*treats it as enforce/);
  });

  it('request.dryRun: true is judged exactly like a real request', async () => {
    const { response } = await server.review(makeRequest(pod('enforced', 'web'), { dryRun: true }));
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
  });

  it('admission.k8s.io/v1beta1 is answered in kind, uid echoed', async () => {
    const request = podIn('enforced');
    const answer = await server.review(request, 'admission.k8s.io/v1beta1');
    expect(answer.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(answer.response.uid).toBe(request.uid);
    expect(answer.response.allowed).toBe(false);
  });

  it('subresource requests are allowed untouched', async () => {
    const { response } = await server.review(makeRequest(pod('enforced', 'web'), { subResource: 'status' }));
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it('a review answered off the request event is the same answer fastify gives (status, headers, bytes)', async () => {
    const request = podIn('enforced');
    const body = JSON.stringify(reviewOf(request));
    // exactly kube-apiserver's content type takes the review route; this spelling goes through fastify
    const direct = await send(server.url, server.certs.caCert, { path: '/validate', headers: { 'content-type': 'application/json' }, body });
    const viaFastify = await send(server.url, server.certs.caCert, { path: '/validate', headers: { 'content-type': 'application/json;charset=UTF-8' }, body });
    for (const answer of [direct, viaFastify]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    expect(direct.text).toBe(viaFastify.text);
    expect(direct.headers['content-length']).toBe(viaFastify.headers['content-length']);
    expect(JSON.parse(direct.text).response.status.code).toBe(403);
  });

  it('kube-apiserver appends ?timeout=10s to the URL: still served', async () => {
    const request = podIn('enforced');
    const answer = await server.post(reviewOf(request), { 'content-type': 'application/json; charset=utf-8' });
    expect(answer.status).toBe(200);
    const viaQuery = await send(server.url, server.certs.caCert, {
      path: '/validate?timeout=10s',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reviewOf(request)),
    });
    expect(viaQuery.status).toBe(200);
    expect((viaQuery.json() as AdmissionReviewResponse).response.uid).toBe(request.uid);
  });
});

describe('logs', () => {
  it('one line per review with who/what/verdict, never object contents', async () => {
    const secretPod = pod('enforced', 'leaky');
    (secretPod['spec'] as { containers: unknown[] }).containers = [{ name: 'app', image: 'x', env: [{ name: 'TOKEN', value: 'hunter2-secret' }] }];
    secretPod.metadata!.annotations = { note: 'annotation-secret' };
    const request = makeRequest(secretPod);
    await server.review(request);
    const lines = server.lines.filter((l) => l['uid'] === request.uid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'review',
      level: 'info',
      kind: 'Pod',
      namespace: 'enforced',
      name: 'leaky',
      operation: 'CREATE',
      user: 'bob@example.com',
      mode: 'enforce',
      decision: 'denied',
      rules: ['pod-service-account'],
    });
    expect(typeof lines[0]!['durationMs']).toBe('number');
    const all = JSON.stringify(server.lines);
    expect(all).not.toContain('hunter2-secret');
    expect(all).not.toContain('annotation-secret');
  });

  it('a clean allow is not logged at info; every review with a finding is (SPEC log levels)', async () => {
    const clean = podIn('enforced', 'web');
    const disabled = podIn('off');
    const findings = { denied: podIn('enforced'), warned: podIn('warned'), annotated: podIn('audited'), oddLabel: podIn('weird', 'web') };
    for (const request of [clean, disabled, ...Object.values(findings)]) await server.review(request);
    const reviewLine = (uid: string) => server.lines.filter((l) => l['uid'] === uid && l.msg === 'review');
    expect(reviewLine(clean.uid)).toEqual([]);
    expect(reviewLine(disabled.uid)).toEqual([]);
    for (const [what, request] of Object.entries(findings)) {
      expect(reviewLine(request.uid).map((l) => l.level), what).toEqual(['info']);
    }
  });

  it('--log-level debug logs every review, clean allows at debug', async () => {
    const debug = await startTestServer({ logLevel: 'debug' });
    try {
      const clean = podIn('enforced', 'web');
      const denied = podIn('enforced');
      await debug.review(clean);
      await debug.review(denied);
      const levelOf = (uid: string) => debug.lines.filter((l) => l['uid'] === uid && l.msg === 'review').map((l) => l.level);
      expect(levelOf(clean.uid)).toEqual(['debug']);
      expect(levelOf(denied.uid)).toEqual(['info']);
      expect(debug.lines.find((l) => l['uid'] === clean.uid)).toMatchObject({ decision: 'allowed', rules: [], mode: 'enforce', name: 'web' });
    } finally {
      await debug.close();
    }
  });

  it('audit mode logs one structured line per violation', async () => {
    const request = podIn('audited');
    await server.review(request);
    const violations = server.lines.filter((l) => l.msg === 'violation' && l['uid'] === request.uid);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule: 'pod-service-account', namespace: 'audited', name: 'web' });
    expect(String(violations[0]!['message'])).toMatch(/ServiceAccount "default"/);
  });
});

describe('bad input: JSON errors, never 5xx, server keeps answering', () => {
  const json = { 'content-type': 'application/json' };

  it('not JSON → 400', async () => {
    const answer = await server.post('{"apiVersion": ', json);
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(/not JSON/) });
  });

  it('JSON but not an AdmissionReview → 400 naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /the body must be object/],
      ['"text"', /the body must be object/],
      [{ apiVersion: 'v1', kind: 'Pod' }, /request is missing|apiVersion must be one of/],
      [{ apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: { uid: 'u' } }, /apiVersion must be one of admission.k8s.io\/v1, admission.k8s.io\/v1beta1/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'Review', request: { uid: 'u' } }, /kind must be "AdmissionReview"/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request is missing/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: 'x' }, /request must be object/],
    ];
    for (const [body, message] of cases) {
      const answer = await server.post(typeof body === 'string' ? body : JSON.stringify(body), json);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json().message).toMatch(message);
    }
  });

  it('missing, empty or non-string request.uid → 400', async () => {
    const request = podIn('enforced') as unknown as Record<string, unknown>;
    for (const uid of [undefined, '', 42]) {
      const answer = await server.post(reviewOf({ ...request, uid } as never));
      expect(answer.status).toBe(400);
      expect(answer.json().message).toMatch(/request\.uid/);
    }
  });

  it('wrong or missing content type → 415', async () => {
    const body = JSON.stringify(reviewOf(podIn('enforced')));
    for (const headers of <Record<string, string>[]>[{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}]) {
      const answer = await server.post(body, headers);
      expect(answer.status).toBe(415);
      expect(answer.json()).toMatchObject({ error: 'Unsupported Media Type', message: expect.stringMatching(/application\/json/) });
    }
  });

  it('body over 3 MiB → 413', async () => {
    const review = reviewOf(podIn('enforced'));
    (review.request.object!.metadata as Record<string, unknown>)['annotations'] = { big: 'x'.repeat(3 * 1024 * 1024) };
    const answer = await server.post(JSON.stringify(review));
    expect(answer.status).toBe(413);
    expect(answer.json().message).toMatch(/3 MiB/);
  });

  it('a body just under the limit is judged', async () => {
    const review = reviewOf(podIn('enforced'));
    (review.request.object!.metadata as Record<string, unknown>)['annotations'] = { big: 'x'.repeat(2 * 1024 * 1024) };
    const answer = await server.post(JSON.stringify(review));
    expect(answer.status).toBe(200);
    expect(answer.json().response.allowed).toBe(false);
  });

  it('a uid with malformed fields → 200 with a BadRequest answer naming the field', async () => {
    const base = podIn('enforced');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'Pod' }, /request\.kind must be object/],
      [{ kind: { group: '', kind: 'Pod' } }, /request\.kind\.version is missing/],
      [{ operation: 'PATCH' }, /request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT/],
      [{ userInfo: 'bob' }, /request\.userInfo must be object/],
      [{ userInfo: { username: 'bob', groups: 'admins' } }, /request\.userInfo\.groups must be array/],
      [{ object: 'a pod' }, /request\.object must be object or null/],
      [{ dryRun: 'yes' }, /request\.dryRun must be boolean/],
    ];
    for (const [patch, message] of cases) {
      const answer = await server.post(reviewOf({ ...base, ...patch } as never, 'admission.k8s.io/v1beta1'));
      expect(answer.status, JSON.stringify(patch)).toBe(200);
      const body = answer.json() as AdmissionReviewResponse;
      expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
      expect(body.response.uid).toBe(base.uid);
      expect(body.response.allowed).toBe(false);
      expect(body.response.status).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect(body.response.status?.message).toMatch(/^netguard: malformed AdmissionReview: /);
      expect(body.response.status?.message).toMatch(message);
    }
  });

  it('odd content inside an object (an annotations list, a number label) is judged, not refused as malformed', async () => {
    const odd = (ns: string) => {
      const request = podIn(ns);
      return { ...request, object: { ...request.object, metadata: { ...request.object?.metadata, annotations: [], labels: { tier: 1 } } } };
    };
    const disabled = (await server.post(reviewOf(odd('off') as never))).json() as AdmissionReviewResponse;
    expect(disabled.response).toEqual({ uid: expect.any(String), allowed: true });
    const judged = (await server.post(reviewOf(odd('enforced') as never))).json() as AdmissionReviewResponse;
    expect(judged.response.allowed).toBe(false);
    expect(judged.response.status?.message).toMatch(/^pod-service-account: /);
  });

  it('`__proto__` keys inside objects are data, not a reason to refuse', async () => {
    const request = podIn('enforced', 'web');
    const text = JSON.stringify(reviewOf(request)).replace('"spec":{', '"spec":{"__proto__":{"polluted":true},');
    const answer = await server.post(text);
    expect(answer.status).toBe(200);
    expect(answer.json().response.allowed).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('unknown paths → JSON 404; GET /validate → JSON 404', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/validate']] as const) {
      const answer = await send(server.url, server.certs.caCert, { method, path });
      expect(answer.status).toBe(404);
      expect(answer.json().message).toMatch(/POST \/validate/);
    }
  });

  it('still answers reviews after all that', async () => {
    const { response } = await server.review(podIn('enforced'));
    expect(response.allowed).toBe(false);
  });
});

describe('health', () => {
  it('/healthz 200 always; /readyz 200 when the state is synced', async () => {
    expect((await server.get('/healthz')).status).toBe(200);
    const ready = await server.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('/readyz 503 until the source is ready', async () => {
    let synced = false;
    const other = await startTestServer({ ready: () => synced, certs: server.certs });
    try {
      expect((await other.get('/healthz')).status).toBe(200);
      const notReady = await other.get('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.json().message).toMatch(/not synced/);
      synced = true;
      expect((await other.get('/readyz')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
