// `netguard audit` against the fake API server and against a state directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { runAudit } from '../../src/cli/audit.js';
import { capture } from '../support/capture.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { allowFrom, binding, denyAll, namespace, pod, role } from '../support/kube-objects.js';

const dir = mkdtempSync(join(tmpdir(), 'netguard-audit-'));
const configFile = join(dir, 'config.yaml');
writeFileSync(
  configFile,
  stringify({ defaultMode: 'disabled', trustedCidrs: ['10.0.0.0/8'], provisioners: [{ name: 'platform-team', users: ['alice@example.com'] }] }),
);

/** One violation of each auditable rule, plus objects the audit must skip or pass. */
const VIOLATING: KubeObject[] = [
  namespace('shop', 'enforce'), // no default-deny → namespace-default-deny
  namespace('safe', 'warn'),
  namespace('legacy'), // defaultMode disabled → skipped
  namespace('kube-system', 'enforce'), // exempt → skipped
  denyAll('safe'),
  pod('shop', 'web', 'web'),
  pod('safe', 'api-default'), // → pod-service-account
  pod('safe', 'api', 'api'),
  pod('safe', 'static-web', undefined, { 'kubernetes.io/config.mirror': 'abc' }), // mirror: exempt
  pod('legacy', 'old'), // disabled namespace: not judged
  pod('kube-system', 'coredns'), // exempt namespace: not judged
  allowFrom('safe', 'from-internet', '203.0.113.0/24'), // → netpol-trusted-cidrs
  allowFrom('safe', 'from-office', '10.1.0.0/16'),
  role('safe', 'netpol-writer', true),
  binding('safe', 'mallory-writes', { kind: 'Role', name: 'netpol-writer' }, [{ kind: 'User', name: 'mallory' }]), // → rbac-netpol-grant
  binding('safe', 'alice-writes', { kind: 'Role', name: 'netpol-writer' }, [{ kind: 'User', name: 'alice@example.com' }]),
  binding(undefined, 'devs-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'Group', name: 'devs' }]), // → rbac-netpol-grant (cluster)
];

const CLEAN: KubeObject[] = [
  namespace('shop', 'enforce'),
  denyAll('shop'),
  pod('shop', 'web', 'web'),
  allowFrom('shop', 'from-office', '10.1.0.0/16'),
  binding('shop', 'alice-edits', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'alice@example.com' }]),
  namespace('legacy'),
  pod('legacy', 'old'),
];

const EXPECTED = [
  ['rbac-netpol-grant', 'ClusterRoleBinding', undefined, 'devs-admin'],
  ['namespace-default-deny', 'Namespace', undefined, 'shop'],
  ['netpol-trusted-cidrs', 'NetworkPolicy', 'safe', 'from-internet'],
  ['pod-service-account', 'Pod', 'safe', 'api-default'],
  ['rbac-netpol-grant', 'RoleBinding', 'safe', 'mallory-writes'],
];

