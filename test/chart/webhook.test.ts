// The rendered ValidatingWebhookConfiguration: exactly SPEC's kinds and operations, the namespace
// scoping of both modes, and the serving certificate in each of the three certificate modes.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_RESOURCES } from '../../src/config/load.js';
import { RULES } from '../../src/rules/registry.js';
import { FETCH_TIMEOUT_MS, HELMS, NAMESPACE, RELEASE, render, setUpHelm, tearDownHelm, type Manifest, type Rendered } from './helm.js';

beforeAll(setUpHelm, FETCH_TIMEOUT_MS);
afterAll(tearDownHelm);

const CREATE_UPDATE = ['CREATE', 'UPDATE'];

/** SPEC's rule table, per webhook entry: `group/resource` → operations (sorted). */
const EXPECTED: Record<string, Record<string, string[]>> = {
  'networkpolicies.netguard.io': {
    'networking.k8s.io/networkpolicies': ['CREATE', 'DELETE', 'UPDATE'],
  },
  'policies.netguard.io': Object.fromEntries(DEFAULT_POLICY_RESOURCES.map((entry) => [entry, ['CREATE', 'DELETE', 'UPDATE']])),
  'rbac.netguard.io': {
    'rbac.authorization.k8s.io/roles': CREATE_UPDATE,
    'rbac.authorization.k8s.io/rolebindings': CREATE_UPDATE,
    'rbac.authorization.k8s.io/clusterroles': CREATE_UPDATE,
    'rbac.authorization.k8s.io/clusterrolebindings': CREATE_UPDATE,
  },
  'pods.netguard.io': {
    '/pods': ['CREATE'],
  },
  'workloads.netguard.io': {
    'apps/deployments': CREATE_UPDATE,
    'apps/replicasets': CREATE_UPDATE,
    'apps/statefulsets': CREATE_UPDATE,
    'apps/daemonsets': CREATE_UPDATE,
    'batch/jobs': CREATE_UPDATE,
    'batch/cronjobs': CREATE_UPDATE,
    '/replicationcontrollers': CREATE_UPDATE,
  },
  'namespaces.netguard.io': {
    '/namespaces': CREATE_UPDATE,
    '/namespaces/status': CREATE_UPDATE,
  },
};
const NAMESPACED_ENTRIES = ['networkpolicies.netguard.io', 'policies.netguard.io', 'rbac.netguard.io', 'pods.netguard.io', 'workloads.netguard.io'];
const DEFAULT_EXEMPT = ['kube-node-lease', 'kube-public', 'kube-system'];

/** `group/resource` → sorted operations of one webhook entry. */
function operationsOf(webhook: Manifest): Record<string, string[]> {
  const table: Record<string, Set<string>> = {};
  for (const rule of webhook['rules'] as Array<Record<string, string[]>>) {
    for (const group of rule['apiGroups']!) {
      for (const resource of rule['resources']!) {
        const ops = (table[`${group}/${resource}`] ??= new Set());
        for (const op of rule['operations']!) ops.add(op);
      }
    }
  }
  return Object.fromEntries(Object.entries(table).map(([key, ops]) => [key, [...ops].sort()]));
}

const webhooksOf = (rendered: Rendered): Manifest[] => rendered.one('ValidatingWebhookConfiguration')['webhooks'] as Manifest[];
const webhookNamed = (rendered: Rendered, name: string): Manifest => {
  const found = webhooksOf(rendered).find((w) => w['name'] === name);
  if (!found) throw new Error(`no webhook ${name}`);
  return found;
};

