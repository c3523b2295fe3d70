// `netguard check` on the trees users really point it at: empty checkouts, repositories with Helm
// charts, CI workflows and kustomizations beside the manifests, symlinks, anchors.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG, SHOP, pod } from './fixtures.js';
import { configTree } from '../support/cli.js';

/** A repository whose manifests pass: the shop namespace with its default-deny and a clean pod, plus `files`. */
const cleanRepo = (files: Record<string, string>) =>
  configTree(CONFIG, { 'repo/shop.yaml': SHOP, 'repo/web.yaml': pod('web', { namespace: 'shop', serviceAccount: 'web' }), ...files });

describe.concurrent('check: what it reads', () => {
  it('exits 2 on an empty directory: CI cannot pass on nothing', async () => {
    const tree = configTree(CONFIG);
    mkdirSync(join(tree.cwd, 'empty'));
    const r = await tree.run('check', ['empty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no Kubernetes objects found in empty\n');
  });

  it('exits 2 on empty stdin', async () => {
    const r = await configTree(CONFIG).run('check', ['-'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no Kubernetes objects found in stdin\n');
  });

  it('follows a symlink loop once, says so, and exits 2 when nothing else is there', async () => {
    const tree = configTree(CONFIG);
    mkdirSync(join(tree.cwd, 'loop'));
    symlinkSync('.', join(tree.cwd, 'loop/self'));
    const r = await tree.run('check', ['loop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('note: loop/self: symbolic link back to loop, which is being read (a loop); not followed again\n');
    expect(r.stderr).toContain('error: no Kubernetes objects found in loop\n');
  });

  it('judges manifests behind a symlinked directory', async () => {
    const tree = configTree(CONFIG, { 'shared/shop.yaml': SHOP, 'repo/web.yaml': pod('web', { namespace: 'shop' }) });
    symlinkSync('../shared', join(tree.cwd, 'repo/shared'));
    const r = await tree.run('check', ['repo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^3 objects checked, 1 violation/m);
  });

  it('skips Chart.yaml, Helm values and templates, CI workflows and kustomizations with a note; hidden directories silently', async () => {
    const tree = cleanRepo({
      'repo/chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'repo/chart/values.yaml': 'replicaCount: 2\nimage:\n  repository: nginx\n',
      'repo/chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
      'repo/ci/workflow.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n',
      'repo/.github/workflows/ci.yml': 'on: [push]\n',
      'repo/overlay/kustomization.yaml': 'resources:\n  - ../web.yaml\nnamespace: shop\n',
    });
    const r = await tree.run('check', ['repo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^3 objects checked, 0 violations/m);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'note: repo/chart/Chart.yaml: not a Kubernetes manifest (no apiVersion/kind): skipped',
      'note: repo/chart/templates/deployment.yaml: a Helm template, not manifests: skipped; to check what it renders, run `helm template … | netguard check … -`',
      'note: repo/chart/values.yaml: not a Kubernetes manifest (no apiVersion/kind): skipped',
      'note: repo/ci/workflow.yml: not a Kubernetes manifest (no apiVersion/kind): skipped',
      'note: repo/overlay/kustomization.yaml: a kustomization, not manifests: skipped; to check what it builds, run `kustomize build DIR | netguard check … -`',
    ]);
  });

  it('--exclude (repeatable) leaves out names and paths', async () => {
    const tree = cleanRepo({
      'repo/broken/x.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n',
      'repo/legacy/old.yaml': pod('old', { namespace: 'shop' }),
    });
    expect((await tree.run('check', ['repo'])).code).toBe(2);
    const r = await tree.run('check', ['repo', '--exclude', 'broken', '--exclude', 'legacy/**']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^3 objects checked, 0 violations/m);
  });

  it('reads a YAML anchor used 150 times, as kubectl does', async () => {
    const uses = Array.from({ length: 150 }, (_, i) => `  key${i}: *v`).join('\n');
    const tree = configTree(CONFIG, {
      'm/shop.yaml': SHOP,
      'm/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: shop\n  annotations:\n    base: &v shared\ndata:\n${uses}\n`,
    });
    const r = await tree.run('check', ['m']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses a billion-laughs document naming the file, without a stack trace', async () => {
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const r = await configTree(CONFIG, { 'm/lol.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  ${levels.join('\n  ')}\n` }).run('check', ['m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: m\/lol\.yaml:1: YAML aliases expand this document to more than 1,000,000 nodes/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names file:line of a YAML error in one clean sentence', async () => {
    const r = await configTree(CONFIG, { 'm/bad.yaml': `${SHOP}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n   namespace: shop\n` }).run('check', ['m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: m/bad.yaml:23: not valid YAML: bad indentation of a mapping entry\n');
  });

  it('does not pass a file by as a Helm template outside a chart: `{{` in a comment and a broken last document', async () => {
    // kubectl may still apply the default-ServiceAccount Pod before the broken document
    const sneaky = `${pod('sneaky', { namespace: 'shop' })}# owner: {{ .Values.owner }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n   namespace: shop\n`;
    const r = await cleanRepo({ 'repo/apps/sneaky.yaml': sneaky }).run('check', ['repo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: repo\/apps\/sneaky\.yaml:\d+: not valid YAML: bad indentation of a mapping entry; if it is a Helm template, to check what it renders, run `helm template … \| netguard check … -`\n$/);
  });
});
