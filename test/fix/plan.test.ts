// planFixes: what `netguard fix` decides to write, from the rules' own verdicts.
import { describe, expect, it } from 'vitest';
import type { SourcedObject } from '../../src/cluster/manifests.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { compileConfig } from '../../src/config/load.js';
import { objectsOf, planFixes, type FixPlan } from '../../src/fix/plan.js';
import { checkObjects } from '../../src/check/evaluate.js';
import { denyAll, namespace, pod } from '../support/kube-objects.js';

const config = (extra: Record<string, unknown> = {}) => compileConfig({ defaultMode: 'enforce', ...extra }, 'config.yaml');
const sourced = (objects: KubeObject[]): SourcedObject[] =>
  objects.map((object, i) => ({ object, file: 'm.yaml', line: i + 1, source: `m.yaml:${i + 1}`, origin: { start: 0, end: 0, startLine: 1, path: [] } }));

function deployment(ns: string | undefined, name: string, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    spec: { template: { spec: { ...podSpec, containers: [{ name: 'app', image: 'nginx' }] } } },
  };
}

const names = (plan: FixPlan, ns: string) => objectsOf(plan.namespaces.find((f) => f.namespace === ns)!).map((o) => `${o.kind}/${o.metadata?.name}`);

describe('planFixes', () => {
  it('writes default-deny and allow-dns for a governed namespace without default-deny', () => {
    const plan = planFixes(sourced([namespace('shop'), pod('shop', 'web', 'web')]), config(), 'default');
    expect(names(plan, 'shop')).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns']);
    const [deny, dns] = plan.namespaces[0]!.created;
    expect(deny).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    expect(dns!['spec']).toMatchObject({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
      ],
    });
  });

  it('writes only the missing direction, under a free name, and no DNS allow when Egress is covered', () => {
    const ingressOnly: KubeObject = { ...denyAll('shop'), spec: { podSelector: {}, policyTypes: ['Egress'] } };
    const plan = planFixes(sourced([namespace('shop'), ingressOnly]), config(), 'default');
    expect(plan.namespaces[0]!.missing).toEqual(['Ingress']);
    expect(names(plan, 'shop')).toEqual(['NetworkPolicy/default-deny-ingress']);
    expect(plan.namespaces[0]!.created[0]!['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('follows defaultDeny.directions: Ingress only means no DNS allow', () => {
    const plan = planFixes(sourced([namespace('shop')]), config({ defaultDeny: { directions: ['Ingress'] } }), 'default');
    expect(names(plan, 'shop')).toEqual(['NetworkPolicy/default-deny']);
  });

  it('leaves a policy already named allow-dns to be the namespace\'s own', () => {
    const dns: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-dns', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
    expect(names(planFixes(sourced([namespace('shop'), dns]), config(), 'default'), 'shop')).toEqual(['NetworkPolicy/default-deny']);
  });

  it.each([
    ['labelled disabled', namespace('shop', 'disabled'), {}, /labelled netguard\.io\/mode=disabled/],
    ['unlabelled under defaultMode disabled', namespace('shop'), { defaultMode: 'disabled' }, /unlabelled, and defaultMode is disabled/],
  ])('writes the default-deny of a namespace not governed yet (%s), as check judges it, and says so', (_, ns, extra, why) => {
    const plan = planFixes(sourced([ns]), config(extra), 'default');
    expect(names(plan, 'shop')).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns']);
    expect(plan.notes).toEqual([expect.stringMatching(why)]);
    expect(plan.notes[0]).toMatch(/^namespace "shop" is not governed yet .*Applying it isolates the namespace's pods at once/);
  });

  it('leaves exempt namespaces alone entirely', () => {
    const plan = planFixes(sourced([pod('kube-system', 'dns')]), config({ exemptNamespaces: ['kube-system'] }), 'default');
    expect(plan).toEqual({ namespaces: [], notes: [] });
  });

  it('gives each workload on a disallowed ServiceAccount its own, without a mounted token', () => {
    const objects = [namespace('shop'), denyAll('shop'), deployment('shop', 'web'), deployment('shop', 'api', { serviceAccount: 'default' }), pod('shop', 'debug', 'default')];
    const plan = planFixes(sourced(objects), config(), 'default');
    const fix = plan.namespaces[0]!;
    expect(fix.created).toEqual(
      ['web', 'api', 'debug'].map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop' }, automountServiceAccountToken: false })),
    );
    expect(fix.workloads.map((w) => [w.kind, w.name, w.from, w.to])).toEqual([
      ['Deployment', 'web', 'default', 'web'],
      ['Deployment', 'api', 'default', 'api'],
      ['Pod', 'debug', 'default', 'debug'],
    ]);
    // the deprecated field is rewritten too, so nothing still names the old account
    expect(fix.workloads[1]!.fixed['spec']).toMatchObject({ template: { spec: { serviceAccountName: 'api', serviceAccount: 'api' } } });
    expect(fix.workloads[2]!.fixed['spec']).toMatchObject({ serviceAccountName: 'debug' });
  });

  it('never names the new account after a disallowed or provisioned one', () => {
    const cfg = config({ provisioners: [{ name: 'p', serviceAccounts: ['shop/gitops'] }] });
    const plan = planFixes(sourced([namespace('shop'), denyAll('shop'), deployment('shop', 'default'), deployment('shop', 'gitops')]), cfg, 'default');
    expect(plan.namespaces[0]!.workloads.map((w) => w.to)).toEqual(['default-deployment', 'gitops-deployment']);
  });

  it('uses a ServiceAccount of that name that the manifests already hold, and says so', () => {
    const account: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } };
    const plan = planFixes(sourced([namespace('shop'), denyAll('shop'), account, deployment('shop', 'web')]), config(), 'default');
    expect(plan.namespaces[0]!.created).toEqual([]);
    expect(plan.namespaces[0]!.workloads[0]!.to).toBe('web');
    expect(plan.notes).toEqual(['ServiceAccount "shop/web" exists among the manifests: Deployment "web" uses it as it is.']);
  });

  it('puts objects without metadata.namespace into --namespace, and their fixes too (without naming it)', () => {
    const plan = planFixes(sourced([deployment(undefined, 'web')]), config(), 'staging');
    expect(plan.namespaces.map((f) => [f.namespace, f.explicit])).toEqual([['staging', false]]);
    for (const object of objectsOf(plan.namespaces[0]!)) expect(object.metadata).not.toHaveProperty('namespace');
  });

  it('follows the rules switched off in the config', () => {
    const plan = planFixes(sourced([namespace('shop'), deployment('shop', 'web')]), config({ rules: { 'namespace-default-deny': false, 'pod-service-account': false } }), 'default');
    expect(plan.namespaces).toEqual([]);
  });

  it('never turns a namespace that is not a valid name into a fix (or a path)', () => {
    const plan = planFixes(sourced([deployment('../../etc', 'web')]), config(), 'default');
    expect(plan.namespaces).toEqual([]);
    expect(plan.notes[0]).toMatch(/"\.\.\/\.\.\/etc" is not a valid namespace name/);
  });

  it('is a fixed point: the manifests plus the fix need nothing more, and check agrees', () => {
    const objects = sourced([namespace('a'), namespace('b'), deployment('a', 'web'), pod('b', 'job'), deployment(undefined, 'x')]);
    const cfg = config();
    const plan = planFixes(objects, cfg, 'default');
    expect(plan.namespaces.map((f) => f.namespace)).toEqual(['a', 'b', 'default']);
    const fixed = [...objects, ...sourced(plan.namespaces.flatMap(objectsOf))];
    expect(planFixes(fixed, cfg, 'default')).toEqual({ namespaces: [], notes: [] });
    const before = checkObjects({ objects, config: cfg, defaultNamespace: 'default', now: Date.now() });
    expect(new Set(before.violations.map((v) => v.rule))).toEqual(new Set(['namespace-default-deny', 'pod-service-account']));
    expect(checkObjects({ objects: fixed, config: cfg, defaultNamespace: 'default', now: Date.now() }).violations).toEqual([]);
  });
});
