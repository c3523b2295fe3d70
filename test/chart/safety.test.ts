// The chart cannot lock a cluster or open a hole by accident: the control plane's namespaces stay
// out of the webhook whatever exemptNamespaces says, values `serve` would refuse fail the install,
// the API server's own controllers skip the cluster-scoped entries, and a NetworkPolicy keeps the
// webhook port reachable when the release namespace is default-deny.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FETCH_TIMEOUT_MS, HELMS, NAMESPACE, render, runHelm, setUpHelm, tearDownHelm, template, CHART, RELEASE, type Manifest } from './helm.js';

beforeAll(setUpHelm, FETCH_TIMEOUT_MS);
afterAll(tearDownHelm);

const webhooksOf = (manifests: Manifest[]) =>
  (manifests.find((m) => m.kind === 'ValidatingWebhookConfiguration')?.['webhooks'] ?? []) as Manifest[];

describe.each(HELMS)('$name', (helm) => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an invalid CIDR', { trustedCidrs: ['10.0.0.300/8'] }, /trustedCidrs/],
    ['a CIDR without a prefix length', { trustedCidrs: ['10.0.0.0'] }, /trustedCidrs/],
    ['a glob with characters no namespace has', { exemptNamespaces: ['Team_*'] }, /exemptNamespaces/],
    ['a provisioner glob with a slash', { provisioners: [{ name: 'p', namespaces: ['a/b'] }] }, /namespaces/],
    ['an unknown rule id', { rules: { 'pod-service-acount': true } }, /pod-service-acount|additional/i],
  ])('refuses %s in config', (_name, config, problem) => {
    const result = template(helm, { values: { config } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(problem);
  });

  it('accepts IPv4 and IPv6 CIDRs and every rule id', () => {
    const result = template(helm, {
      values: { config: { trustedCidrs: ['10.0.0.0/8', 'fd00::/8', '::/0'], rules: { 'provisioned-identity': false } } },
    });
    expect(result.status, result.stderr).toBe(0);
  });

  it('ships a NetworkPolicy that lets anyone reach the webhook port of netguard pods, and only that', () => {
    const { manifests } = render(helm);
    const policy = manifests.find((m) => m.kind === 'NetworkPolicy')!;
    expect(policy.metadata['namespace']).toBe(NAMESPACE);
    const deployment = manifests.find((m) => m.kind === 'Deployment')!;
    expect(policy['spec']['podSelector']['matchLabels']).toEqual(deployment['spec']['selector']['matchLabels']);
    expect(policy['spec']['policyTypes']).toEqual(['Ingress']);
    expect(policy['spec']['ingress']).toEqual([{ ports: [{ port: 'webhook', protocol: 'TCP' }] }]);
    const ports = deployment['spec']['template']['spec']['containers'][0]['ports'] as { name: string }[];
    expect(ports.map((p) => p.name)).toContain('webhook');
    expect(render(helm, { values: { networkPolicy: { enabled: false } } }).manifests.some((m) => m.kind === 'NetworkPolicy')).toBe(false);
  });

  it('skips only the API server and its aggregation and namespace controllers on the cluster-scoped entries (Kubernetes 1.30+)', () => {
    const result = runHelm(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', '1.31.0']);
    expect(result.status, result.stderr).toBe(0);
    const conditions = Object.fromEntries(
      webhooksOfYaml(result.stdout).map((w) => [w['name'], (w['matchConditions'] ?? []) as { expression: string }[]]),
    );
    expect(conditions['rbac.netguard.io']).toEqual([
      {
        name: 'not-the-api-servers-own-controllers',
        expression: '!(request.userInfo.username in ["system:apiserver","system:serviceaccount:kube-system:clusterrole-aggregation-controller"])',
      },
    ]);
    expect(conditions['namespaces.netguard.io']?.[0]?.expression).toBe('!(request.userInfo.username in ["system:serviceaccount:kube-system:namespace-controller"])');
    for (const name of ['pods.netguard.io', 'workloads.netguard.io', 'networkpolicies.netguard.io']) expect(conditions[name]).toEqual([]);
    // an older API server refuses the field: it is left out there
    const old = runHelm(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', '1.29.0']);
    expect(old.status, old.stderr).toBe(0);
    expect(old.stdout).not.toContain('matchConditions');
  });
});

function webhooksOfYaml(text: string): Manifest[] {
  return webhooksOf(parseAllDocuments(text).map((doc) => doc.toJS() as Manifest).filter(Boolean));
}
