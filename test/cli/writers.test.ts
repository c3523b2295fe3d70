// `netguard writers` on a state holding each path to network-policy write: every subject is named
// with its path, provisioned or not, and the exit code says whether all writers are provisioned.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTree } from '../support/cli.js';
import { ROOT } from './run.js';

// the example state the docs show (examples/writers/rbac.yaml): one binding per path to write
const STATE = readFileSync(join(ROOT, 'examples/writers/rbac.yaml'), 'utf8');
const CONFIG = `
provisioners:
  - name: platform-team
    users: [alice@example.com]
    groups: [netpol-admins]
    serviceAccounts: [gitops/argocd-application-controller]
`;

// clean/: the first document alone, a Namespace
const tree = configTree(CONFIG, { 'state/cluster.yaml': STATE, 'clean/cluster.yaml': STATE.split('---')[0]! });
const writers = (...args: string[]) => tree.run('writers', args);

interface Row {
  subject: { kind: string; name: string; namespace?: string };
  namespace?: string;
  provisioned: boolean;
  path: string;
  binding: string;
  role: string;
  rule: string;
}

describe.concurrent('netguard writers', () => {
  it('names every subject with its path, as JSON', async () => {
    const r = await writers('--state', 'state', '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rows = (JSON.parse(r.stdout) as { writers: Row[] }).writers;
    const brief = rows.map((w) => [w.subject.kind, w.subject.namespace ? `${w.subject.namespace}/${w.subject.name}` : w.subject.name, w.namespace ?? '*', w.path, w.provisioned]);
    expect(brief).toEqual([
      ['User', 'ivan@example.com', '*', 'impersonate', false],
      ['ServiceAccount', 'gitops/runner', 'gitops', 'exec', false],
      ['ServiceAccount', 'gitops/runner', 'gitops', 'secrets', false],
      ['ServiceAccount', 'gitops/runner', 'gitops', 'token', false],
      ['User', 'tom@example.com', 'gitops', 'exec', false],
      ['User', 'tom@example.com', 'gitops', 'secrets', false],
      ['User', 'tom@example.com', 'gitops', 'token', false],
      ['Group', 'shop-viewers', 'shop', 'aggregation', false],
      ['User', 'alice@example.com', 'shop', 'write', true],
      ['User', 'dana@example.com', 'shop', 'write', false],
    ]);
    const aggregated = rows.find((w) => w.path === 'aggregation')!;
    expect(aggregated).toMatchObject({ binding: 'RoleBinding shop/viewers', role: 'ClusterRole view' });
    expect(aggregated.rule).toBe('ClusterRole "netpol-to-view" rules[0]: write: patch on networking.k8s.io/networkpolicies');
    expect(rows.find((w) => w.path === 'impersonate')!.rule).toBe('rules[0]: impersonate group "netpol-admins"');
  });

  it('prints a table with the path binding → role → rule', async () => {
    const r = await writers('--state', 'state');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^SUBJECT\s+SCOPE\s+PROVISIONED\s+PATH\s+VIA$/);
    expect(lines).toContainEqual(expect.stringMatching(/^User dana@example\.com\s+shop\s+NO\s+write\s+RoleBinding shop\/direct → Role shop\/netpol-editor → rules\[0\]: create, update on networking\.k8s\.io\/networkpolicies$/));
    expect(lines).toContainEqual(expect.stringMatching(/^User alice@example\.com\s+shop\s+yes\s+write\s/));
    expect(lines).toContainEqual(expect.stringMatching(/^User tom@example\.com\s+gitops\s+NO\s+exec\s+RoleBinding gitops\/ops → Role gitops\/ops → rules\[1\]: create pods\/exec where provisioned ServiceAccount "gitops\/argocd-application-controller" lives$/));
    expect(lines).toContainEqual(expect.stringMatching(/^User ivan@example\.com\s+cluster-wide\s+NO\s+impersonate\s/));
    expect(r.stdout).toContain('10 grants of network-policy write in state directory state; 5 subjects not provisioned.');
  });

  it('-n keeps the grants that reach one namespace (cluster-wide ones included)', async () => {
    const r = await writers('--state', 'state', '--namespace', 'shop', '--output', 'json');
    const rows = (JSON.parse(r.stdout) as { writers: Row[] }).writers;
    expect([...new Set(rows.map((w) => w.namespace ?? '*'))].sort()).toEqual(['*', 'shop']);
  });

  it('exits 0 when every writer is provisioned, 2 on bad input', async () => {
    const clean = await writers('--state', 'clean');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('Nobody holds network-policy write through a binding.');
    const missing = await writers('--state', 'nowhere');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const bad = await writers('--state', 'state', '--output', 'yaml');
    expect(bad.code).toBe(2);
  });
});
