// `netguard fix` end to end: the real command on manifest trees, then `check` on the result.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG } from '../cli/fixtures.js';
import { netguardAsync, tempTree } from '../cli/run.js';

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const workload = (kind: string, apiVersion: string, name: string, namespace: string, podSpec = '      containers:\n        - name: app\n          image: nginx:1.27\n') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  template:\n    spec:\n${podSpec}`;

/** Three namespaces without default-deny, five workloads on the default ServiceAccount. */
const MANIFESTS = {
  'shop/namespace.yaml': ns('shop'),
  'shop/web.yaml': workload('Deployment', 'apps/v1', 'web', 'shop'),
  'shop/cart.yaml': workload('StatefulSet', 'apps/v1', 'cart', 'shop', '      serviceAccountName: default\n      containers:\n        - name: app\n          image: redis:7\n'),
  'billing/all.yaml': [ns('billing'), workload('Deployment', 'apps/v1', 'invoices', 'billing'), workload('DaemonSet', 'apps/v1', 'agent', 'billing')].join('---\n'),
  'search/all.yaml': [ns('search'), workload('Job', 'batch/v1', 'reindex', 'search')].join('---\n'),
};

const run = (cwd: string, ...args: string[]) => netguardAsync(args, { cwd });

interface CheckJson {
  violations: { rule: string; kind: string; name: string }[];
  skippedRules: { rule: string }[];
}

describe.concurrent('netguard fix', () => {
  it('--out: check on the manifests plus the fixes reports neither rule (evaluated as a provisioned requester)', async () => {
    const cwd = tempTree({ 'config.yaml': CONFIG, ...Object.fromEntries(Object.entries(MANIFESTS).map(([k, v]) => [`manifests/${k}`, v])) });
    const check = (...paths: string[]) => run(cwd, 'check', '--config', 'config.yaml', '--as', 'alice@example.com', '--output', 'json', ...paths);

    const before = await check('manifests');
    expect(before.code).toBe(1);
    const found = (JSON.parse(before.stdout) as CheckJson).violations;
    expect(found.filter((v) => v.rule === 'pod-service-account').map((v) => v.name).sort()).toEqual(['agent', 'cart', 'invoices', 'reindex', 'web']);
    expect(found.filter((v) => v.rule === 'namespace-default-deny')).toHaveLength(5);

    const fix = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests', '--out', 'fixes');
    expect(fix.stderr).toBe('');
    expect(fix.code).toBe(0);
    expect(readdirSync(join(cwd, 'fixes')).sort()).toEqual(['billing.yaml', 'search.yaml', 'shop.yaml']);
    expect(fix.stdout).toContain('wrote fixes/shop.yaml\n  namespace "shop" had no default-deny for Ingress and Egress: NetworkPolicy default-deny, allow-dns\n');
    expect(readFileSync(join(cwd, 'fixes/shop.yaml'), 'utf8')).toMatch(/^# Written by netguard fix\.\n/);

    const after = await check('manifests', 'fixes');
    const report = JSON.parse(after.stdout) as CheckJson;
    expect(report.violations).toEqual([]);
    expect(report.skippedRules).toEqual([]); // --as: every rule was evaluated
    expect(after.code).toBe(0);

    // and without --as (the requester rules skipped, the two rules still judged)
    expect((await run(cwd, 'check', '--config', 'config.yaml', 'manifests', 'fixes')).code).toBe(0);

    // idempotent: given its own output, fix finds nothing and touches nothing
    const shop = readFileSync(join(cwd, 'fixes/shop.yaml'), 'utf8');
    const again = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests', 'fixes', '--out', 'fixes');
    expect([again.code, again.stdout]).toEqual([0, 'nothing to fix\n']);
    expect(readFileSync(join(cwd, 'fixes/shop.yaml'), 'utf8')).toBe(shop);
  }, 120_000);

  it('--write on a commented multi-document file keeps every byte and adds only lines', async () => {
    const original = [
      '# Team shop: everything in one file',
      '# (reviewed by platform)',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: shop  # production shop',
      '---',
      '# the storefront',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  namespace: shop',
      '  labels: {app: web, tier: "front"}',
      'spec:',
      '  replicas: 3 # scaled by HPA',
      '  template:',
      '    spec:',
      '      # keep the pod small',
      '      containers:',
      '      - name: web',
      "        image: 'nginx:1.27'",
      '',
      '---',
      'apiVersion: batch/v1',
      'kind: CronJob',
      'metadata: {name: nightly, namespace: shop}',
      'spec:',
      '  schedule: "0 3 * * *"   # 3 am',
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          restartPolicy: OnFailure',
      '          containers: [{name: job, image: busybox}]',
      '# end of file',
      '',
    ].join('\n');
    const cwd = tempTree({ 'config.yaml': CONFIG, 'manifests/shop.yaml': original });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', '--write', 'manifests');
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/^edited manifests\/shop\.yaml\n {2}Deployment "web" in namespace "shop": serviceAccountName web \(was default\)\n/);
    const edited = readFileSync(join(cwd, 'manifests/shop.yaml'), 'utf8');

    // a line diff of only additions: the original lines, in order, are a subsequence of the new ones
    const after = edited.split('\n');
    let next = 0;
    for (const line of original.split('\n')) {
      next = after.indexOf(line, next);
      expect(next, `line kept: ${line}`).toBeGreaterThanOrEqual(0);
      next++;
    }
    const added = after.filter((line) => !original.split('\n').includes(line));
    expect(added).toContain('      serviceAccountName: web');
    expect(added).toContain('          serviceAccountName: nightly');
    expect(added).toContain('# Added by netguard fix:');
    expect(edited.indexOf('      serviceAccountName: web')).toBe(edited.indexOf('      # keep the pod small') + '      # keep the pod small\n'.length);

    const check = await run(cwd, 'check', '--config', 'config.yaml', 'manifests');
    expect(check.stdout).toMatch(/^5 objects checked, 0 violations/m);
    expect(check.code).toBe(0);

    const again = await run(cwd, 'fix', '--config', 'config.yaml', '--write', 'manifests');
    expect([again.code, again.stdout]).toEqual([0, 'nothing to fix\n']);
    expect(readFileSync(join(cwd, 'manifests/shop.yaml'), 'utf8')).toBe(edited);
  }, 60_000);

  it('--write --out: workloads edited in place, new objects in the directory; a JSON file stays JSON', async () => {
    const cwd = tempTree({
      'config.yaml': CONFIG,
      'manifests/pod.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lone' }, spec: { containers: [{ name: 'a', image: 'x' }] } }),
    });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', '--write', '--out', 'fixes', '-n', 'tools', 'manifests');
    expect(fix.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'manifests/pod.json'), 'utf8'))).toMatchObject({ spec: { serviceAccountName: 'lone' } });
    const added = readFileSync(join(cwd, 'fixes/tools.yaml'), 'utf8');
    // objects of --namespace leave metadata.namespace out, so do their fixes
    expect(added).toContain('kind: ServiceAccount\nmetadata:\n  name: lone\nautomountServiceAccountToken: false\n');
    expect(added).not.toContain('namespace: tools');
    const check = await run(cwd, 'check', '--config', 'config.yaml', '--namespace', 'tools', 'manifests', 'fixes');
    expect(check.code).toBe(0);
  }, 60_000);

  it('without --out or --write prints the fix and writes nothing', async () => {
    const cwd = tempTree({ 'config.yaml': CONFIG, 'manifests/a.yaml': MANIFESTS['search/all.yaml'] });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests');
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/^# Written by netguard fix\.\n# namespace "search" had no default-deny for Ingress and Egress: NetworkPolicy default-deny, allow-dns\.\n/);
    expect(fix.stdout).toContain('kind: Job\nmetadata:\n  name: reindex\n  namespace: search\nspec:\n  template:\n    spec:\n      containers:');
    expect(readdirSync(join(cwd, 'manifests'))).toEqual(['a.yaml']);
  });

  it('fixes a namespace not governed yet (check judges it), says so, then has nothing to fix', async () => {
    const cwd = tempTree({ 'config.yaml': 'defaultMode: disabled\n', 'manifests/a.yaml': ns('lab') });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests', '--out', 'fixes');
    expect(fix.code).toBe(0);
    expect(fix.stderr).toMatch(/^note: namespace "lab" is not governed yet \(unlabelled, and defaultMode is disabled\)/);
    const check = await run(cwd, 'check', '--config', 'config.yaml', 'manifests', 'fixes');
    expect(check.code).toBe(0);
    const again = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests', 'fixes');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('nothing to fix\n');
  }, 60_000);

  it.each([
    [['manifests', '--write', '-'], /^error: --write edits files in place; stdin \(-\) cannot be edited/],
    [['missing'], /^error: missing: cannot read/],
    [['empty'], /^error: no Kubernetes objects found in empty/],
    [['-n', 'Bad_NS', 'manifests'], /^error: --namespace "Bad_NS" is not a valid namespace name/],
    [['manifests', '--out', 'manifests'], /^error: manifests\/search\.yaml exists and was not written by netguard fix/],
  ])('exits 2 on bad input: fix %j', async (args, message) => {
    const cwd = tempTree({ 'config.yaml': CONFIG, 'manifests/search.yaml': MANIFESTS['search/all.yaml'], 'empty/.keep': '' });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', ...args);
    expect(fix.stderr).toMatch(message);
    expect(fix.code).toBe(2);
    expect(readFileSync(join(cwd, 'manifests/search.yaml'), 'utf8')).toBe(MANIFESTS['search/all.yaml']);
  });

  it('exits 2 naming the config file when it is invalid', async () => {
    const cwd = tempTree({ 'config.yaml': 'defaultMode: sometimes\n', 'manifests/a.yaml': ns('a') });
    const fix = await run(cwd, 'fix', '--config', 'config.yaml', 'manifests');
    expect(fix.code).toBe(2);
    expect(fix.stderr).toMatch(/^error: config\.yaml/);
    expect(existsSync(join(cwd, 'fixes'))).toBe(false);
  });
});

