// The HTTPS server under hostile input (SPEC "Wire behaviour and bad input"). One real server per
// file (buildApp + AdmissionHandler, every rule, the example config and cluster state) is fed the
// example reviews with fields dropped or replaced by wrong types, unicode, prototype-pollution keys,
// huge arrays and thousands of nesting levels; raw bodies that are not JSON or are cut off; wrong
// content types. Properties checked on every answer:
//
//  - an answer comes (a client timeout is the failure signal for a hang), and it is never a 5xx;
//  - a JSON body with apiVersion admission.k8s.io/v1|v1beta1, kind AdmissionReview and a non-empty
//    string request.uid gets 200 and an AdmissionReview echoing that uid and apiVersion, with a
//    boolean `allowed`; anything else gets a 4xx (400, 413 or 415) with a JSON error body;
//  - judging never fails: no "netguard internal error" answer (the cluster state is static, so only
//    a bug could cause one);
//  - Object.prototype stays clean (the test process is the server process);
//  - the server keeps judging: every 25 runs, and after each property, example reviews still get
//    their verdicts.
//
// FUZZ_RUNS sets the runs per property (default 400; the benchmark uses 10000). Huge-array bodies
// are ~1 MB each, so that property runs a twentieth as often.
import { Agent } from 'node:https';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStaticState } from '../../src/cluster/static.js';
import { loadConfigFile } from '../../src/config/load.js';
import { Engine } from '../../src/rules/engine.js';
import { BODY_LIMIT } from '../../src/server/app.js';
import { send, startTestServer, type TestServer } from '../support/serve.js';
import {
  JSON_TYPE,
  deepText,
  hugeReview,
  labelsBomb,
  mutatedReview,
  rawBody,
  seed,
  serialise,
  setAt,
  wrongTypedField,
  type Body,
} from './reviews.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 400);
/** No answer within this long counts as a hang. Generous: 2 slow cores, and ~1 MB bodies. */
const CLIENT_TIMEOUT_MS = 20_000;
/** vitest's limit for one property, scaled with the runs. */
const timeoutFor = (runs: number) => 30_000 + runs * 40;

const ROOT = new URL('../../', import.meta.url).pathname;
const API_VERSIONS = new Set(['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']);

let server: TestServer;
let agent: Agent;

beforeAll(async () => {
  const config = loadConfigFile(`${ROOT}examples/config.yaml`);
  const snapshot = loadStaticState([`${ROOT}examples/cluster`]);
  server = await startTestServer({
    engine: new Engine(),
    configGetter: () => config,
    source: { snapshot, ready: () => true, close: async () => undefined },
  });
  agent = new Agent({ keepAlive: true, ca: server.certs.caCert, maxSockets: 4 });
});

afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Expected = { status: 200; apiVersion: string; uid: string } | { status: 400 | 413 | 415; orStatus?: number };

/** What the SPEC says this body must get, worked out from the bytes the server receives. */
function expectation({ body, contentType }: Body): Expected {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const media = contentType?.split(';')[0]!.trim().toLowerCase();
  // no Content-Type and no body: nothing to parse, so it is judged (and refused) as an empty body
  if (media !== JSON_TYPE) return bytes.length === 0 ? { status: 415, orStatus: 400 } : { status: 415 };
  if (bytes.length > BODY_LIMIT) return { status: 413 };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { status: 400 };
  }
  if (!isRecord(value) || !API_VERSIONS.has(value['apiVersion'] as string) || value['kind'] !== 'AdmissionReview') return { status: 400 };
  const request = value['request'];
  if (!isRecord(request) || typeof request['uid'] !== 'string' || request['uid'] === '') return { status: 400 };
  return { status: 200, apiVersion: value['apiVersion'] as string, uid: request['uid'] };
}

function expectClean(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(typeof ({} as { toString: unknown }).toString).toBe('function');
}

