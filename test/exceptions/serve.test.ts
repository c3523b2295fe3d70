// Exceptions and rule caps through `serve` over HTTPS, as kube-apiserver sees them: the warning
// naming the exception and its expiry, the `exception` audit annotation, the review log line,
// metrics — and an exception that expires while serve runs stops applying, with no restart and no
// config change (the clock is injected; production uses Date.now).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import type { RunningServer } from '../../src/cli/serve.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { denyAll, namespace, pod } from '../support/kube-objects.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, type LogLine } from '../support/serve.js';
import { metricsText, serveHarness } from '../support/serve-harness.js';
import { tempDir } from '../support/tls.js';
import { until } from '../support/wait.js';

const serve = serveHarness();

const LEGACY = {
  name: 'legacy-billing',
  rules: ['pod-service-account'],
  namespaces: ['billing'],
  expires: '2027-03-31T18:00:00Z',
  reason: 'TICKET-1234 moving to its own ServiceAccount',
};
const STALE = { ...LEGACY, name: 'stale-shop', namespaces: ['shop'], expires: '2026-01-31' };

/** billing is enforced and has its default-deny; shop is enforced and has none. */
function start(config: Record<string, unknown>, clock: { now: number }) {
  const dir = tempDir();
  const state = join(dir, 'state');
  mkdirSync(state);
  const objects: KubeObject[] = [namespace('billing', 'enforce'), denyAll('billing'), namespace('shop', 'enforce')];
  writeFileSync(join(state, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));
  const { logger, lines } = collectingLogger();
  return {
    file,
    lines,
    server: serve.start(localServeOptions(file, serve.certs, { state }), { logger, now: () => clock.now, watch: { debounceMs: 20, pollMs: 50 } }),
  };
}

async function review(server: RunningServer, object: KubeObject): Promise<AdmissionReviewResponse['response']> {
  const answer = await serve.review(server, makeRequest(object));
  expect(answer.status).toBe(200);
  return (answer.json() as AdmissionReviewResponse).response;
}

const reviewLines = (lines: LogLine[]) => lines.filter((l) => l.msg === 'review');

