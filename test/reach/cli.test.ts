// `netguard reach` as a user runs it: real process, real files, exit codes and output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { runReach, type ReachOptions } from '../../src/cli/reach.js';
import { NetguardError } from '../../src/errors.js';
import { netguardAsync } from '../cli/run.js';
import { cluster, netpol } from './upstream.js';

const SHOP = 'examples/shop-reach/manifests';
const dir = mkdtempSync(join(tmpdir(), 'netguard-reach-'));
/** one YAML document */
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, stringify(content));
  return path;
};
/** multi-document manifests */
const manifestsFile = (name: string, objects: readonly unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, objects.map((d) => stringify(d)).join('---\n'));
  return path;
};

/** The command in this process (most cases; the exit codes are checked on a real process below). */
async function reach(opts: Partial<ReachOptions>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runReach({ paths: [SHOP], ...opts }, (t) => (stdout += t), (t) => (stderr += t));
  return { code, stdout, stderr };
}

async function reachError(opts: Partial<ReachOptions>): Promise<NetguardError> {
  const error = await reach(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetguardError);
  return error as NetguardError;
}

describe('netguard reach on manifests', () => {
  it('prints one truth table per declared port of the destination, rows from and columns to', async () => {
    const result = await netguardAsync(['reach', SHOP, '--from', 'shop/deployment/*t*', '--to', 'shop/deployment/redis-cart']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'port 6379/TCP (rows from, columns to; X allowed, . denied)',
        '-\tshop/deployment/redis-cart',
        'shop/deployment/cartservice\tX',
        'shop/deployment/checkoutservice\t.',
        'shop/deployment/frontend\t.',
        'shop/deployment/loadgenerator\t.',
        'shop/deployment/paymentservice\t.',
        'shop/deployment/productcatalogservice\t.',
        'shop/deployment/recommendationservice\t.',
        'shop/deployment/redis-cart\tX',
        '2 of 8 connections allowed',
        '',
      ].join('\n'),
    );
  });

  it('--output json is the SPEC shape, with the policies that allow each side', async () => {
    const result = await reach({ from: 'shop/deployment/frontend', to: 'shop/deployment/cartservice', port: ['7070', '6379/tcp'], output: 'json' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      endpoints: ['shop/deployment/cartservice', 'shop/deployment/frontend'],
      connections: [
        {
          from: 'shop/deployment/frontend',
          to: 'shop/deployment/cartservice',
          port: 7070,
          protocol: 'TCP',
          allowed: true,
          egress: { isolated: true, allowedBy: ['shop/frontend'] },
          ingress: { isolated: true, allowedBy: ['shop/cartservice'] },
        },
        {
          from: 'shop/deployment/frontend',
          to: 'shop/deployment/cartservice',
          port: 6379,
          protocol: 'TCP',
          allowed: false,
          egress: { isolated: true, allowedBy: [] },
          ingress: { isolated: true, allowedBy: [] },
        },
      ],
    });
  });

  it('an external address in --from is matched by ipBlock only (the internet reaches the frontend, 10/8 does not)', async () => {
    const [internet, internal] = await Promise.all(
      ['203.0.113.7', '10.1.2.3'].map((ip) => reach({ from: ip, to: 'shop/*', port: ['8080'], output: 'json' })),
    );
    const allowed = (out: string) => (JSON.parse(out) as { connections: { to: string; allowed: boolean }[] }).connections.filter((c) => c.allowed).map((c) => c.to);
    expect(allowed(internet!.stdout)).toEqual(['shop/deployment/frontend']);
    expect(allowed(internal!.stdout)).toEqual([]);
  });

  it('--expect: exit 0 when every expectation holds', async () => {
    const result = await reach({ expect: 'examples/shop-reach/expect.yaml' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok: every expectation holds (9 expectations, 19 connections checked)\n');
  });

  it('--expect: exit 1 and each failure with the deciding policies of both sides', async () => {
    const result = await reach({ expect: 'examples/shop-reach/expect-wrong.yaml' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL shop/deployment/frontend -> shop/deployment/redis-cart 6379/TCP: expected allowed, is denied (examples/shop-reach/expect-wrong.yaml: item 1)');
    expect(result.stdout).toContain('egress from shop/deployment/frontend: denied, selected by shop/allow-dns, shop/default-deny, shop/frontend and no rule of theirs matches');
    expect(result.stdout).toContain('ingress to shop/deployment/redis-cart: denied, selected by shop/default-deny, shop/redis-cart and no rule of theirs matches');
  });

  it('--expect: an unexpected allow names the policies that open it', async () => {
    const expectations = file('open.yaml', [{ from: 'shop/deployment/cartservice', to: 'shop/deployment/redis-cart', port: 6379, allowed: false }]);
    const result = await reach({ expect: expectations });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('egress from shop/deployment/cartservice: allowed by shop/cartservice');
    expect(result.stdout).toContain('ingress to shop/deployment/redis-cart: allowed by shop/redis-cart');
  });

  it('objects without a namespace belong to --namespace; policies of other APIs are listed as not modelled', async () => {
    const manifests = manifestsFile('plain.yaml', [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', labels: { app: 'b' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {} } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'team' }, spec: {} },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cnp', namespace: 'team' }, spec: {} },
    ]);
    const result = await reach({ paths: [manifests], namespace: 'team' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('-\tteam/a\tteam/b\nteam/a\tX\t.\nteam/b\t.\tX\n');
    expect(result.stderr).toContain('not modelled');
    expect(result.stderr).toContain('projectcalico.org/NetworkPolicy team/calico');
    expect(result.stderr).toContain('cilium.io/CiliumNetworkPolicy team/cnp');
  });

  it('--state DIR is read like manifests', async () => {
    const result = await reach({ paths: [], state: SHOP, to: 'shop/deployment/adservice', from: 'shop/deployment/frontend' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shop/deployment/frontend\tX\n');
  });

  it.each<[Partial<ReachOptions>, string]>([
    [{ port: ['70000'] }, '--port "70000"'],
    [{ port: ['80/ICMP'] }, '--port "80/ICMP"'],
    [{ from: 'shop/deployment/nope' }, '--from "shop/deployment/nope" matches no endpoint'],
    [{ to: 'elsewhere/*' }, '--to "elsewhere/*" matches no endpoint'],
    [{ namespace: 'Not_A_Namespace' }, '--namespace "Not_A_Namespace"'],
    [{ expect: 'no-such-file.yaml' }, 'no-such-file.yaml: cannot read'],
    [{ config: 'no-such-config.yaml' }, 'no-such-config.yaml'],
  ])('bad input %j is an error naming the flag or file', async (opts, message) => {
    const error = await reachError(opts);
    expect(error.exitOrStatus).toBe(2);
    expect(error.message).toContain(message);
  });

  it('bad input exits 2 with the message and no stack trace; a failed expectation exits 1', async () => {
    const [bad, failed] = await Promise.all([
      netguardAsync(['reach', SHOP, '--port', '80/ICMP']),
      netguardAsync(['reach', SHOP, '--expect', 'examples/shop-reach/expect-wrong.yaml']),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --port "80/ICMP" is not PORT[/PROTOCOL]');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAIL shop/deployment/frontend -> shop/deployment/redis-cart 6379/TCP');
  });

  it.each([
    ['not a list', { from: 'a', to: 'b' }, 'non-empty YAML list'],
    ['allowed not boolean', [{ from: 'shop/*', to: 'shop/*', port: 80, allowed: 'yes' }], 'item 1: "allowed" must be true or false'],
    ['bad port', [{ from: 'shop/*', to: 'shop/*', port: 'http', allowed: true }], 'item 1: "port" must be a port number'],
    ['unknown field', [{ from: 'shop/*', to: 'shop/*', port: 80, allowed: true, proto: 'UDP' }], 'item 1: unknown field "proto"'],
    ['no such endpoint', [{ from: 'shop/deployment/frontend', to: 'shop/deployment/frontnd', port: 80, allowed: true }], 'item 1: "to: shop/deployment/frontnd" matches no endpoint'],
  ])('a malformed expectations file (%s) exits 2 naming the file and item', async (name, content, message) => {
    const path = file(`${name.replace(/ /g, '-')}.yaml`, content);
    const error = await reachError({ expect: path });
    expect(error.exitOrStatus).toBe(2);
    expect(error.message).toContain(path);
    expect(error.message).toContain(message);
  });

  it('YAML that is not manifests (an expectations list beside them) is skipped with a note; nothing at all is an error', async () => {
    const beside = file('expectations-here.yaml', [{ from: 'a', to: 'b', port: 80, allowed: true }]);
    const result = await reach({ paths: [SHOP, beside], to: 'shop/deployment/adservice' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`note: ${beside}`);
    const error = await reachError({ paths: [beside] });
    expect(error.message).toContain('no Kubernetes objects found');
    expect(error.exitOrStatus).toBe(2);
  });

  it('with no state at all it exits 2 and says what it needs', async () => {
    const error = await reachError({ paths: [] });
    expect(error.message).toContain('reach needs the cluster state');
  });
});

describe('netguard reach --kubeconfig', () => {
  let api: FakeApiServer;
  let kubeconfig: string;

  beforeAll(async () => {
    api = await startFakeApi();
    kubeconfig = writeKubeconfig(api.url);
    // 1,200 extra pods in z: more than two pages of 500
    const many = Array.from({ length: 1200 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `filler-${i}`, namespace: 'z', labels: { pod: 'filler' } }, spec: { containers: [] } }));
    api.seed([...cluster(), ...many, netpol('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }, 'allow-y')]);
    api.seed([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'y' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } } }]);
  });
  afterAll(async () => api.stop());

  it('lists pods page by page and answers from the live state', async () => {
    const json = await netguardAsync(['reach', '--kubeconfig', kubeconfig, '--from', 'y/deployment/web', '--to', 'x/a', '--port', '80', '-o', 'json']);
    expect(json.code).toBe(0);
    const connection = (JSON.parse(json.stdout) as { connections: unknown[] }).connections[0];
    expect(connection).toMatchObject({ from: 'y/deployment/web', to: 'x/a', allowed: true, ingress: { isolated: true, allowedBy: ['x/allow-y'] } });
    const podLists = api.requests.filter((r) => r.kind === 'list' && r.path === '/api/v1/pods');
    expect(podLists.length).toBeGreaterThanOrEqual(3);
    expect(podLists.every((r) => r.query.get('limit') === '500')).toBe(true);
  });

  it('names the policies of a served policy CRD as not modelled; a CRD not served is not read', async () => {
    api.seed([{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny-all' }, spec: { endpointSelector: {}, ingress: [{}] } }]);
    const ask = () => reach({ paths: [], kubeconfig, from: 'y/deployment/web', to: 'x/a', port: ['80'] });
    api.serve('CiliumClusterwideNetworkPolicy');
    const served = await ask();
    expect(served.code).toBe(0);
    expect(served.stderr).toBe('note: not modelled (policies of other network-policy APIs; their effect is not in this answer): cilium.io/CiliumClusterwideNetworkPolicy deny-all\n');

    const lists = () => api.requests.filter((r) => r.kind === 'list' && r.path === '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies').length;
    expect(lists()).toBe(1);

    api.serve('CiliumClusterwideNetworkPolicy', false);
    const gone = await ask();
    expect(gone.code).toBe(0);
    expect(gone.stderr).toBe('');
    expect(gone.stdout).toBe(served.stdout);
    expect(lists()).toBe(1);
  });
});
