// Several rules at once, informational violations, global dry-run, a rule that throws, and the
// metrics they leave behind — with test rules, so the verdicts depend only on the admission layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { Engine } from '../../src/rules/engine.js';
import type { Rule, Violation } from '../../src/rules/types.js';
import { createMetrics } from '../../src/server/metrics.js';
import { buildMetricsApp } from '../../src/server/metrics-app.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, startTestServer, type TestServer } from '../support/serve.js';
import { namespace, pod } from '../support/kube-objects.js';
import { makeTestCerts, type TestCerts } from '../support/tls.js';

function rule(id: Rule['id'], evaluate: () => Violation[]): Rule {
  return { id, summary: 'test rule', intercepts: [{ group: '', kind: 'Pod', operations: ['CREATE'] }], needs: [], evaluate };
}

const several = new Engine([
  rule('netpol-provisioning', () => [{ rule: 'netpol-provisioning', message: 'first problem (here). Fix it.' }]),
  rule('rbac-netpol-grant', () => [
    { rule: 'rbac-netpol-grant', message: 'second problem (there). Fix that.' },
    { rule: 'rbac-netpol-grant', message: 'third problem (elsewhere). Fix the other.' },
  ]),
  rule('namespace-default-deny', () => [{ rule: 'namespace-default-deny', message: 'just so you know.', warningOnly: true }]),
]);

const throwing = new Engine([
  rule('pod-service-account', () => {
    throw new Error('boom in a rule');
  }),
]);

const objects = [namespace('enforced', 'enforce'), namespace('warned', 'warn'), namespace('audited', 'audit'), namespace('off', 'disabled')];

let certs: TestCerts;
const servers: TestServer[] = [];
async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer({ certs, objects, ...options });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const podIn = (ns: string) => makeRequest(pod(ns, 'web'));

describe('several rules violated at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ engine: several });
  });

  it('enforce: one line per violation in engine order, annotations per rule, informational as warnings', async () => {
    const { response } = await server.review(podIn('enforced'));
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: [
        'netpol-provisioning: first problem (here). Fix it.',
        'rbac-netpol-grant: second problem (there). Fix that.',
        'rbac-netpol-grant: third problem (elsewhere). Fix the other.',
      ].join('\n'),
    });
    expect(response.auditAnnotations).toEqual({
      'netpol-provisioning': 'first problem (here). Fix it.',
      'rbac-netpol-grant': 'second problem (there). Fix that.; third problem (elsewhere). Fix the other.',
    });
    expect(response.warnings).toEqual(['namespace-default-deny: just so you know.']);
  });

  it('warn: every violation is a warning', async () => {
    const { response } = await server.review(podIn('warned'));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      'netpol-provisioning: first problem (here). Fix it.',
      'rbac-netpol-grant: second problem (there). Fix that.',
      'rbac-netpol-grant: third problem (elsewhere). Fix the other.',
      'namespace-default-deny: just so you know.',
    ]);
    expect(response.auditAnnotations).toBeUndefined();
  });

  it('audit: annotations per rule; informational violations stay warnings', async () => {
    const { response } = await server.review(podIn('audited'));
    expect(response.allowed).toBe(true);
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['netpol-provisioning', 'rbac-netpol-grant']);
    expect(response.warnings).toEqual(['namespace-default-deny: just so you know.']);
  });

  it('disabled: nothing evaluated', async () => {
    const { response } = await server.review(podIn('off'));
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it('an informational violation alone never denies in enforce', async () => {
    const onlyInfo = await start({ engine: new Engine([rule('namespace-default-deny', () => [{ rule: 'namespace-default-deny', message: 'fyi.', warningOnly: true }])]) });
    const { response } = await onlyInfo.review(podIn('enforced'));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual(['namespace-default-deny: fyi.']);
  });
});

describe('global dry-run never denies', () => {
  const check = async (server: TestServer) => {
    const request = podIn('enforced');
    const { response } = await server.review(request);
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toEqual([
      'would be denied (dry-run): netpol-provisioning: first problem (here). Fix it.',
      'would be denied (dry-run): rbac-netpol-grant: second problem (there). Fix that.',
      'would be denied (dry-run): rbac-netpol-grant: third problem (elsewhere). Fix the other.',
      'namespace-default-deny: just so you know.',
    ]);
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['netpol-provisioning', 'rbac-netpol-grant']);
    const line = server.lines.find((l) => l['uid'] === request.uid && l.msg === 'review');
    expect(line).toMatchObject({ decision: 'allowed', wouldDeny: true, mode: 'enforce', level: 'info' });
  };

  it('config dryRun: true', async () => {
    await check(await start({ engine: several, config: { dryRun: true } }));
  });

  it('serve --dry-run', async () => {
    await check(await start({ engine: several, dryRun: true }));
  });
});