describe('exceptions in serve', () => {
  it('an excepted review is allowed with the warning and annotation; once the injected clock passes expires, the same review is denied', async () => {
    const clock = { now: Date.parse('2027-03-31T17:59:59Z') };
    const { server: starting, lines } = start({ defaultMode: 'enforce', exceptions: [LEGACY] }, clock);
    const server = await starting;

    const before = await review(server, pod('billing', 'web'));
    expect(before.allowed).toBe(true);
    expect(before.warnings).toEqual([
      expect.stringMatching(/^pod-service-account: excepted by "legacy-billing" until 2027-03-31T18:00:00Z \(TICKET-1234 moving to its own ServiceAccount\): Pod "web" /),
    ]);
    expect(before.auditAnnotations).toEqual({ exception: 'legacy-billing' });
    // the review is logged at info with the exception's name (an excepted review is a finding)
    expect(reviewLines(lines).at(-1)).toMatchObject({ level: 'info', decision: 'allowed', rules: [], exceptions: ['legacy-billing'] });

    // the exception covers its namespace only
    const elsewhere = await review(server, pod('shop', 'web'));
    expect(elsewhere.allowed).toBe(false);
    expect(elsewhere.status?.message).toMatch(/^pod-service-account: /m);

    let text = await metricsText(server);
    expect(text).toContain('netguard_exceptions_applied_total{exception="legacy-billing"} 1');
    expect(text).toContain('netguard_exceptions_expired 0');

    clock.now = Date.parse('2027-03-31T18:00:00Z');
    const after = await review(server, pod('billing', 'web'));
    expect(after.allowed).toBe(false);
    expect(after.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(after.status?.message).toMatch(/^pod-service-account: Pod "web" runs under ServiceAccount "default"/);
    expect(after.warnings).toBeUndefined();
    expect(after.auditAnnotations).toEqual({ 'pod-service-account': expect.any(String) });
    expect(reviewLines(lines).at(-1)).not.toHaveProperty('exceptions');

    text = await metricsText(server);
    expect(text).toContain('netguard_exceptions_applied_total{exception="legacy-billing"} 1');
    expect(text).toContain('netguard_exceptions_expired 1');
  });

  it('logs each expired exception at start and on reload, one line each with name and expiry', async () => {
    const clock = { now: Date.parse('2026-12-03T12:00:00Z') };
    const { server: starting, lines, file } = start({ defaultMode: 'enforce', exceptions: [LEGACY, STALE] }, clock);
    const server = await starting;
    const expiredLines = () => lines.filter((l) => l.msg === 'exception expired: it covers nothing; remove it or extend expires');
    expect(expiredLines()).toEqual([expect.objectContaining({ level: 'warn', exception: 'stale-shop', expires: '2026-01-31' })]);
    // every configured exception's series exists from the start, at zero
    expect(await metricsText(server)).toContain('netguard_exceptions_applied_total{exception="legacy-billing"} 0');

    // an expired exception covers nothing: shop's pod is denied
    expect((await review(server, pod('shop', 'web'))).allowed).toBe(false);

    const older = { ...LEGACY, name: 'older', expires: '2025-06-30T00:00:00Z' };
    writeFileSync(file, stringify({ defaultMode: 'enforce', exceptions: [LEGACY, STALE, older] }));
    await until('the reload', () => (lines.some((l) => l.msg === 'config reloaded') ? true : undefined));
    expect(expiredLines().slice(1)).toEqual([
      expect.objectContaining({ exception: 'stale-shop', expires: '2026-01-31' }),
      expect.objectContaining({ exception: 'older', expires: '2025-06-30T00:00:00Z' }),
    ]);
    expect(await metricsText(server)).toContain('netguard_exceptions_expired 2');
  });

  it('a reload that adds an exception applies it to the next review', async () => {
    const clock = { now: Date.parse('2026-12-03T12:00:00Z') };
    const { server: starting, lines, file } = start({ defaultMode: 'enforce' }, clock);
    const server = await starting;
    expect((await review(server, pod('billing', 'web'))).allowed).toBe(false);
    writeFileSync(file, stringify({ defaultMode: 'enforce', exceptions: [LEGACY] }));
    await until('the reload', () => (lines.some((l) => l.msg === 'config reloaded') ? true : undefined));
    const answer = await review(server, pod('billing', 'web'));
    expect(answer.allowed).toBe(true);
    expect(answer.auditAnnotations).toEqual({ exception: 'legacy-billing' });
  });
});

describe('rule caps in serve', () => {
  it('pod-service-account: warn warns in an enforced namespace while namespace-default-deny keeps enforcing', async () => {
    const clock = { now: Date.now() };
    const { server: starting, lines } = start({ defaultMode: 'enforce', rules: { 'pod-service-account': 'warn' } }, clock);
    const server = await starting;

    // billing has its default-deny: only the capped rule is violated, so the pod is allowed with a warning
    const billing = await review(server, pod('billing', 'web'));
    expect(billing.allowed).toBe(true);
    expect(billing.warnings).toEqual([expect.stringMatching(/^pod-service-account: Pod "web" runs under ServiceAccount "default"/)]);

    // shop has none: namespace-default-deny still denies, the capped rule still only warns
    const shop = await review(server, pod('shop', 'web'));
    expect(shop.allowed).toBe(false);
    expect(shop.status?.message).toMatch(/^namespace-default-deny: /);
    expect(shop.status?.message).not.toMatch(/pod-service-account/);
    expect(shop.warnings).toEqual([expect.stringMatching(/^pod-service-account: /)]);

    expect(reviewLines(lines).map((l) => l['decision'])).toEqual(['allowed', 'denied']);
    const text = await metricsText(server);
    expect(text).toContain('netguard_violations_total{rule="pod-service-account",mode="warn"} 2');
    expect(text).toContain('netguard_violations_total{rule="namespace-default-deny",mode="enforce"} 1');
  });

  it('a cap never makes a rule stricter: enforce in a warn namespace still warns', async () => {
    const { server: starting } = start({ defaultMode: 'warn', rules: { 'pod-service-account': 'enforce' } }, { now: Date.now() });
    const server = await starting;
    const answer = await review(server, pod('unlabelled', 'web'));
    expect(answer.allowed).toBe(true);
    expect(answer.warnings).toContainEqual(expect.stringMatching(/^pod-service-account: /));
  });
});
