// `netguard check` end to end: the real command on temporary manifest trees.
import { describe, expect, it } from 'vitest';
import { ALLOW_POLICY, CONFIG, SHOP, pod } from './fixtures.js';
import { netguardAsync, tempTree } from './run.js';

/** A tree with config.yaml and manifests/…; returns [cwd, args prefix]. */
function tree(manifests: Record<string, string>, config = CONFIG): string {
  return tempTree({ 'config.yaml': config, ...Object.fromEntries(Object.entries(manifests).map(([k, v]) => [`manifests/${k}`, v])) });
}

const check = (cwd: string, ...args: string[]) => netguardAsync(['check', '--config', 'config.yaml', ...args], { cwd });

interface JsonReport {
  requester: { username: string; groups: string[] } | null;
  violations: { file: string; line: number; field: string | null; source: string; kind: string; namespace: string | null; name: string; rule: string; message: string }[];
  warnings: { source: string; kind: string; namespace: string | null; name: string; rule: string | null; message: string }[];
  excepted: { source: string; kind: string; namespace: string | null; name: string; rule: string; message: string; exception: { name: string; expires: string; reason: string } }[];
  expiredExceptions: { name: string; expires: string; reason: string }[];
  skippedRules: { rule: string; reason: string }[];
  summary: { objects: number; checked: number; exempt: number; ignored: number; violations: number; warnings: number; excepted: number };
}

const json = (stdout: string) => JSON.parse(stdout) as JsonReport;

