// `netguard audit` as a real command: exit codes and streams through the CLI entry point.
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { netguard, tempTree } from '../cli/run.js';
import { denyAll, namespace, pod } from '../support/kube-objects.js';

const CONFIG = stringify({ defaultMode: 'enforce' });

describe('netguard audit (command line)', () => {
  it('exits 1 and prints the table on stdout for violations in a state directory', () => {
    const dir = tempTree({
      'config.yaml': CONFIG,
      'state/cluster.yaml': [namespace('shop'), denyAll('shop'), pod('shop', 'web')].map((o) => stringify(o)).join('---\n'),
    });
    const result = netguard(['audit', '--config', `${dir}/config.yaml`, '--state', `${dir}/state`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^RULE\s+KIND\s+NAMESPACE\s+NAME\s+MESSAGE\npod-service-account\s+Pod\s+shop\s+web\s/);
  });

  it('exits 0 with --output json for a clean state directory', () => {
    const dir = tempTree({
      'config.yaml': CONFIG,
      'state/cluster.yaml': [namespace('shop'), denyAll('shop'), pod('shop', 'web', 'web')].map((o) => stringify(o)).join('---\n'),
    });
    const result = netguard(['audit', '--config', `${dir}/config.yaml`, '--state', `${dir}/state`, '--output', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ violations: [], summary: { violations: 0 } });
  });

  it('lists pods running as a provisioned ServiceAccount at their workload, for review', () => {
    const config = stringify({ defaultMode: 'enforce', provisioners: [{ name: 'platform', users: ['alice@example.com'], serviceAccounts: ['gitops/deployer'] }] });
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'sync-5d8', namespace: 'gitops', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sync', uid: 'd1', controller: true }] } };
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sync', namespace: 'gitops', uid: 'd1' }, spec: { template: { spec: { serviceAccountName: 'deployer', containers: [] } } } };
    const owned = (name: string) => ({ ...pod('gitops', name, 'deployer'), metadata: { name, namespace: 'gitops', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'sync-5d8', uid: 'r1', controller: true }] } });
    const dir = tempTree({
      'config.yaml': config,
      'state/cluster.yaml': [namespace('gitops'), denyAll('gitops'), deployment, rs, owned('sync-5d8-a'), owned('sync-5d8-b'), pod('gitops', 'other', 'other')].map((o) => stringify(o)).join('---\n'),
    });
    const result = netguard(['audit', '--config', `${dir}/config.yaml`, '--state', `${dir}/state`, '-o', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { violations: { rule: string; kind: string; name: string; pods?: string[]; message: string }[]; notAudited: { rule: string }[] };
    expect(report.violations).toEqual([
      expect.objectContaining({ rule: 'provisioned-identity', kind: 'Deployment', name: 'sync', pods: ['sync-5d8-a', 'sync-5d8-b'] }),
    ]);
    expect(report.violations[0]!.message).toContain('runs as the provisioned ServiceAccount "gitops/deployer"');
    expect(report.notAudited.map((n) => n.rule)).not.toContain('provisioned-identity');
  });

  it('exits 2 when the API server cannot be reached, saying so on stderr', () => {
    const dir = tempTree({
      'config.yaml': CONFIG,
      'kubeconfig.yaml': stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gone', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'c', context: { cluster: 'gone', user: 'u' } }],
        'current-context': 'c',
      }),
    });
    const result = netguard(['audit', '--config', `${dir}/config.yaml`, '--kubeconfig', `${dir}/kubeconfig.yaml`, '--output', 'policyreport']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: cannot list Namespace objects from http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/);
  });

  it.skipIf(process.env['KUBERNETES_SERVICE_HOST'])('exits 2 outside a cluster without --kubeconfig or --state', () => {
    const dir = tempTree({ 'config.yaml': CONFIG });
    const result = netguard(['audit', '--config', `${dir}/config.yaml`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not running inside a cluster.*--kubeconfig FILE, or --state DIR/);
  });
});