async function post(body: Body) {
  return send(server.url, server.certs.caCert, {
    body: body.body,
    headers: body.contentType === undefined ? {} : { 'content-type': body.contentType },
    agent,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
}

/** Sends one body and checks the answer against the SPEC. */
async function check(body: Body): Promise<void> {
  const want = expectation(body);
  const answer = await post(body);
  const context = `${body.label} (content type ${JSON.stringify(body.contentType)}) → HTTP ${answer.status}: ${answer.text.slice(0, 400)}`;
  if (want.status === 200) {
    expect(answer.status, context).toBe(200);
    const review = JSON.parse(answer.text) as Record<string, any>;
    expect(review['apiVersion'], context).toBe(want.apiVersion);
    expect(review['kind'], context).toBe('AdmissionReview');
    const response = review['response'];
    expect(response.uid, context).toBe(want.uid);
    expect(typeof response.allowed, context).toBe('boolean');
    if (!response.allowed) {
      expect(Number.isInteger(response.status?.code), context).toBe(true);
      expect(typeof response.status?.message, context).toBe('string');
      expect(response.status.message.length, context).toBeGreaterThan(0);
    }
    // the state is static, so nothing but a bug can make judging fail: hostile input must be judged
    expect(response.status?.reason, context).not.toBe('InternalError');
    for (const warning of response.warnings ?? []) {
      expect(typeof warning, context).toBe('string');
      expect(warning, context).not.toMatch(/[\r\n]/);
      expect(warning, context).not.toMatch(/^netguard internal error/);
    }
  } else {
    expect(want.orStatus === answer.status ? want.status : answer.status, context).toBe(want.status);
    const error = JSON.parse(answer.text) as Record<string, unknown>;
    expect(typeof error['message'], context).toBe('string');
    expect(typeof error['error'], context).toBe('string');
  }
  expectClean();
}

/** Example reviews still get their verdicts: the server is alive and judging, not just answering. */
async function canary(): Promise<void> {
  const denied = seed('pod-default-sa-denied.json');
  const answer = await post({ label: 'canary', body: JSON.stringify(denied), contentType: JSON_TYPE });
  expect(answer.status).toBe(200);
  expect(answer.json().response).toMatchObject({ uid: (denied['request'] as { uid: string }).uid, allowed: false });
  expect(answer.json().response.status.message).toMatch(/^pod-service-account: /);
  const allowed = seed('netpol-provisioned-allowed.json');
  const ok = await post({ label: 'canary', body: JSON.stringify(allowed), contentType: JSON_TYPE });
  expect(ok.json().response).toMatchObject({ uid: (allowed['request'] as { uid: string }).uid, allowed: true });
}

async function fuzz(arbitrary: fc.Arbitrary<Body>, runs: number): Promise<void> {
  let count = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (body) => {
      await check(body);
      if (++count % 25 === 0) await canary();
    }),
    { numRuns: runs },
  );
  await canary();
}

describe('POST /validate under random and mutated input', () => {
  it('every SPEC field with a wrong type, dropped, polluted or nested thousands deep', { timeout: timeoutFor(RUNS) }, async () => {
    await fuzz(wrongTypedField, RUNS);
  });

  it('example reviews with random fields dropped or replaced, sent with random content types', { timeout: timeoutFor(RUNS) }, async () => {
    await fuzz(mutatedReview, RUNS);
  });

  it('bodies that are not JSON, cut-off JSON, binary noise, JSON scalars, nothing', { timeout: timeoutFor(RUNS) }, async () => {
    await fuzz(rawBody, RUNS);
  });

  const hugeRuns = Math.max(10, Math.ceil(RUNS / 20));
  it('thousands of subjects, ipBlocks, rules, groups and containers', { timeout: timeoutFor(hugeRuns * 20) }, async () => {
    await fuzz(hugeReview, hugeRuns);
  });
});

