// The rendered Deployment, PodDisruptionBudget, RBAC, ConfigMap and monitoring objects.
import { dirname, basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from '../../src/config/load.js';
import { RULES } from '../../src/rules/registry.js';
import { FETCH_TIMEOUT_MS, HELMS, NAMESPACE, RELEASE, render, runHelm, setUpHelm, tearDownHelm, CHART, type Manifest, type Rendered } from './helm.js';

beforeAll(setUpHelm, FETCH_TIMEOUT_MS);
afterAll(tearDownHelm);

const READ_VERBS = ['get', 'list', 'watch'];
import { COVERAGE_KIND_IDS, coverageKind } from '../../src/cluster/coverage/kinds.js';
import { DEFAULT_POLICY_RESOURCES } from '../../src/config/load.js';

const RESOURCE_OF_KIND: Record<string, string> = {
  Namespace: '/namespaces',
  Role: 'rbac.authorization.k8s.io/roles',
  ClusterRole: 'rbac.authorization.k8s.io/clusterroles',
  RoleBinding: 'rbac.authorization.k8s.io/rolebindings',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/clusterrolebindings',
  Pod: '/pods',
  ...Object.fromEntries(COVERAGE_KIND_IDS.map((id) => [id, `${coverageKind(id).group}/${coverageKind(id).resource}`])),
};

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
const clusterRoleRules = (rendered: Rendered): PolicyRule[] => rendered.one('ClusterRole')['rules'] as PolicyRule[];
/** resource, and group/resource → verbs granted on it */
const grants = (rendered: Rendered): Record<string, string[]> => {
  const table: Record<string, string[]> = {};
  for (const rule of clusterRoleRules(rendered)) {
    for (const r of rule.resources) {
      table[r] = [...(table[r] ?? []), ...rule.verbs];
      for (const g of rule.apiGroups) table[`${g}/${r}`] = [...(table[`${g}/${r}`] ?? []), ...rule.verbs];
    }
  }
  return table;
};

const containerOf = (rendered: Rendered): Manifest => rendered.one('Deployment').spec.template.spec.containers[0] as Manifest;
const argAfter = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

describe.each(HELMS)('$name', (helm) => {
  describe('default values', () => {
    let rendered: Rendered;
    beforeAll(() => {
      rendered = render(helm);
    });

    it('runs 3 replicas spread across nodes, with a PodDisruptionBudget', () => {
      const deployment = rendered.one('Deployment', RELEASE);
      expect(deployment['spec'].replicas).toBe(3);
      const podLabels = deployment['spec'].template.metadata.labels as Record<string, string>;
      for (const [k, v] of Object.entries(deployment['spec'].selector.matchLabels as Record<string, string>)) expect(podLabels[k]).toBe(v);

      const spread = deployment['spec'].template.spec.topologySpreadConstraints as Manifest[];
      expect(spread).toContainEqual(
        expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1, labelSelector: { matchLabels: deployment['spec'].selector.matchLabels } }),
      );

      const pdb = rendered.one('PodDisruptionBudget', RELEASE);
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb['spec'].selector.matchLabels).toEqual(deployment['spec'].selector.matchLabels);
      expect(pdb['spec'].maxUnavailable ?? pdb['spec'].minAvailable).toBe(1);
    });

    it('runs locked down: non-root numeric user, read-only root, no privilege escalation, no capabilities', () => {
      const pod = rendered.one('Deployment').spec.template.spec as Manifest;
      expect(pod['securityContext']).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(Number.isInteger(pod['securityContext'].runAsUser)).toBe(true);
      expect(pod['securityContext'].runAsUser).toBeGreaterThan(0);
      const container = containerOf(rendered);
      expect(container['securityContext']).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container['securityContext'].capabilities.add).toBeUndefined();
      expect(container['securityContext'].privileged ?? false).toBe(false);
      expect(container['resources'].requests).toBeDefined();
      expect(container['resources'].limits.memory).toBeDefined();
      expect(pod['terminationGracePeriodSeconds']).toBeGreaterThan(0);
      expect(pod['priorityClassName']).toBeUndefined();
    });

    it('starts `serve` with the mounted config and certificate files', () => {
      const container = containerOf(rendered);
      const args = container['args'] as string[];
      expect([...(container['command'] as string[]), ...args].join(' ')).toMatch(/^node \/app\/dist\/src\/cli\/main\.js serve /);
      expect(argAfter(args, '--config')).toBe('/etc/netguard/config.yaml');
      expect(argAfter(args, '--port')).toBe('8443');
      expect(argAfter(args, '--metrics-port')).toBe('9090');

      const pod = rendered.one('Deployment').spec.template.spec as Manifest;
      const mountFor = (file: string) => {
        const mount = (container['volumeMounts'] as Manifest[]).find((m) => m['mountPath'] === dirname(file));
        expect(mount, file).toBeDefined();
        expect(mount!['subPath'], `${file}: subPath mounts never see updates`).toBeUndefined();
        return (pod['volumes'] as Manifest[]).find((v) => v['name'] === mount!['name'])!;
      };
      const configVolume = mountFor(argAfter(args, '--config')!);
      const configMap = rendered.one('ConfigMap', configVolume['configMap'].name as string);
      expect(Object.keys(configMap['data'])).toContain(basename(argAfter(args, '--config')!));

      const secretName = rendered.one('Secret').metadata['name'];
      for (const flag of ['--tls-cert', '--tls-key']) {
        const file = argAfter(args, flag)!;
        expect(mountFor(file)['secret'].secretName).toBe(secretName);
        expect(['tls.crt', 'tls.key']).toContain(basename(file));
      }
      expect(args).not.toContain('--client-ca');
    });

    it('probes /healthz and /readyz on the HTTPS port, and does not restart on config changes', () => {
      const container = containerOf(rendered);
      expect(container['livenessProbe'].httpGet).toEqual({ path: '/healthz', port: 'webhook', scheme: 'HTTPS' });
      expect(container['readinessProbe'].httpGet).toEqual({ path: '/readyz', port: 'webhook', scheme: 'HTTPS' });
      expect(container['ports']).toContainEqual({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
      const annotations = (rendered.one('Deployment').spec.template.metadata.annotations ?? {}) as Record<string, string>;
      expect(Object.keys(annotations).filter((k) => k.startsWith('checksum/'))).toEqual([]);
    });

    it('renders a config.yaml that the config loader accepts', () => {
      const text = rendered.one('ConfigMap', RELEASE)['data']['config.yaml'] as string;
      const raw = parse(text) as Record<string, unknown>;
      const config = compileConfig(raw, 'configmap/config.yaml');
      expect(config.defaultMode).toBe('disabled');
      expect(config.dryRun).toBe(false);
      expect(config.provisioners).toEqual([]);
      expect(Object.values(config.rules).every((on) => on)).toBe(true);
    });

    it('grants only get/list/watch, nothing on Secrets, and list on pods for the opt-in warnings', () => {
      const table = grants(rendered);
      for (const rule of clusterRoleRules(rendered)) {
        expect(rule.verbs.every((v) => READ_VERBS.includes(v)), rule.resources.join(',')).toBe(true);
        expect(rule.resources).not.toContain('*');
        expect(rule.apiGroups).not.toContain('*');
      }
      expect(table['secrets']).toBeUndefined();
      expect(table['pods']).toEqual(['list']);
      for (const resource of ['/namespaces', 'networking.k8s.io/networkpolicies', 'rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/rolebindings', 'rbac.authorization.k8s.io/clusterrolebindings']) {
        expect(table[resource]?.sort(), resource).toEqual(READ_VERBS);
      }
      expect(rendered.all('Role')).toEqual([]);
      const binding = rendered.one('ClusterRoleBinding');
      expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rendered.one('ClusterRole').metadata['name'] });
      expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: RELEASE, namespace: NAMESPACE }]);
      expect(rendered.one('Deployment').spec.template.spec.serviceAccountName).toBe(RELEASE);
      rendered.one('ServiceAccount', RELEASE);
    });

    it('grants every kind of cluster state the rules declare they need', () => {
      const table = grants(rendered);
      for (const rule of RULES) {
        // pods are listed per review, never watched: `list` is all they need
        for (const kind of rule.needs) expect(table[RESOURCE_OF_KIND[kind]!], `${rule.id} needs ${kind}`).toEqual(kind === 'Pod' ? ['list'] : READ_VERBS);
      }
    });

    it('has no ServiceMonitor unless asked', () => {
      expect(rendered.all('ServiceMonitor')).toEqual([]);
      const service = rendered.one('Service');
      expect(service['spec'].ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
    });
  });

  it('reads exactly the policy resources of the config (default list, a custom one, none)', () => {
    const defaults = grants(render(helm));
    for (const entry of DEFAULT_POLICY_RESOURCES) expect(defaults[entry], entry).toEqual(READ_VERBS);
    const custom = grants(render(helm, { values: { config: { policyResources: ['cilium.io/ciliumnetworkpolicies', 'example.com/fencepolicies'] } } }));
    expect(custom['cilium.io/ciliumnetworkpolicies']).toEqual(READ_VERBS);
    expect(custom['example.com/fencepolicies']).toEqual(READ_VERBS);
    expect(custom['projectcalico.org/globalnetworkpolicies']).toBeUndefined();
    const none = grants(render(helm, { values: { config: { policyResources: [] } } }));
    expect(Object.keys(none).filter((k) => k.includes('.') && !k.startsWith('rbac.') && !k.startsWith('networking.k8s.io/'))).toEqual([]);
  });

  it('grants pods list only while opt-in warnings are on', () => {
    expect(grants(render(helm, { values: { optInWarnings: false } }))['pods']).toBeUndefined();
    const denyRuleOff = grants(render(helm, { values: { config: { rules: { 'namespace-default-deny': false } } } }));
    expect(denyRuleOff['pods']).toBeUndefined();
  });

  it('keeps the cached kinds readable when their rules are switched off (serve still starts those caches)', () => {
    const allOff = Object.fromEntries(RULES.map((rule) => [rule.id, false]));
    const table = grants(render(helm, { values: { config: { rules: allOff } } }));
    for (const rule of RULES) {
      for (const kind of rule.needs.filter((k) => k !== 'Pod')) expect(table[RESOURCE_OF_KIND[kind]!], `${rule.id} needs ${kind}`).toEqual(READ_VERBS);
    }
  });

  it('passes a rendered config through unchanged, and the loader accepts it', () => {
    const config = {
      defaultMode: 'audit',
      clusterScopedMode: 'enforce',
      dryRun: true,
      exemptNamespaces: ['kube-system', 'sandbox-*'],
      provisioners: [{ name: 'gitops', serviceAccounts: ['gitops/argocd-application-controller'], namespaces: ['team-*'] }],
      trustedCidrs: ['10.0.0.0/8', 'fd00::/8'],
      rules: { 'netpol-trusted-cidrs': false },
    };
    const rendered = render(helm, { values: { mode: 'cluster-wide', certs: { mode: 'cert-manager' }, config } });
    const raw = parse(rendered.one('ConfigMap')['data']['config.yaml'] as string) as Record<string, unknown>;
    expect(raw).toMatchObject(config);
    const compiled = compileConfig(raw, 'configmap/config.yaml');
    expect(compiled.dryRun).toBe(true);
    expect(compiled.rules['netpol-trusted-cidrs']).toBe(false);
  });

  it('renders a ServiceMonitor for the metrics port when enabled', () => {
    const rendered = render(helm, { values: { metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } } } });
    const monitor = rendered.one('ServiceMonitor');
    expect(monitor.metadata['labels'].release).toBe('prometheus');
    expect(monitor['spec'].endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics', scheme: 'http' });
    expect(monitor['spec'].selector.matchLabels).toEqual(rendered.one('Deployment').spec.selector.matchLabels);
  });

  it('requires client certificates with clientCA and then probes the metrics port', () => {
    const rendered = render(helm, { values: { clientCA: { secretName: 'apiserver-client-ca' }, priorityClassName: 'system-cluster-critical' } });
    const container = containerOf(rendered);
    expect(argAfter(container['args'] as string[], '--client-ca')).toBe('/var/run/secrets/netguard/client-ca/ca.crt');
    expect(container['readinessProbe'].httpGet).toEqual({ path: '/readyz', port: 'metrics', scheme: 'HTTP' });
    expect(container['livenessProbe'].httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTP' });
    const pod = rendered.one('Deployment').spec.template.spec as Manifest;
    expect(pod['priorityClassName']).toBe('system-cluster-critical');
    expect((pod['volumes'] as Manifest[]).find((v) => v['name'] === 'client-ca')?.['secret'].secretName).toBe('apiserver-client-ca');
  });

  it('takes minAvailable instead of maxUnavailable', () => {
    const rendered = render(helm, { values: { podDisruptionBudget: { maxUnavailable: null, minAvailable: 2 } } });
    expect(rendered.one('PodDisruptionBudget')['spec']).toMatchObject({ minAvailable: 2 });
    expect(rendered.one('PodDisruptionBudget')['spec'].maxUnavailable).toBeUndefined();
  });
});