describe.concurrent('netguard check', () => {
  it('exits 1 and names pod-service-account for a pod on the default ServiceAccount', async () => {
    const cwd = tree({ 'shop.yaml': SHOP, 'web.yaml': pod('web', { namespace: 'shop' }) });
    const r = await check(cwd, 'manifests');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^manifests\/web\.yaml:7 Pod shop\/web: pod-service-account: Pod "web" runs under ServiceAccount "default"/m);
    // the pod is reported once: the Namespace, created with it, has no existing pods to warn about
    expect(r.stdout).not.toMatch(/Namespace shop: warning/);
    expect(r.stdout).toMatch(/^3 objects checked, 1 violation, 0 warnings$/m);
  });

  it('exits 0 on a clean tree and prints the summary', async () => {
    const cwd = tree({ 'shop.yaml': SHOP, 'web.yaml': pod('web', { namespace: 'shop', serviceAccount: 'web' }) });
    const r = await check(cwd, 'manifests');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^3 objects checked, 0 violations, 0 warnings/m);
  });

  it('accepts several paths, files and directories alike', async () => {
    const cwd = tree({ 'a/shop.yaml': SHOP, 'b/web.yaml': pod('web', { namespace: 'shop', serviceAccount: 'web' }) });
    const r = await check(cwd, 'manifests/a', 'manifests/b/web.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 objects checked');
  });

  it('reads manifests from stdin for the path -', async () => {
    const cwd = tree({ 'shop.yaml': SHOP });
    const r = await netguardAsync(['check', '--config', 'config.yaml', 'manifests', '-'], { cwd, input: pod('web', { namespace: 'shop' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:7 Pod shop\/web: pod-service-account: /m);
  });

  it('exits 2 naming the file and line for unparseable YAML', async () => {
    const cwd = tree({ 'broken.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n' });
    const r = await check(cwd, 'manifests');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/manifests\/broken\.yaml:\d+/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 naming a path that does not exist', async () => {
    const cwd = tree({ 'shop.yaml': SHOP });
    const r = await check(cwd, 'manifests', 'no/such/dir');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no/such/dir');
  });

  it('exits 2 naming an unknown config key', async () => {
    const cwd = tree({ 'shop.yaml': SHOP }, `${CONFIG}\nprovisionrs: []\n`);
    const r = await check(cwd, 'manifests');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config.yaml');
    expect(r.stderr).toContain('provisionrs');
  });

  it('exits 2 when the config file is missing', async () => {
    const cwd = tree({ 'shop.yaml': SHOP });
    const r = await netguardAsync(['check', '--config', 'missing.yaml', 'manifests'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.yaml');
  });

  describe('requester rules', () => {
    const cwd = tree({ 'shop.yaml': SHOP, 'allow.yaml': ALLOW_POLICY });

    it('without --as skips them and says so (text)', async () => {
      const r = await check(cwd, 'manifests');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^skipped rules: netpol-provisioning, namespace-mode-label \(they judge the requester; run check with --as USER/m);
    });

    it('without --as lists them with the reason (json)', async () => {
      const r = await check(cwd, '--output', 'json', 'manifests');
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report.requester).toBeNull();
      expect(report.skippedRules.map((s) => s.rule)).toEqual(['netpol-provisioning', 'namespace-mode-label']);
      expect(report.skippedRules[0]!.reason).toContain('--as');
    });

    it('--as an unprovisioned user: the NetworkPolicy is a violation', async () => {
      const r = await check(cwd, '--as', 'bob@example.com', 'manifests');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/manifests\/allow\.yaml:\d+ NetworkPolicy shop\/allow-web: netpol-provisioning: "bob@example\.com"/);
      expect(r.stdout).not.toContain('skipped rules');
    });

    it('--as a provisioned user passes', async () => {
      const r = await check(cwd, '--as', 'alice@example.com', '--output', 'json', 'manifests');
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report.skippedRules).toEqual([]);
      expect(report.requester).toEqual({ username: 'alice@example.com', groups: ['system:authenticated'] });
    });

    it('--as-group (repeatable) counts the groups', async () => {
      const r = await check(cwd, '--as', 'bob@example.com', '--as-group', 'developers', '--as-group', 'netpol-admins', 'manifests');
      expect(r.code).toBe(0);
    });

    it('namespace-mode-label judges a Namespace created less strict than defaultMode', async () => {
      const loose = tree({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n  labels:\n    netguard.io/mode: audit\n' });
      const bob = await check(loose, '--as', 'bob@example.com', 'manifests');
      expect(bob.code).toBe(1);
      expect(bob.stdout).toContain('namespace-mode-label');
      expect((await check(loose, '--as', 'alice@example.com', 'manifests')).code).toBe(0);
    });

    it('a rule switched off in the config is not reported as skipped', async () => {
      const off = tree({ 'shop.yaml': SHOP }, `${CONFIG}\nrules:\n  namespace-mode-label: false\n`);
      expect(json((await check(off, '--output', 'json', 'manifests')).stdout).skippedRules.map((s) => s.rule)).toEqual(['netpol-provisioning']);
    });
  });

  it('--output json is one stable document with every field', async () => {
    const cwd = tree({ 'shop.yaml': SHOP, 'web.yaml': pod('web', { namespace: 'shop' }) });
    const r = await check(cwd, '--output', 'json', 'manifests');
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(Object.keys(report)).toEqual(['requester', 'violations', 'warnings', 'excepted', 'expiredExceptions', 'skippedRules', 'summary']);
    expect(report.violations).toEqual([
      {
        // the pod names no ServiceAccount: the finding points at its pod spec
        file: 'manifests/web.yaml',
        line: 7,
        field: 'spec',
        source: 'manifests/web.yaml:7',
        kind: 'Pod',
        namespace: 'shop',
        name: 'web',
        rule: 'pod-service-account',
        message: expect.stringContaining('ServiceAccount "default"'),
      },
    ]);
    expect(report.warnings).toEqual([]);
    expect(report.excepted).toEqual([]);
    expect(report.expiredExceptions).toEqual([]);
    expect(report.summary).toEqual({ objects: 3, checked: 3, exempt: 0, ignored: 0, violations: 1, warnings: 0, excepted: 0 });
  });

  it('reads multi-document files, kind: List, comments and empty documents as kubectl does', async () => {
    const list = `
# a List holding two pods
apiVersion: v1
kind: List
items:
  - ${pod('a', { namespace: 'shop' }).trim().replace(/\n/g, '\n    ')}
  - ${pod('b', { namespace: 'shop', serviceAccount: 'b' }).trim().replace(/\n/g, '\n    ')}
---
---
# only a comment
---
${pod('c', { namespace: 'shop' })}
`;
    const cwd = tree({ 'shop.yaml': SHOP, 'pods.yaml': list });
    const r = await check(cwd, '--output', 'json', 'manifests');
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.summary.objects).toBe(5);
    expect(report.violations.map((v) => v.name)).toEqual(['a', 'c']);
    expect(report.violations[1]!.source).toMatch(/^manifests\/pods\.yaml:\d+$/);
  });

  it('objects without metadata.namespace belong to --namespace (default "default")', async () => {
    const cwd = tree({ 'shop.yaml': SHOP, 'web.yaml': pod('web') });
    const inShop = await check(cwd, '--namespace', 'shop', 'manifests');
    expect(inShop.stdout).toContain('Pod shop/web: pod-service-account');
    expect(inShop.stdout).not.toContain('Pod shop/web: namespace-default-deny');
    const inDefault = await check(cwd, 'manifests');
    expect(inDefault.stdout).toContain('Pod default/web: pod-service-account');
    // a namespace with no Namespace object and no policy: unlabelled, and judged lacking default-deny
    expect(inDefault.stdout).toContain('Pod default/web: namespace-default-deny');
  });

  it('does not judge objects in exempt namespaces', async () => {
    const cwd = tree({ 'debug.yaml': pod('debug', { namespace: 'kube-system' }) });
    const r = await check(cwd, '--output', 'json', 'manifests');
    expect(r.code).toBe(0);
    expect(json(r.stdout).summary).toMatchObject({ objects: 1, checked: 0, exempt: 1, violations: 0 });
    expect((await check(cwd, 'manifests')).stdout).toContain('1 in exempt namespaces');
  });

  it('ignores kinds netguard does not judge', async () => {
    const cwd = tree({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n' });
    const r = await check(cwd, '--output', 'json', 'manifests');
    expect(r.code).toBe(0);
    expect(json(r.stdout).summary).toMatchObject({ objects: 1, checked: 0, ignored: 1 });
  });

  it('shows warning-only findings as warnings without changing the exit code', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels:\n    netguard.io/mode: enforce\n';
    const cwd = tree({ 'ns.yaml': ns });
    const r = await check(cwd, 'manifests');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^manifests\/ns\.yaml:1 Namespace payments: warning: namespace-default-deny: /m);
    expect(r.stdout).toContain('1 object checked, 0 violations, 1 warning');
  });

  it('warns about an unknown netguard.io/mode value', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    netguard.io/mode: enforcing\n';
    const r = await check(tree({ 'ns.yaml': ns, 'p.yaml': SHOP.split('---')[1]! }), '--output', 'json', 'manifests');
    expect(r.code).toBe(0);
    expect(json(r.stdout).warnings).toEqual([expect.objectContaining({ kind: 'Namespace', namespace: null, name: 'shop', rule: null, message: expect.stringContaining('"enforcing"') })]);
  });

  it('judges every object as enforce, whatever its namespace label or dryRun say', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n  labels:\n    netguard.io/mode: audit\n';
    const cwd = tree({ 'ns.yaml': ns, 'p.yaml': pod('x', { namespace: 'lab' }) }, `${CONFIG}\ndryRun: true\n`);
    expect((await check(cwd, 'manifests')).code).toBe(1);
  });

  describe('usage errors exit 2', () => {
    const cwd = tree({ 'shop.yaml': SHOP });
    it.each([
      ['unknown flag', ['--bogus']],
      ['bad --output', ['--output', 'yaml']],
      ['--as-group without --as', ['--as-group', 'devs']],
      ['empty --as', ['--as', '']],
      ['invalid --namespace', ['--namespace', 'Not_A_Namespace']],
    ])('%s', async (_name, extra) => {
      const r = await check(cwd, ...extra, 'manifests');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error/i);
      expect(r.stdout).toBe('');
    });

    it('no path', async () => {
      const r = await check(cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('path');
    });

    it('missing --config', async () => {
      const r = await netguardAsync(['check', 'manifests'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--config');
    });
  });
});