describe('POST /validate at the limits', () => {
  it('1.4 million levels of nesting (just under the body limit) are answered, not a stack overflow', async () => {
    for (const [level, depth] of [[0, 1_400_000], [1, 500_000], [2, 200_000]] as const) {
      const root = seed('pod-default-sa-denied.json');
      setAt(root, ['request', 'object', 'spec'], '\u0001netguard-fuzz-deep-0\u0001');
      const body = { label: `depth ${depth}`, body: serialise(root, [{ depth, level, leaf: 'null' }]), contentType: JSON_TYPE };
      expect(Buffer.byteLength(body.body)).toBeLessThan(BODY_LIMIT);
      await check(body);
      // an object nested that deep where the pod spec belongs is no spec: the default ServiceAccount is used
      if (level !== 0) expect((await post(body)).json().response.status.message).toMatch(/^pod-service-account: /);
    }
    const raw = { label: 'deep request', body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":${deepText({ depth: 1_000_000, level: 0, leaf: '1' })}}`, contentType: JSON_TYPE };
    await check(raw);
    await canary();
  });

  it('values nested too deep to print are described briefly in the answer, not a failure', async () => {
    const name = seed('pod-default-sa-denied.json');
    setAt(name, ['request', 'name'], '\u0001netguard-fuzz-deep-0\u0001');
    const malformed = await post({ label: 'deep name', body: serialise(name, [{ depth: 100_000, level: 0, leaf: '"x"' }]), contentType: JSON_TYPE });
    expect(malformed.status).toBe(200);
    expect(malformed.json().response.status).toEqual({ code: 400, reason: 'BadRequest', message: 'netguard: malformed AdmissionReview: request.name must be string (got [...])' });

    // identity data is described by its type, never echoed
    const groups = seed('pod-default-sa-denied.json');
    setAt(groups, ['request', 'userInfo', 'groups', 0], '\u0001netguard-fuzz-deep-0\u0001');
    const hidden = await post({ label: 'deep group', body: serialise(groups, [{ depth: 100_000, level: 0, leaf: '"x"' }]), contentType: JSON_TYPE });
    expect(hidden.json().response.status.message).toBe('netguard: malformed AdmissionReview: request.userInfo.groups[0] must be string (got an array)');

    const policy = seed('netpol-untrusted-cidr-denied.json');
    setAt(policy, ['request', 'object', 'spec', 'egress', 0, 'to', 0, 'ipBlock', 'cidr'], '\u0001netguard-fuzz-deep-0\u0001');
    const denied = await post({ label: 'deep cidr', body: serialise(policy, [{ depth: 100_000, level: 1, leaf: '"x"' }]), contentType: JSON_TYPE });
    expect(denied.json().response.allowed).toBe(false);
    expect(denied.json().response.status.message).toMatch(/^netpol-trusted-cidrs: .*spec\.egress\[0\]\.to\[0\]\.ipBlock\.cidr \{\.\.\.\} is not a valid CIDR/);
  });

  it('10,000 labels (with __proto__, constructor and prototype among them) on a Namespace', async () => {
    await check(labelsBomb(10_000));
    expectClean();
  });

  it('10,000 trusted ipBlocks are allowed; one untrusted among them is named by its index', async () => {
    const policy = (bad: number | undefined) => {
      const root = seed('netpol-trusted-cidr-allowed.json');
      const peers = Array.from({ length: 10_000 }, (_, i) => ({ ipBlock: { cidr: i === bad ? '203.0.113.0/24' : `10.${(i >> 8) & 255}.${i & 255}.0/24` } }));
      setAt(root, ['request', 'object', 'spec', 'egress'], [{ to: peers }]);
      return { label: `10k ipBlocks, bad at ${bad}`, body: JSON.stringify(root), contentType: JSON_TYPE };
    };
    const allowed = await post(policy(undefined));
    expect(allowed.status).toBe(200);
    expect(allowed.json().response.allowed).toBe(true);
    const denied = await post(policy(9_999));
    expect(denied.json().response.allowed).toBe(false);
    expect(denied.json().response.status.message).toMatch(/^netpol-trusted-cidrs: .*spec\.egress\[0\]\.to\[9999\]\.ipBlock\.cidr "203\.0\.113\.0\/24"/);
  });

  it('10,000 unprovisioned subjects in a RoleBinding are refused', async () => {
    const root = seed('rolebinding-edit-unprovisioned-denied.json');
    setAt(root, ['request', 'object', 'subjects'], Array.from({ length: 10_000 }, (_, i) => ({ kind: 'User', name: `user-${i}@example.com` })));
    const answer = await post({ label: '10k subjects', body: JSON.stringify(root), contentType: JSON_TYPE });
    expect(answer.status).toBe(200);
    expect(answer.json().response.allowed).toBe(false);
    expect(answer.json().response.status.message).toMatch(/^rbac-netpol-grant: /);
  });
});