interface Expression {
  key: string;
  operator: string;
  values?: string[];
}
const expressionsOf = (webhook: Manifest): Expression[] => (webhook['namespaceSelector']?.matchExpressions ?? []) as Expression[];
const notInNames = (webhook: Manifest): string[] =>
  expressionsOf(webhook).find((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn')?.values ?? [];

/** Kubernetes resource name of a kind (all kinds netguard judges are regular plurals). */
const resourceOf = (kind: string): string => kind.toLowerCase().replace(/y$/, 'ie') + 's';

describe.each(HELMS)('$name', (helm) => {
  describe('default values (opt-in, generated certificates)', () => {
    let rendered: Rendered;
    beforeAll(() => {
      rendered = render(helm);
    });

    it('registers one entry per concern with exactly the operations of SPEC', () => {
      const webhooks = webhooksOf(rendered);
      expect(webhooks.map((w) => w['name'])).toEqual(Object.keys(EXPECTED));
      for (const webhook of webhooks) expect(operationsOf(webhook), webhook['name'] as string).toEqual(EXPECTED[webhook['name'] as string]);
    });

    it('sends every kind and operation a rule intercepts', () => {
      const sent = new Set<string>();
      for (const webhook of webhooksOf(rendered)) {
        for (const [resource, ops] of Object.entries(operationsOf(webhook))) for (const op of ops) sent.add(`${resource}/${op}`);
      }
      for (const rule of RULES) {
        for (const intercept of rule.intercepts) {
          for (const op of intercept.operations) expect(sent, `${rule.id}: ${intercept.kind} ${op}`).toContain(`${intercept.group}/${resourceOf(intercept.kind)}/${op}`);
        }
        for (const op of rule.interceptsPolicyResources ?? []) {
          for (const entry of ['networking.k8s.io/networkpolicies', ...DEFAULT_POLICY_RESOURCES]) expect(sent, `${rule.id}: ${entry} ${op}`).toContain(`${entry}/${op}`);
        }
      }
    });

    it('follows config.policyResources: a custom list is sent as written, an empty one drops the entry', () => {
      const custom = render(helm, { values: { config: { policyResources: ['cilium.io/ciliumnetworkpolicies', 'example.com/fencepolicies'] } } });
      expect(operationsOf(webhookNamed(custom, 'policies.netguard.io'))).toEqual({
        'cilium.io/ciliumnetworkpolicies': ['CREATE', 'DELETE', 'UPDATE'],
        'example.com/fencepolicies': ['CREATE', 'DELETE', 'UPDATE'],
      });
      const none = render(helm, { values: { config: { policyResources: [] } } });
      expect(webhooksOf(none).map((w) => w['name'])).not.toContain('policies.netguard.io');
    });

    it('sends the cluster-scoped policy resources whatever the namespace selector says (scope "*")', () => {
      const policies = webhookNamed(rendered, 'policies.netguard.io');
      for (const rule of policies['rules'] as Array<Record<string, unknown>>) expect(rule['scope']).toBe('*');
    });

    it('never matches subresources (but namespaces/status, which can relabel) or wildcards', () => {
      for (const webhook of webhooksOf(rendered)) {
        for (const rule of webhook['rules'] as Array<Record<string, string[]>>) {
          expect(rule['resources']!.filter((r) => (r.includes('/') && r !== 'namespaces/status') || r === '*')).toEqual([]);
          expect(rule['apiGroups']).not.toContain('*');
          expect(rule['operations']).not.toContain('*');
        }
      }
    });

    it('sets the same safe options on every entry', () => {
      for (const webhook of webhooksOf(rendered)) {
        expect(webhook['sideEffects']).toBe('None');
        expect(webhook['admissionReviewVersions']).toEqual(['v1', 'v1beta1']);
        expect(webhook['matchPolicy']).toBe('Equivalent');
        expect(webhook['failurePolicy']).toBe('Fail');
        expect(webhook['timeoutSeconds']).toBeLessThanOrEqual(5);
        expect(webhook['timeoutSeconds']).toBeGreaterThanOrEqual(1);
        expect(webhook['clientConfig'].service).toEqual({ name: RELEASE, namespace: NAMESPACE, path: '/validate', port: 443 });
      }
    });

    it('points at the Service, which forwards 443 to the container port 8443', () => {
      const service = rendered.one('Service', RELEASE);
      const https = (service['spec'].ports as Manifest[]).find((p) => p['port'] === 443);
      expect(https?.['targetPort']).toBe('webhook');
      const container = rendered.one('Deployment').spec.template.spec.containers[0];
      expect(container.ports).toContainEqual({ name: 'webhook', containerPort: 8443, protocol: 'TCP' });
    });

    it('sends namespaced kinds only from labelled namespaces, never the release or exempt namespaces', () => {
      for (const name of NAMESPACED_ENTRIES) {
        const webhook = webhookNamed(rendered, name);
        expect(expressionsOf(webhook), name).toContainEqual({ key: 'netguard.io/mode', operator: 'Exists' });
        expect(notInNames(webhook), name).toEqual(expect.arrayContaining([NAMESPACE, ...DEFAULT_EXEMPT]));
        expect(webhook['objectSelector'], name).toBeUndefined();
      }
    });

    it('sends every Namespace change, whatever its labels, except the release and exempt namespaces', () => {
      // namespaceSelector is matched against the Namespace's new labels: an opt-in filter would let a
      // label removal through unseen
      const webhook = webhookNamed(rendered, 'namespaces.netguard.io');
      expect(expressionsOf(webhook)).toEqual([
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining([NAMESPACE, ...DEFAULT_EXEMPT]) },
      ]);
      expect(webhook['objectSelector']).toBeUndefined();
    });

    it('generates a CA and a certificate for the Service names, and puts the CA in every caBundle', () => {
      const secret = rendered.one('Secret', `${RELEASE}-tls`);
      expect(secret['type']).toBe('kubernetes.io/tls');
      const data = secret['data'] as Record<string, string>;
      const ca = new X509Certificate(Buffer.from(data['ca.crt']!, 'base64'));
      const cert = new X509Certificate(Buffer.from(data['tls.crt']!, 'base64'));
      expect(ca.ca).toBe(true);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      const sans = (cert.subjectAltName ?? '').split(', ').sort();
      const svc = RELEASE;
      expect(sans).toEqual(
        [svc, `${svc}.${NAMESPACE}`, `${svc}.${NAMESPACE}.svc`, `${svc}.${NAMESPACE}.svc.cluster.local`].map((n) => `DNS:${n}`).sort(),
      );
      expect(Buffer.from(data['tls.key']!, 'base64').toString()).toMatch(/PRIVATE KEY/);
      for (const webhook of webhooksOf(rendered)) expect(webhook['clientConfig'].caBundle).toBe(data['ca.crt']);
      const vwc = rendered.one('ValidatingWebhookConfiguration');
      expect(vwc.metadata['annotations']?.['cert-manager.io/inject-ca-from']).toBeUndefined();
    });
  });

  describe('cluster-wide mode', () => {
    it('sends namespaced kinds from every namespace except the release and exempt ones', () => {
      const rendered = render(helm, { values: { mode: 'cluster-wide' } });
      for (const webhook of webhooksOf(rendered)) {
        expect(expressionsOf(webhook), webhook['name'] as string).toEqual([
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...DEFAULT_EXEMPT, NAMESPACE].sort() },
        ]);
      }
    });

    it('takes the exemptions from config.exemptNamespaces, leaving globs to the server', () => {
      const rendered = render(helm, {
        namespace: 'guard',
        values: { mode: 'cluster-wide', config: { exemptNamespaces: ['kube-system', 'legacy', 'sandbox-*', 'tmp?'] } },
      });
      for (const webhook of webhooksOf(rendered)) expect(notInNames(webhook)).toEqual(['guard', 'kube-node-lease', 'kube-public', 'kube-system', 'legacy']);
    });

    it('still excludes the release namespace and the control plane namespaces when nothing is exempt', () => {
      const rendered = render(helm, { values: { mode: 'cluster-wide', config: { exemptNamespaces: [] } } });
      for (const webhook of webhooksOf(rendered)) expect(notInNames(webhook)).toEqual([...DEFAULT_EXEMPT, NAMESPACE].sort());
    });
  });

  describe('webhook options', () => {
    it('takes failurePolicy and timeoutSeconds from values, with per-entry overrides', () => {
      const rendered = render(helm, {
        values: { failurePolicy: 'Ignore', timeoutSeconds: 3, webhooks: { namespaces: { failurePolicy: 'Fail', timeoutSeconds: 2 } } },
      });
      for (const webhook of webhooksOf(rendered)) {
        const isNamespaces = webhook['name'] === 'namespaces.netguard.io';
        expect(webhook['failurePolicy']).toBe(isNamespaces ? 'Fail' : 'Ignore');
        expect(webhook['timeoutSeconds']).toBe(isNamespaces ? 2 : 3);
      }
    });

    it('registers only the entries whose rules are enabled', () => {
      const off = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, false]));
      const onlyPods = render(helm, {
        values: { config: { rules: off(['netpol-provisioning', 'rbac-netpol-grant', 'namespace-default-deny', 'namespace-mode-label', 'netpol-trusted-cidrs']) } },
      });
      expect(webhooksOf(onlyPods).map((w) => w['name'])).toEqual(['pods.netguard.io', 'workloads.netguard.io']);
      const noRbac = render(helm, { values: { config: { rules: off(['rbac-netpol-grant']) } } });
      expect(webhooksOf(noRbac).map((w) => w['name'])).not.toContain('rbac.netguard.io');
    });

    it('follows the release name into the webhook, Service and certificate names', () => {
      const rendered = render(helm, { release: 'guard', namespace: 'security' });
      const vwc = rendered.one('ValidatingWebhookConfiguration', 'guard-netguard');
      rendered.one('Service', 'guard-netguard');
      for (const webhook of vwc['webhooks'] as Manifest[]) {
        expect(webhook['clientConfig'].service).toMatchObject({ name: 'guard-netguard', namespace: 'security' });
        expect(notInNames(webhook)).toContain('security');
      }
      const cert = new X509Certificate(Buffer.from(rendered.one('Secret', 'guard-netguard-tls')['data']['tls.crt'] as string, 'base64'));
      expect(cert.subjectAltName).toContain('DNS:guard-netguard.security.svc');
    });
  });

  describe('certs.mode=cert-manager', () => {
    it('builds a self-signed CA chain, issues the serving certificate and injects its CA', () => {
      const rendered = render(helm, { values: { certs: { mode: 'cert-manager' } } });
      expect(rendered.all('Secret')).toEqual([]);
      const selfSigned = rendered.one('Issuer', `${RELEASE}-selfsigned`);
      expect(selfSigned['spec']).toEqual({ selfSigned: {} });
      const caCert = rendered.one('Certificate', `${RELEASE}-ca`);
      expect(caCert['spec'].isCA).toBe(true);
      expect(caCert['spec'].issuerRef).toMatchObject({ kind: 'Issuer', name: `${RELEASE}-selfsigned` });
      const caIssuer = rendered.one('Issuer', `${RELEASE}-ca`);
      expect(caIssuer['spec'].ca.secretName).toBe(caCert['spec'].secretName);
      const serving = rendered.one('Certificate', `${RELEASE}-tls`);
      expect(serving['spec'].issuerRef).toMatchObject({ kind: 'Issuer', name: `${RELEASE}-ca` });
      expect(serving['spec'].dnsNames).toEqual([
        RELEASE,
        `${RELEASE}.${NAMESPACE}`,
        `${RELEASE}.${NAMESPACE}.svc`,
        `${RELEASE}.${NAMESPACE}.svc.cluster.local`,
      ]);
      for (const m of [selfSigned, caCert, caIssuer, serving]) expect(m.metadata['namespace']).toBe(NAMESPACE);

      const vwc = rendered.one('ValidatingWebhookConfiguration');
      expect(vwc.metadata['annotations']['cert-manager.io/inject-ca-from']).toBe(`${NAMESPACE}/${RELEASE}-tls`);
      for (const webhook of webhooksOf(rendered)) expect(webhook['clientConfig'].caBundle).toBeUndefined();

      const volumes = rendered.one('Deployment').spec.template.spec.volumes as Manifest[];
      expect(volumes.find((v) => v['name'] === 'tls')?.['secret'].secretName).toBe(serving['spec'].secretName);
    });

    it('uses a given issuer instead of making a CA', () => {
      const rendered = render(helm, {
        values: { certs: { mode: 'cert-manager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } },
      });
      expect(rendered.all('Issuer')).toEqual([]);
      expect(rendered.one('Certificate')['spec'].issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    });
  });

  describe('certs.mode=provided', () => {
    it('mounts the given Secret and uses the given caBundle', () => {
      const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n...\n').toString('base64');
      const rendered = render(helm, { values: { certs: { mode: 'provided', provided: { secretName: 'corp-tls', caBundle } } } });
      expect(rendered.all('Secret')).toEqual([]);
      expect(rendered.all('Certificate')).toEqual([]);
      for (const webhook of webhooksOf(rendered)) expect(webhook['clientConfig'].caBundle).toBe(caBundle);
      const volumes = rendered.one('Deployment').spec.template.spec.volumes as Manifest[];
      expect(volumes.find((v) => v['name'] === 'tls')?.['secret'].secretName).toBe('corp-tls');
    });
  });
});
