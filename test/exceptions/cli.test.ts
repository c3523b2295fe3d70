// Exceptions and rule caps in the real `netguard check` and `netguard audit` commands: excepted
// findings shown with their exception and not failing the run, expired exceptions listed, capped
// rules reported as warnings, and config mistakes refused with the key path (exit 2).
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { netguardAsync, tempTree } from '../cli/run.js';
import { denyAll, namespace, pod } from '../support/kube-objects.js';
import type { KubeObject } from '../../src/cluster/objects.js';

const LEGACY = { name: 'legacy-billing', rules: ['pod-service-account'], namespaces: ['billing'], expires: '2099-03-31', reason: 'TICKET-1234 moving to its own ServiceAccount' };
const STALE = { name: 'stale-shop', rules: ['pod-service-account'], namespaces: ['shop'], expires: '2020-01-31', reason: 'TICKET-99' };

const yamlOf = (objects: KubeObject[]) => objects.map((o) => stringify(o)).join('---\n');
/** billing and shop are enforced, each with its default-deny; a pod on `default` in each. */
const MANIFESTS = yamlOf([
  namespace('billing', 'enforce'),
  denyAll('billing'),
  pod('billing', 'web'),
  namespace('shop', 'enforce'),
  denyAll('shop'),
  pod('shop', 'web'),
]);

function run(command: 'check' | 'audit', config: Record<string, unknown>, ...args: string[]) {
  const cwd = tempTree({ 'config.yaml': stringify(config), 'manifests/all.yaml': MANIFESTS });
  const where = command === 'check' ? ['manifests'] : ['--state', 'manifests'];
  return netguardAsync([command, '--config', 'config.yaml', ...args, ...where], { cwd });
}

describe.concurrent('check', { timeout: 90_000 }, () => {
  it('shows an excepted finding with its exception, does not count it, and notes an expired exception on stderr', async () => {
    const r = await run('check', { exceptions: [LEGACY, STALE] });
    expect(r.code).toBe(1); // shop's pod: its exception expired
    expect(r.stdout).toMatch(/^manifests\/all\.yaml:\d+ Pod billing\/web: excepted by "legacy-billing" until 2099-03-31 \(TICKET-1234 moving to its own ServiceAccount\): pod-service-account: Pod "web" /m);
    expect(r.stdout).toMatch(/^manifests\/all\.yaml:\d+ Pod shop\/web: pod-service-account: /m);
    expect(r.stdout).toMatch(/^6 objects checked, 1 violation, 0 warnings, 1 excepted$/m);
    expect(r.stderr).toBe('note: exception "stale-shop" expired (expires: 2020-01-31) and covers nothing; remove it from the config or extend expires\n');
  });

  it('--output json carries excepted findings and expired exceptions as fields', async () => {
    const r = await run('check', { exceptions: [LEGACY, STALE] }, '--output', 'json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.excepted).toEqual([
      expect.objectContaining({ kind: 'Pod', namespace: 'billing', name: 'web', rule: 'pod-service-account', exception: { name: 'legacy-billing', expires: '2099-03-31', reason: LEGACY.reason } }),
    ]);
    expect(report.expiredExceptions).toEqual([{ name: 'stale-shop', expires: '2020-01-31', reason: 'TICKET-99' }]);
    expect(report.violations.map((v: { namespace: string }) => v.namespace)).toEqual(['shop']);
    expect(report.summary).toMatchObject({ violations: 1, excepted: 1 });
  });

  it('an exception naming requesters covers a check run --as one of them (by group); all excepted exits 0', async () => {
    // ci@example.com is no provisioner: its default-deny policies violate netpol-provisioning too
    const config = { exceptions: [{ ...LEGACY, rules: ['pod-service-account', 'netpol-provisioning'], namespaces: ['billing', 'shop'], requesters: ['ci-deployers'] }] };
    const r = await run('check', config, '--as', 'ci@example.com', '--as-group', 'ci-deployers');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^manifests\/all\.yaml:\d+ NetworkPolicy shop\/default-deny: excepted by "legacy-billing" until 2099-03-31 \(.*\): netpol-provisioning: /m);
    expect(r.stdout).toMatch(/^6 objects checked, 0 violations, 0 warnings, 4 excepted$/m);
  });

  it('a rule capped at warn is reported as a warning and does not fail the check', async () => {
    const r = await run('check', { rules: { 'pod-service-account': 'warn' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^manifests\/all\.yaml:\d+ Pod shop\/web: warning: pod-service-account: .* \(rules\.pod-service-account: warn\)$/m);
    expect(r.stdout).toMatch(/^6 objects checked, 0 violations, 2 warnings$/m);
  });

});

