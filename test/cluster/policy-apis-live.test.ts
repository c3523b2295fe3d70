// Policy APIs against a live cluster (the fake API server): a Cilium CRD that appears and
// disappears, and the two-quick-deletes race that must never remove a namespace's last default-deny.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describePolicy } from '../../src/cluster/coverage/kinds.js';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { createLiveSource, type LiveClusterSource } from '../../src/cluster/live/source.js';
import { STORED_KINDS } from '../../src/cluster/store.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { ciliumDenyAll, denyAll, namespace } from '../support/kube-objects.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, sendReview } from '../support/serve.js';
import { makeTestCerts, tempDir, type TestCerts } from '../support/tls.js';

const WAIT = { timeout: 20_000, interval: 50 };
const CILIUM_LIST = '/apis/cilium.io/v2/ciliumnetworkpolicies';

describe('a policy CRD the API server serves, then stops serving', () => {
  let api: FakeApiServer;
  let source: LiveClusterSource | undefined;

  beforeEach(async () => {
    api = await startFakeApi();
    api.seed([namespace('team-a', 'enforce')]);
  });

  afterEach(async () => {
    await source?.close();
    await api.stop();
  });

  it('is watched once discovery shows it, and dropped (without blocking readiness) once it is gone', async () => {
    source = await createLiveSource({
      kubeconfig: writeKubeconfig(api.url),
      needs: STORED_KINDS,
      logger: pino({ level: 'silent' }),
      backoff: { initialMs: 50, maxMs: 200 },
      discoveryIntervalMs: 100,
    });
    await source.synced;
    expect(source.ready()).toBe(true);
    // not served: never listed
    expect(api.countRequests(CILIUM_LIST, 'list')).toBe(0);
    expect(source.snapshot.coverage('team-a', 'Ingress')).toEqual([]);

    api.serve('CiliumNetworkPolicy');
    api.add(ciliumDenyAll('team-a'));
    await vi.waitFor(() => expect(source!.snapshot.coverage('team-a', 'Ingress').map((p) => describePolicy(p.kind, p.namespace, p.name))).toEqual(['CiliumNetworkPolicy "team-a/cilium-deny-all"']), WAIT);
    expect(source.ready()).toBe(true);

    api.serve('CiliumNetworkPolicy', false);
    await vi.waitFor(() => expect(source!.snapshot.coverage('team-a', 'Ingress')).toEqual([]), WAIT);
    expect(source.ready()).toBe(true);
    expect(source.status().map((s) => s.kind)).not.toContain('cilium.io/CiliumNetworkPolicy');
  });
});

describe('two quick deletes of a namespace\'s two default-deny policies (serve --kubeconfig)', () => {
  let api: FakeApiServer;
  let certs: TestCerts;
  let server: RunningServer;
  const PLATFORM = { username: 'platform@example.com', groups: ['system:authenticated'] };

  beforeAll(async () => {
    api = await startFakeApi();
    api.serve('CiliumNetworkPolicy');
    api.seed([
      namespace('race', 'enforce'),
      denyAll('race', 'deny-a'),
      denyAll('race', 'deny-b'),
      namespace('mixed', 'enforce'),
      denyAll('mixed', 'deny-k8s'),
      ciliumDenyAll('mixed', 'deny-cilium'),
    ]);
    certs = await makeTestCerts();
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'provisioners: [{ name: platform, users: [platform@example.com] }]\n');
    server = await startServe(localServeOptions(config, certs, { kubeconfig: writeKubeconfig(api.url, dir) }), { logger: collectingLogger().logger });
    const readyz = server.metricsUrl.replace('/metrics', '/readyz');
    await vi.waitFor(async () => expect((await fetch(readyz)).status).toBe(200), WAIT);
    // the CRD informer starts after the first discovery: wait until the Cilium policy is cached
    await vi.waitFor(() => expect(api.countRequests(CILIUM_LIST, 'watch')).toBeGreaterThan(0), WAIT);
  });

  afterAll(async () => {
    await server?.close();
    await api?.stop();
  });

  async function remove(policy: KubeObject): Promise<{ allowed: boolean; status?: { message: string } }> {
    const request = makeRequest(undefined, { operation: 'DELETE', oldObject: policy, user: PLATFORM });
    const answer = await sendReview(server.url, certs.caCert, request);
    expect(answer.status).toBe(200);
    return answer.json().response;
  }

  it('the first delete is allowed (the other policy, read live, still covers); the second, before the cache learns of the first, is refused', async () => {
    const getB = '/apis/networking.k8s.io/v1/namespaces/race/networkpolicies/deny-b';
    expect((await remove(denyAll('race', 'deny-a'))).allowed).toBe(true);
    expect(api.countRequests(getB, 'get')).toBe(1);
    // the API server deletes it, and the watch has not told netguard yet
    api.delete('NetworkPolicy', 'race', 'deny-a', { silent: true });

    const second = await remove(denyAll('race', 'deny-b'));
    expect(second.allowed).toBe(false);
    expect(second.status?.message).toContain('namespace-default-deny: deleting NetworkPolicy "deny-b" would remove the last default-deny for Ingress and Egress in namespace "race"');
    expect(api.countRequests('/apis/networking.k8s.io/v1/namespaces/race/networkpolicies/deny-a', 'get')).toBe(1);
  });

  it('works across APIs: a NetworkPolicy delete resting on a CiliumNetworkPolicy that is already gone is refused', async () => {
    api.delete('CiliumNetworkPolicy', 'mixed', 'deny-cilium', { silent: true });
    const answer = await remove(denyAll('mixed', 'deny-k8s'));
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('would remove the last default-deny for Ingress and Egress in namespace "mixed"');
    expect(api.countRequests('/apis/cilium.io/v2/namespaces/mixed/ciliumnetworkpolicies/deny-cilium', 'get')).toBe(1);
  });
});
