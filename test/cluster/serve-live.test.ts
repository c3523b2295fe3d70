// `serve --kubeconfig` end to end: real AdmissionReviews over HTTPS, the cluster state coming from
// the fake API server through the live cache (watch) and read-through (confirm).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, sendReview } from '../support/serve.js';
import { makeTestCerts, tempDir, type TestCerts } from '../support/tls.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { binding, denyAll, namespace, pod, role } from '../support/kube-objects.js';

const WAIT = { timeout: 20_000, interval: 50 };

let api: FakeApiServer;
let certs: TestCerts;
let server: RunningServer;

async function review(ns: string, name: string): Promise<{ allowed: boolean; status?: { message: string } }> {
  const answer = await sendReview(server.url, certs.caCert, makeRequest(pod(ns, name, 'app')));
  expect(answer.status).toBe(200);
  return answer.json().response;
}

beforeAll(async () => {
  api = await startFakeApi();
  api.seed([namespace('shop', 'enforce'), namespace('other', 'enforce')]);
  certs = await makeTestCerts();
  const dir = tempDir();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'defaultMode: disabled\n');
  // The first LISTs are slow, so /readyz can be seen failing before the cache has synced.
  const slow = api.addFault({ match: (r) => r.kind === 'list', delayMs: 1_500 });
  server = await startServe(
    localServeOptions(config, certs, { kubeconfig: writeKubeconfig(api.url, dir) }),
    { logger: collectingLogger().logger },
  );
  const readyz = server.metricsUrl.replace('/metrics', '/readyz');
  expect((await fetch(readyz)).status).toBe(503);
  await vi.waitFor(async () => expect((await fetch(readyz)).status).toBe(200), WAIT);
  slow();
});

afterAll(async () => {
  await server?.close();
  await api?.stop();
});

describe('serve --kubeconfig (live cluster state)', () => {
  it('denies a pod in an enforce namespace without default-deny, and allows it once the watch delivers one', async () => {
    const denied = await review('shop', 'web-1');
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toMatch(/namespace-default-deny/);

    api.add(denyAll('shop'));
    await vi.waitFor(async () => expect((await review('shop', 'web-2')).allowed).toBe(true), WAIT);
  });

  it('allows a pod whose default-deny exists in the API but was withheld from the watch (read-through)', async () => {
    api.add(denyAll('other'), { silent: true });
    const lists = api.countRequests('/apis/networking.k8s.io/v1/namespaces/other/networkpolicies', 'list');
    expect((await review('other', 'web')).allowed).toBe(true);
    expect(api.countRequests('/apis/networking.k8s.io/v1/namespaces/other/networkpolicies', 'list')).toBe(lists + 1);
  });

  it('a binding to a role the watch has not delivered yet is judged against the role the API server has', async () => {
    // one `kubectl apply` creating a Role and then its RoleBinding: the binding can arrive first
    api.add(role('shop', 'fresh-writer', true), { silent: true });
    const gets = api.countRequests('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/fresh-writer', 'get');
    const request = makeRequest(binding('shop', 'fresh', { kind: 'Role', name: 'fresh-writer' }, [{ kind: 'User', name: 'bob@example.com' }]));
    const answer = await sendReview(server.url, certs.caCert, request);
    const response = answer.json().response;
    expect(response.allowed).toBe(false);
    expect(response.status.message).toMatch(/^rbac-netpol-grant: User "bob@example.com" would get network-policy write/);
    expect(api.countRequests('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/fresh-writer', 'get')).toBe(gets + 1);

    // a role that really does not exist yet: the binding is allowed (the Role CREATE is judged later)
    const later = makeRequest(binding('shop', 'early', { kind: 'Role', name: 'not-yet' }, [{ kind: 'User', name: 'bob@example.com' }]));
    const allowed = await sendReview(server.url, certs.caCert, later);
    expect(allowed.json().response.allowed).toBe(true);
  });

  it('a role that gains a grant lists its bindings live first: a binding the cache has not seen yet refuses it', async () => {
    // the binding exists in the API server, but its watch event has not reached the cache
    api.add(binding('shop', 'quiet', { kind: 'Role', name: 'quiet-role' }, [{ kind: 'User', name: 'bob@example.com' }]), { silent: true });
    api.add(binding(undefined, 'quiet-cluster', { kind: 'ClusterRole', name: 'quiet-cluster-role' }, [{ kind: 'Group', name: 'devs' }]), { silent: true });
    const post = async (object: ReturnType<typeof role>) =>
      (await sendReview(server.url, certs.caCert, makeRequest(object))).json().response;

    const namespaced = await post(role('shop', 'quiet-role', true));
    expect(namespaced.allowed).toBe(false);
    expect(namespaced.status.message).toMatch(/^rbac-netpol-grant: Role "shop\/quiet-role" grants network-policy write .*RoleBinding "shop\/quiet" → User "bob@example.com"/);
    expect(api.countRequests('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', 'list')).toBeGreaterThan(0);

    // a ClusterRole: every RoleBinding and ClusterRoleBinding is listed (clusterScopedMode is warn: a warning)
    const cluster = await post(role(undefined, 'quiet-cluster-role', true));
    expect(cluster.allowed).toBe(true);
    expect(cluster.warnings?.join(' ')).toMatch(/ClusterRoleBinding "quiet-cluster" → Group "devs"/);

    // a role change that adds nothing reads nothing
    const lists = api.countRequests('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', 'list');
    expect((await post(role('shop', 'plain-role', false))).allowed).toBe(true);
    expect(api.countRequests('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', 'list')).toBe(lists);
  });

  it('judges a namespace created a moment ago (not yet in the cache) by its live labels', async () => {
    api.add(namespace('brand-new', 'enforce'), { silent: true });
    const answer = await review('brand-new', 'web');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toMatch(/namespace-default-deny/);
  });
});
