// What check keeps of each object as it reads (keptForCheck) must never change a verdict: the rules
// judge the slim copy exactly as they would the whole object. Workloads of every pod-bearing kind,
// with the ServiceAccount set, unset, mistyped, deprecated, or the pod spec not a map at all, judged
// with and without a requester (provisioned-identity reads the same field).
import { describe, expect, it } from 'vitest';
import { checkObjects, keptForCheck, type Finding } from '../../src/check/evaluate.js';
import { parseManifestText } from '../../src/cluster/manifests.js';
import { compileConfig } from '../../src/config/load.js';
import { POD_SPEC_PATHS } from '../../src/rules/kinds.js';

const config = compileConfig(
  {
    defaultMode: 'enforce',
    serviceAccounts: { disallowed: ['default', 'builder'] },
    provisioners: [{ name: 'gitops', serviceAccounts: ['argocd/argocd-application-controller', 'shop/deployer'], namespaces: ['*'] }],
  },
  'config.yaml',
);

const SPECS: Record<string, unknown> = {
  named: { serviceAccountName: 'web', containers: [{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }] }], volumes: [{ name: 'v', emptyDir: {} }] },
  unset: { containers: [{ name: 'a', image: 'a' }], hostNetwork: true },
  disallowed: { serviceAccountName: 'builder', containers: [{ name: 'a', image: 'a' }] },
  mistyped: { serviceAccountName: 123, containers: [] },
  deprecated: { serviceAccount: 'builder', containers: [] },
  'deprecated-and-named': { serviceAccount: 'builder', serviceAccountName: 'web' },
  provisioned: { serviceAccountName: 'deployer', automountServiceAccountToken: true },
  // a provisioned identity behind the deprecated alias: the slim copy must not drop the alias
  'provisioned-deprecated': { serviceAccount: 'deployer', containers: [] },
  'not a map': 'spec-as-text',
};

/** The workload with `podSpec` at its pod spec's path, metadata and unrelated fields around it. */
function workload(kind: keyof typeof POD_SPEC_PATHS, podSpec: unknown, name: string, namespace = 'shop'): Record<string, unknown> {
  const { group, path } = POD_SPEC_PATHS[kind];
  let node: unknown = podSpec;
  for (const field of [...path].reverse()) node = field === 'spec' && node !== podSpec ? { [field]: node, replicas: 2 } : { [field]: node, metadata: { labels: { app: name } } };
  return {
    apiVersion: group === '' ? 'v1' : `${group}/v1`,
    kind,
    metadata: { name, namespace, labels: { app: name }, annotations: { note: 'x'.repeat(40) } },
    ...(node as object),
  };
}

const judged = (findings: readonly Finding[]) => findings.map(({ rule, message, field, line, name, namespace }) => ({ rule, message, field, line, name, namespace }));

describe('what check keeps of each object', () => {
  const kinds = Object.keys(POD_SPEC_PATHS) as (keyof typeof POD_SPEC_PATHS)[];
  // `lab` has a default-deny, `shop` none: namespace-default-deny judges them apart
  const defaultDeny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'lab' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const objects = [
    defaultDeny,
    ...['shop', 'lab'].flatMap((namespace) =>
      kinds.flatMap((kind) => Object.entries(SPECS).map(([name, spec]) => workload(kind, spec, `${kind.toLowerCase()}-${name.replaceAll(' ', '-')}`, namespace))),
    ),
  ];
  const sourced = parseManifestText(objects.map((o) => JSON.stringify(o)).join('\n---\n'), 'workloads.yaml');

  it.each([
    ['without a requester', undefined],
    ['as a requester who is not provisioned', 'alice'],
    ['as the provisioner', 'system:serviceaccount:argocd:argocd-application-controller'],
  ])('judges workloads the same slim or whole, %s', (_, username) => {
    const input = { config, defaultNamespace: 'shop', username, now: 0 };
    const whole = checkObjects({ ...input, objects: sourced });
    const slim = checkObjects({ ...input, objects: sourced.map(keptForCheck) });
    expect(whole.violations.length).toBeGreaterThan(kinds.length * 3);
    expect(new Set(whole.violations.filter((v) => v.rule === 'namespace-default-deny').map((v) => v.namespace))).toEqual(new Set(['shop']));
    expect(judged(slim.violations)).toEqual(judged(whole.violations));
    expect(judged(slim.warnings)).toEqual(judged(whole.warnings));
    expect(slim.summary).toEqual(whole.summary);
  });

  it('keeps no container of a workload, and a Pod (part of the cluster state check builds) whole', () => {
    const [deployment] = parseManifestText(JSON.stringify(workload('Deployment', SPECS['named'], 'web')), 'd.yaml').map(keptForCheck);
    expect(deployment!.object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { note: 'x'.repeat(40) } },
      spec: { template: { spec: { serviceAccountName: 'web' } } },
    });
    const pod = workload('Pod', SPECS['named'], 'p');
    expect(parseManifestText(JSON.stringify(pod), 'p.yaml').map(keptForCheck)[0]!.object).toEqual(pod);
  });

  it('keeps a provisioned ServiceAccount that a YAML merge key brings into the pod spec', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: sneaky, namespace: shop}',
      'spec:',
      '  template:',
      '    spec:',
      '      <<: &identity {serviceAccountName: deployer}',
      '      containers: [{name: a, image: a}]',
    ].join('\n');
    const sourced = parseManifestText(text, 'sneaky.yaml');
    const input = { config, defaultNamespace: 'shop', username: 'alice', now: 0 };
    const slim = checkObjects({ ...input, objects: sourced.map(keptForCheck) });
    expect(judged(slim.violations)).toEqual(judged(checkObjects({ ...input, objects: sourced }).violations));
    expect(slim.violations.map((v) => v.rule)).toContain('provisioned-identity');
  });
});
