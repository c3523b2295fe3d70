// `serve --kubeconfig` while part of the cluster state cannot be read (RBAC forbids listing Roles):
// reviews that need it are internal errors per mode — never judged as if the Roles did not exist.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, sendReview } from '../support/serve.js';
import { makeTestCerts, tempDir, type TestCerts } from '../support/tls.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { binding, namespace, role } from '../support/kube-objects.js';

let api: FakeApiServer;
let certs: TestCerts;
let server: RunningServer;

beforeAll(async () => {
  api = await startFakeApi();
  api.seed([namespace('shop', 'enforce'), role('shop', 'netpol-writer', true)]);
  api.addFault({ match: (r) => /\/roles(\/|$)/.test(r.path), status: 403 });
  certs = await makeTestCerts();
  const dir = tempDir();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'provisioners: []\n');
  server = await startServe(localServeOptions(config, certs, { kubeconfig: writeKubeconfig(api.url, dir) }), { logger: collectingLogger().logger });
  // everything but Roles syncs
  await vi.waitFor(() => expect(api.countRequests('/api/v1/namespaces', 'watch')).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
});

afterAll(async () => {
  await server?.close();
  await api?.stop();
});

describe('serve --kubeconfig with Roles unreadable', () => {
  it('is not ready, and refuses a RoleBinding in an enforce namespace as an internal error naming the gap', async () => {
    expect((await fetch(server.metricsUrl.replace('/metrics', '/readyz'))).status).toBe(503);
    const request = makeRequest(binding('shop', 'carol-writes', { kind: 'Role', name: 'netpol-writer' }, [{ kind: 'User', name: 'carol' }]));
    const answer = await sendReview(server.url, certs.caCert, request);
    expect(answer.status).toBe(200);
    const response = answer.json().response;
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain('netguard internal error');
    expect(response.status.message).toMatch(/its cache of Role \(the API server answered: .*403.*\) has not synced/);
  });
});