it('tells the operator the mode it installed in and the next rollout step (NOTES.txt)', () => {
  // `helm install --dry-run=client` prints the notes without a cluster with Helm 4 (Helm 3 asks
  // the cluster for its version first, and `helm template` never renders NOTES.txt)
  const helm4 = HELMS.find((h) => h.major === 4)!;
  const optIn = runHelm(helm4, ['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client']);
  expect(optIn.status, optIn.stderr).toBe(0);
  const notes = optIn.stdout.slice(optIn.stdout.indexOf('NOTES:'));
  expect(notes).toMatch(/scope\s+opt-in/);
  expect(notes).toMatch(/defaultMode\s+disabled/);
  expect(notes).toMatch(/dryRun\s+false/);
  expect(notes).toContain('kubectl label namespace <app> netguard.io/mode=audit');
  expect(notes).toContain('netguard audit');
  expect(notes).toContain(`kubectl delete validatingwebhookconfiguration ${RELEASE}`);

  const dryRun = runHelm(helm4, ['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client', '--set', 'config.dryRun=true', '--set', 'mode=cluster-wide']);
  const dryNotes = dryRun.stdout.slice(dryRun.stdout.indexOf('NOTES:'));
  expect(dryNotes).toMatch(/scope\s+cluster-wide/);
  expect(dryNotes).toMatch(/Stage: dry-run/);
  expect(dryNotes).toContain('config.dryRun=false');
});