function stateDir(objects: KubeObject[]): string {
  const state = mkdtempSync(join(tmpdir(), 'netguard-state-'));
  writeFileSync(join(state, 'cluster.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return state;
}

interface JsonReport {
  violations: { rule: string; kind: string; namespace: string | null; name: string; uid: string | null; mode: string; message: string }[];
  notAudited: { rule: string; reason: string }[];
  skipped: { exemptNamespaces: string[]; disabledNamespaces: string[] };
  summary: { violations: number };
}

describe('netguard audit (live cluster through the fake API server)', () => {
  let api: FakeApiServer;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await startFakeApi();
    kubeconfig = writeKubeconfig(api.url, dir);
  });
  afterEach(async () => {
    await api.stop();
  });

  it('reports one violation of each auditable rule as a table and exits 1', async () => {
    api.seed(VIOLATING);
    const { code, stdout } = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'table' }));
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^RULE\s+KIND\s+NAMESPACE\s+NAME\s+MESSAGE$/);
    for (const [rule, kind, ns, name] of EXPECTED) {
      expect(lines.some((l) => new RegExp(`^${rule}\\s+${kind}\\s+${ns ?? '-'}\\s+${name}\\s+\\S`).test(l!)), `${rule} ${kind} ${name}`).toBe(true);
    }
    const violations = lines.slice(0, lines.indexOf(''));
    expect(violations.filter((l) => /^(pod-service-account|namespace-default-deny|rbac-netpol-grant|netpol-trusted-cidrs)\s/.test(l))).toHaveLength(EXPECTED.length);
    // stage 0: the unlabelled namespace "legacy", judged as if enforced, listed apart
    const optIn = lines.slice(lines.indexOf('') + 1);
    expect(optIn[0]).toBe('Not governed yet: 1 unlabelled namespace (defaultMode: disabled). Labelled netguard.io/mode=enforce, they would refuse:');
    expect(optIn.slice(2, 4).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'namespace-default-deny Namespace - legacy',
      'pod-service-account Pod legacy old',
    ]);
    expect(stdout).toMatch(/Not audited: netpol-provisioning, namespace-mode-label — they judge who makes a request/);
    expect(stdout).toMatch(/Skipped: 1 namespace exempt \(kube-system\); 1 namespace with mode disabled \(legacy\)/);
  });

  it('reports the same violations as JSON, with uids and modes', async () => {
    api.seed(VIOLATING);
    const { code, stdout } = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'json' }));
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.violations.map((v) => [v.rule, v.kind, v.namespace ?? undefined, v.name])).toEqual(EXPECTED);
    expect(report.violations.every((v) => typeof v.uid === 'string')).toBe(true);
    expect(report.violations.find((v) => v.kind === 'Pod')?.mode).toBe('warn');
    expect(report.violations.find((v) => v.kind === 'ClusterRoleBinding')?.mode).toBe('warn');
    expect(report.violations.find((v) => v.kind === 'Namespace')?.message).toMatch(
      /^namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress \(any new Pod in namespace "shop"\)\. No other policy API covers it either \(looked at [^)]*\)\. Create one/,
    );
    expect(report.notAudited.map((n) => n.rule)).toEqual(['netpol-provisioning', 'namespace-mode-label']);
    expect(report.skipped).toMatchObject({ exemptNamespaces: ['kube-system'], disabledNamespaces: ['legacy'] });
    expect(report.summary.violations).toBe(5);
  });

  it('prints PolicyReports that parse as YAML, one per governed namespace plus a ClusterPolicyReport, summaries matching results', async () => {
    api.seed(VIOLATING);
    const { code, stdout } = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'policyreport' }));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^# .*\n# Not audited: netpol-provisioning, namespace-mode-label/);
    const documents = parseAllDocuments(stdout).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as {
        apiVersion: string;
        kind: string;
        metadata: { name: string; namespace?: string; annotations: Record<string, string> };
        summary: Record<string, number>;
        results: { policy: string; rule: string; result: string; message: string; source: string; scored: boolean; timestamp: { seconds: number; nanos: number }; resources: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }[] }[];
      };
    });
    expect(documents.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}`)).toEqual(['ClusterPolicyReport/', 'PolicyReport/safe', 'PolicyReport/shop']);
    for (const doc of documents) {
      expect(doc.apiVersion).toBe('wgpolicyk8s.io/v1alpha2');
      expect(doc.summary).toEqual({ pass: 0, fail: doc.results.filter((r) => r.result === 'fail').length, warn: 0, error: 0, skip: 0 });
      expect(doc.metadata.annotations['netguard.io/not-audited']).toBe('netpol-provisioning,namespace-mode-label');
      for (const result of doc.results) {
        expect(result).toMatchObject({ policy: 'netguard', result: 'fail', source: 'netguard', scored: true });
        expect(result.message.length).toBeGreaterThan(20);
        expect(Number.isInteger(result.timestamp.seconds) && Number.isInteger(result.timestamp.nanos)).toBe(true);
        expect(result.resources).toHaveLength(1);
        expect(result.resources[0]!.uid).toBeTypeOf('string');
      }
    }
    const flat = documents.flatMap((d) => d.results.map((r) => [r.rule, r.resources[0]!.kind, r.resources[0]!.namespace, r.resources[0]!.name]));
    expect(flat).toEqual(EXPECTED);
    expect(documents[2]!.results).toEqual([]); // shop: clean objects, its finding is about the Namespace itself
  });

  it('exits 0 on a clean cluster', async () => {
    api.seed(CLEAN);
    const { code, stdout } = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'table' }));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^No violations found\./);
    expect(stdout).toMatch(/Not audited: netpol-provisioning, namespace-mode-label/);
  });

  it('pages through pods with limit/continue', async () => {
    api.seed([namespace('big', 'audit'), denyAll('big'), ...Array.from({ length: 1_100 }, (_, i) => pod('big', `p${i}`, i === 700 ? undefined : 'app'))]);
    const before = api.requests.length;
    const { code, stdout } = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'json' }));
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as JsonReport).violations.map((v) => v.name)).toEqual(['p700']);
    const podLists = api.requests.slice(before).filter((r) => r.path === '/api/v1/pods');
    expect(podLists.map((r) => r.query.get('limit'))).toEqual(['500', '500', '500']);
  });

  it('exits 2 with a clear message when the API server is unreachable or refuses', async () => {
    const stopped = await startFakeApi();
    const unreachable = writeKubeconfig(stopped.url);
    await stopped.stop();
    const down = await capture(() => runAudit({ config: configFile, kubeconfig: unreachable, output: 'table' }));
    expect(down.code).toBe(2);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(/^error: cannot list Namespace objects from http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);

    const forbid = api.addFault({ match: (r) => r.path === '/api/v1/pods', status: 403 });
    const refused = await capture(() => runAudit({ config: configFile, kubeconfig, output: 'json' }));
    forbid();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot list Pod objects.*netguard audit needs get and list on pods/);
  });

  it('exits 2 on a bad config or a missing kubeconfig', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'defaultMode: off\n');
    expect((await capture(() => runAudit({ config: bad, kubeconfig, output: 'table' }))).code).toBe(2);
    const missing = await capture(() => runAudit({ config: configFile, kubeconfig: join(dir, 'nope'), output: 'table' }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope/);
  });
});

describe('netguard audit --state DIR', () => {
  it('reports the same violations from manifests', async () => {
    const { code, stdout } = await capture(() => runAudit({ config: configFile, state: stateDir(VIOLATING), output: 'json' }));
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.violations.map((v) => [v.rule, v.kind, v.namespace ?? undefined, v.name])).toEqual(EXPECTED);
  });

  it('exits 0 for a clean state and 2 for a missing directory', async () => {
    expect((await capture(() => runAudit({ config: configFile, state: stateDir(CLEAN), output: 'policyreport' }))).code).toBe(0);
    expect((await capture(() => runAudit({ config: configFile, state: join(dir, 'missing'), output: 'table' }))).code).toBe(2);
  });
});
