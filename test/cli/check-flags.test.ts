// Flags as users type them, and check's cluster state from elsewhere, through the real CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { CONFIG, SHOP, pod } from './fixtures.js';
import { netguardAsync, tempTree } from './run.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers: [{name: app, image: nginx}]
      serviceAccountName: default
`;

describe.concurrent('flags', () => {
  it('a mistyped flag is named with a suggestion, not as a missing required one', async () => {
    const r = await netguardAsync(['check', '--confg', 'config.yaml', 'm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--confg'\n\(Did you mean --config\?\)/);
    expect(r.stderr).not.toContain('required option');
  });

  it('-o and -n on check; text and table both accepted by check and audit', async () => {
    const cwd = tempTree({ 'config.yaml': CONFIG, 'm/shop.yaml': SHOP, 'm/web.yaml': pod('web') });
    const r = await netguardAsync(['check', '--config', 'config.yaml', '-n', 'shop', '-o', 'json', 'm'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations[0]).toMatchObject({ namespace: 'shop', rule: 'pod-service-account' });
    const table = await netguardAsync(['check', '--config', 'config.yaml', '-n', 'shop', '-o', 'table', 'm'], { cwd });
    expect(table.stdout).toMatch(/^m\/web\.yaml:\d+ Pod shop\/web: pod-service-account: /m);
    const audit = await netguardAsync(['audit', '--config', 'config.yaml', '--state', 'm', '-o', 'text'], { cwd });
    expect(audit.stderr).toBe('');
    expect(audit.code).toBe(1); // the pod landed in "default", on the default ServiceAccount
    expect(audit.stdout).toContain('pod-service-account');
    const bad = await netguardAsync(['audit', '--config', 'config.yaml', '--state', 'm', '-o', 'yaml'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/argument 'yaml' is invalid\. Allowed choices are table, .*json/);
  });

  it('check --output json gives file, line and field of the offending field; text points at that line', async () => {
    const cwd = tempTree({ 'config.yaml': CONFIG, 'm/shop.yaml': SHOP, 'm/web.yaml': DEPLOYMENT });
    const r = await netguardAsync(['check', '--config', 'config.yaml', '-o', 'json', 'm'], { cwd });
    expect(JSON.parse(r.stdout).violations).toEqual([
      expect.objectContaining({ file: 'm/web.yaml', line: 10, field: 'spec.template.spec.serviceAccountName', kind: 'Deployment' }),
    ]);
    const text = await netguardAsync(['check', '--config', 'config.yaml', 'm'], { cwd });
    expect(text.stdout).toMatch(/^m\/web\.yaml:10 Deployment shop\/web: pod-service-account: /m);
  });
});

describe('check with the cluster state the manifests build on', () => {
  it('--state DIR: the namespace and its default-deny live elsewhere', async () => {
    const cwd = tempTree({ 'config.yaml': CONFIG, 'cluster/shop.yaml': SHOP, 'app/web.yaml': pod('web', { namespace: 'shop', serviceAccount: 'web' }) });
    const without = await netguardAsync(['check', '--config', 'config.yaml', 'app'], { cwd });
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('namespace-default-deny');
    const r = await netguardAsync(['check', '--config', 'config.yaml', '--state', 'cluster', 'app'], { cwd });
    expect(r.stdout).toMatch(/^1 object checked, 0 violations/m);
    expect(r.code).toBe(0);
  });

  describe('--kubeconfig FILE', () => {
    let api: FakeApiServer;
    beforeAll(async () => {
      api = await startFakeApi();
      api.seed([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'netguard.io/mode': 'enforce' } } },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'default-deny', namespace: 'shop' },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        },
      ]);
    });
    afterAll(async () => api.stop());

    it('reads namespaces and policies from the live cluster', async () => {
      const kubeconfig = writeKubeconfig(api.url);
      const cwd = tempTree({ 'config.yaml': CONFIG, 'app/web.yaml': pod('web', { namespace: 'shop', serviceAccount: 'web' }) });
      const r = await netguardAsync(['check', '--config', 'config.yaml', '--kubeconfig', kubeconfig, 'app'], { cwd });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^1 object checked, 0 violations/m);
      expect(r.code).toBe(0);
    });
  });

  describe('--kubeconfig FILE with a default-deny of another policy API', () => {
    let api: FakeApiServer;
    const ccnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'deny-all' },
      spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
    };
    beforeAll(async () => {
      api = await startFakeApi();
      api.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'covered', labels: { 'netguard.io/mode': 'enforce' } } }, ccnp]);
    });
    afterAll(async () => api.stop());

    const checkPod = () => {
      const kubeconfig = writeKubeconfig(api.url);
      const cwd = tempTree({ 'config.yaml': CONFIG, 'app/web.yaml': pod('web', { namespace: 'covered', serviceAccount: 'web' }) });
      return netguardAsync(['check', '--config', 'config.yaml', '--kubeconfig', kubeconfig, 'app'], { cwd });
    };

    it('counts a CiliumClusterwideNetworkPolicy the API server serves, and not one it does not', async () => {
      api.serve('CiliumClusterwideNetworkPolicy');
      const served = await checkPod();
      expect(served.stderr).toBe('');
      expect(served.stdout).not.toContain('namespace-default-deny');
      expect(served.stdout).toMatch(/^1 object checked, 0 violations/m);
      expect(served.code).toBe(0);
      expect(api.requests.some((r) => r.kind === 'list' && r.path === '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies')).toBe(true);

      // CRD gone: nothing to list, nothing fails, and the namespace has no default-deny
      api.serve('CiliumClusterwideNetworkPolicy', false);
      const gone = await checkPod();
      expect(gone.stderr).toBe('');
      expect(gone.stdout).toMatch(/Pod covered\/web: namespace-default-deny: /);
      expect(gone.code).toBe(1);
    });
  });
});