describe('a rule that throws is answered by mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ engine: throwing });
  });

  it('enforce: refused as a netguard internal error (500), logged with the error', async () => {
    const request = podIn('enforced');
    const { response } = await server.review(request);
    expect(response.uid).toBe(request.uid);
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({
      code: 500,
      reason: 'InternalError',
      message:
        'netguard internal error while judging Pod "web": boom in a rule. The request was refused because namespace mode is enforce; see the netguard logs.',
    });
    const logged = server.lines.find((l) => l['uid'] === request.uid && l.level === 'error');
    expect(logged).toMatchObject({ msg: 'internal error while judging a review', err: { message: 'boom in a rule' } });
  });

  it('warn and audit: allowed with a warning that it was not judged', async () => {
    for (const ns of ['warned', 'audited']) {
      const { response } = await server.review(podIn(ns));
      expect(response.allowed).toBe(true);
      expect(response.warnings).toHaveLength(1);
      expect(response.warnings?.[0]).toMatch(/^netguard internal error while judging Pod "web": boom in a rule\. The request was allowed without being judged/);
    }
  });

  it('dry-run: allowed with the warning even in enforce', async () => {
    const dry = await start({ engine: throwing, dryRun: true });
    const { response } = await dry.review(podIn('enforced'));
    expect(response.allowed).toBe(true);
    expect(response.warnings?.[0]).toMatch(/netguard internal error/);
  });

  it('whatever is thrown (not an Error, nothing, an object that cannot become text, a stack overflow), answered in kind', async () => {
    const odd = new Error('replaced');
    (odd as { message: unknown }).message = { not: 'a string' };
    const thrown: [string, () => never][] = [
      ['a string', () => { throw 'a string'; }],
      ['undefined', () => { throw undefined; }],
      ['a null-prototype object', () => { throw Object.create(null); }],
      ['an Error whose message is not a string', () => { throw odd; }],
      ['a stack overflow', () => { const deeper = (n: number): number => deeper(n + 1) + 1; return deeper(0) as never; }],
    ];
    for (const [what, evaluate] of thrown) {
      const failing = await start({ engine: new Engine([rule('pod-service-account', evaluate)]) });
      for (const ns of ['enforced', 'warned']) {
        const request = podIn(ns);
        const { apiVersion, response } = await failing.review(request, 'admission.k8s.io/v1beta1');
        expect({ apiVersion, uid: response.uid }, what).toEqual({ apiVersion: 'admission.k8s.io/v1beta1', uid: request.uid });
        if (ns === 'enforced') {
          expect(response, what).toMatchObject({ allowed: false, status: { code: 500, reason: 'InternalError' } });
          expect(response.status?.message, what).toMatch(/^netguard internal error while judging Pod "web": /);
        } else {
          expect(response.allowed, what).toBe(true);
          expect(response.warnings?.[0], what).toMatch(/^netguard internal error while judging Pod "web": /);
        }
      }
    }
  });
});

describe('metrics', () => {
  it('counts a denied and an allowed review, violations, and the duration histogram', async () => {
    const server = await start({});
    const denied: AdmissionReviewResponse = await server.review(podIn('enforced'));
    const allowed = await server.review(makeRequest(pod('enforced', 'web', 'web')));
    expect(denied.response.allowed).toBe(false);
    expect(allowed.response.allowed).toBe(true);

    const metricsApp = buildMetricsApp({ registry: server.metrics.registry, ready: () => true, logger: collectingLogger().logger });
    const answer = await metricsApp.inject({ method: 'GET', url: '/metrics' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/text\/plain/);
    const text = answer.body;
    expect(text).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",mode="enforce",decision="denied"} 1');
    expect(text).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",mode="enforce",decision="allowed"} 1');
    expect(text).toContain('netguard_violations_total{rule="pod-service-account",mode="enforce"} 1');
    expect(text).toContain('netguard_admission_duration_seconds_bucket{le="0.00025"}');
    expect(text).toContain('netguard_admission_duration_seconds_bucket{le="10"}');
    expect(text).toContain('netguard_admission_duration_seconds_count 2');
    expect(text).toContain('netguard_cache_synced 1');
    expect(text).toContain('netguard_config_reloads_total{result="failure"} 0');
    expect(text).toMatch(/process_cpu_user_seconds_total/);

    expect((await metricsApp.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await metricsApp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await metricsApp.close();
  });

  it('netguard_cache_synced is 0 and /readyz 503 on the metrics port until synced', async () => {
    const metrics = createMetrics({ ready: () => false });
    const metricsApp = buildMetricsApp({ registry: metrics.registry, ready: () => false, logger: collectingLogger().logger });
    expect((await metricsApp.inject({ method: 'GET', url: '/metrics' })).body).toContain('netguard_cache_synced 0');
    expect((await metricsApp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    await metricsApp.close();
  });
});