describe.concurrent('config mistakes are refused with the key path (exit 2)', { timeout: 90_000 }, () => {
  it('schema mistakes are all named at once: an unknown rule id, a missing reason, an unknown rule setting', async () => {
    const r = await run('check', { exceptions: [{ ...LEGACY, rules: ['pod-service-acount'] }, { ...LEGACY, name: 'b', reason: undefined }], rules: { 'pod-service-account': 'off' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: config\.yaml: invalid config:/);
    expect(r.stderr).toContain('exceptions[0].rules[0]: must be one of "netpol-provisioning"');
    expect(r.stderr).toContain('exceptions[1].reason: is required');
    expect(r.stderr).toContain('rules.pod-service-account: must be one of true, false, "enforce", "warn", "audit"');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a day that does not exist', async () => {
    const r = await run('check', { exceptions: [{ ...LEGACY, expires: '2027-02-30' }] });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exceptions[0].expires: "2027-02-30" is not an RFC 3339 date or date-time');
  });
});

describe.concurrent('audit', { timeout: 90_000 }, () => {
  it('table: excepted findings marked, not counted for the exit code; expired exceptions listed', async () => {
    const r = await run('audit', { exceptions: [LEGACY, { ...LEGACY, name: 'shop-too', namespaces: ['shop'] }, STALE] });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pod-service-account\s+Pod\s+billing\s+web\s+\(excepted by "legacy-billing" until 2099-03-31\) Pod "web" /m);
    expect(r.stdout).toMatch(/^0 violations \(and 2 excepted\) in /m);
    expect(r.stdout).toContain('Expired exceptions, which cover nothing: "stale-shop" (expires: 2020-01-31). Remove them from the config or extend expires.');
  });

  it('json: each violation carries its exception (or null) and its capped mode; expired exceptions are a field', async () => {
    const r = await run('audit', { exceptions: [LEGACY, STALE], rules: { 'pod-service-account': 'audit' } }, '--output', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const byNamespace = Object.fromEntries(report.violations.map((v: { namespace: string; exception: unknown }) => [v.namespace, v.exception]));
    expect(byNamespace).toEqual({ billing: { name: 'legacy-billing', expires: '2099-03-31', reason: LEGACY.reason }, shop: null });
    expect(report.expiredExceptions).toEqual([{ name: 'stale-shop', expires: '2020-01-31', reason: 'TICKET-99' }]);
    expect(report.summary).toMatchObject({ violations: 1, excepted: 1 });
    // rules.pod-service-account: audit lowers the enforced namespaces' mode for this rule
    expect(report.violations.map((v: { mode: string }) => v.mode)).toEqual(['audit', 'audit']);
  });

  it('policyreport: an excepted finding is a skip result naming the exception', async () => {
    const r = await run('audit', { exceptions: [LEGACY] }, '--output', 'policyreport');
    const billing = r.stdout.split('---\n').find((doc) => doc.includes('namespace: billing'))!;
    expect(billing).toMatch(/result: skip/);
    expect(billing).toMatch(/exception: legacy-billing/);
    expect(billing).toMatch(/summary:\n(\s+\w+: \d+\n)*?\s+fail: 0\n/);
    expect(billing).toMatch(/skip: 1/);
  });

  it('openreports and html: the excepted finding is skipped with its exception; the expired one is listed', async () => {
    const config = { exceptions: [LEGACY, STALE] };
    const [reports, html] = await Promise.all([run('audit', config, '--output', 'openreports'), run('audit', config, '--output', 'html')]);
    const billing = reports.stdout.split('---\n').find((doc) => doc.includes('kind: Report') && doc.includes('namespace: billing'))!;
    expect(billing).toMatch(/result: skip/);
    expect(billing).toMatch(/exception: legacy-billing/);
    expect(reports.stdout).toContain('# Expired exceptions, which cover nothing: "stale-shop" (expires: 2020-01-31).');
    expect(html.stdout).toContain('excepted by &quot;legacy-billing&quot; until 2099-03-31');
    expect(html.stdout).toContain('Expired exceptions, which cover nothing: &quot;stale-shop&quot;');
  });
});
