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
