// The live cache driven through client-node's real informers against the fake API server.
import { denyNames } from '../support/coverage.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveSource, type LiveClusterSource } from '../../src/cluster/live/source.js';
import { STORED_KINDS } from '../../src/cluster/store.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { binding, denyAll, namespace, pod, role } from '../support/kube-objects.js';

const logger = pino({ level: 'silent' });
const WAIT = { timeout: 15_000, interval: 25 };
const POLICIES = '/apis/networking.k8s.io/v1/networkpolicies';

let api: FakeApiServer;
let source: LiveClusterSource | undefined;

async function open(options: { watchDownLimitMs?: number } = {}): Promise<LiveClusterSource> {
  source = await createLiveSource({
    kubeconfig: writeKubeconfig(api.url),
    needs: STORED_KINDS,
    logger,
    backoff: { initialMs: 50, maxMs: 400 },
    ...options,
  });
  return source;
}

beforeEach(async () => {
  api = await startFakeApi();
  api.seed([namespace('shop', 'enforce'), namespace('empty'), denyAll('shop'), role('shop', 'netpol-writer', true)]);
  api.seed([binding('shop', 'writers', { kind: 'Role', name: 'netpol-writer' }, [{ kind: 'User', name: 'mallory' }])]);
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await api.stop();
});

describe('live cluster source', () => {
  it('is not ready until every cache has listed, then holds the cluster state', async () => {
    const slow = api.addFault({ match: (r) => r.kind === 'list', delayMs: 300 });
    const live = await open();
    expect(live.ready()).toBe(false);
    await live.synced;
    slow();
    expect(live.ready()).toBe(true);
    expect(live.snapshot.namespace('shop')?.labels['netguard.io/mode']).toBe('enforce');
    expect([...denyNames(live.snapshot, 'shop', 'Egress')]).toEqual(['default-deny']);
    expect(live.snapshot.role('Role', 'shop', 'netpol-writer')?.rules.length).toBe(1);
    expect(live.snapshot.bindingsOf('Role', 'shop', 'netpol-writer').map((b) => b.name)).toEqual(['writers']);
    // A live cache never holds pods; they are listed per review.
    expect(live.snapshot.pods('shop')).toBeUndefined();
  });

  it('talks to a plain http:// API server without insecure-skip-tls-verify, as kubectl does', async () => {
    source = await createLiveSource({ kubeconfig: writeKubeconfig(api.url, undefined, { skipTLSVerify: false }), needs: STORED_KINDS, logger });
    await source.synced;
    expect(source.ready()).toBe(true);
    expect(source.snapshot.namespace('shop')?.labels['netguard.io/mode']).toBe('enforce');
  });

  it('an API server that does not serve a kind (404 on its LIST) holds none of it: synced, ready, not down', async () => {
    api.addFault({ match: (r) => r.path.startsWith('/apis/rbac.authorization.k8s.io/v1/clusterrole'), status: 404 });
    const live = await open({ watchDownLimitMs: 0 });
    await live.synced;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.ready()).toBe(true);
    expect(live.snapshot.role('ClusterRole', undefined, 'admin')).toBeUndefined();
    expect(live.snapshot.namespace('shop')).toBeDefined();
  });

  it('a 404 for namespaces is a misdirected kubeconfig, not an empty cluster: never synced, and says why', async () => {
    api.addFault({ match: (r) => r.path.startsWith('/api/v1/namespaces'), status: 404 });
    const live = await open({ watchDownLimitMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(live.ready()).toBe(false);
    expect(live.unsynced?.(['Namespace'])).toMatch(/404.*every Kubernetes API server serves \/api\/v1\/namespaces, so check the server URL in the kubeconfig/);
  });

  it('applies watch events: a policy added, changed and deleted in the API shows in the store', async () => {
    const live = await open();
    await live.synced;
    api.add(denyAll('empty', 'deny'));
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Ingress').has('deny')).toBe(true), WAIT);
    api.update({ ...denyAll('empty', 'deny'), spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Egress').size).toBe(0), WAIT);
    expect(denyNames(live.snapshot, 'empty', 'Ingress').has('deny')).toBe(true);
    api.delete('NetworkPolicy', 'empty', 'deny');
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Ingress').size).toBe(0), WAIT);
    api.add(namespace('new', 'warn'));
    await vi.waitFor(() => expect(live.snapshot.namespace('new')?.labels['netguard.io/mode']).toBe('warn'), WAIT);
  });

  it('confirm() reads through: a policy the watch never delivered is found, one deleted unseen is dropped', async () => {
    const live = await open();
    await live.synced;
    api.add(denyAll('empty', 'withheld'), { silent: true });
    expect(denyNames(live.snapshot, 'empty', 'Ingress').size).toBe(0);
    const before = api.countRequests('/apis/networking.k8s.io/v1/namespaces/empty/networkpolicies', 'list');
    await expect(live.live!.confirm([{ kind: 'DefaultDenyPolicy', namespace: 'empty' }])).resolves.toEqual({ reachable: true });
    expect(api.countRequests('/apis/networking.k8s.io/v1/namespaces/empty/networkpolicies', 'list')).toBe(before + 1);
    expect([...denyNames(live.snapshot, 'empty', 'Ingress')]).toEqual(['withheld']);

    api.delete('NetworkPolicy', 'shop', 'default-deny', { silent: true });
    await live.live!.confirm([{ kind: 'DefaultDenyPolicy', namespace: 'shop' }]);
    expect(denyNames(live.snapshot, 'shop', 'Ingress').size).toBe(0);

    // The read-through object is tracked: its later DELETED event removes it although the informer never listed it.
    api.delete('NetworkPolicy', 'empty', 'withheld');
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Ingress').size).toBe(0), WAIT);
  });

  it('confirm() GETs a role (404 removes it); namespace() GETs a namespace', async () => {
    const live = await open();
    await live.synced;
    api.add(role(undefined, 'late', true), { silent: true });
    await live.live!.confirm([{ kind: 'Role', roleKind: 'ClusterRole', namespace: undefined, name: 'late' }]);
    expect(live.snapshot.role('ClusterRole', undefined, 'late')?.rules.length).toBe(1);
    expect(api.countRequests('/apis/rbac.authorization.k8s.io/v1/clusterroles/late', 'get')).toBe(1);
    api.delete('Role', 'shop', 'netpol-writer', { silent: true });
    await live.live!.confirm([{ kind: 'Role', roleKind: 'Role', namespace: 'shop', name: 'netpol-writer' }]);
    expect(live.snapshot.role('Role', 'shop', 'netpol-writer')).toBeUndefined();

    api.add(namespace('fresh', 'enforce'), { silent: true });
    await expect(live.live!.namespace('fresh')).resolves.toMatchObject({ name: 'fresh', labels: { 'netguard.io/mode': 'enforce' } });
    expect(live.snapshot.namespace('fresh')).toBeDefined();
    await expect(live.live!.namespace('nowhere')).resolves.toBeUndefined();
  });

  it('confirm() answers unreachable on a slow or absent API server, within its time limit', async () => {
    const live = await open();
    await live.synced;
    api.addFault({ match: (r) => r.path.includes('/namespaces/shop/'), delayMs: 5_000 });
    const started = Date.now();
    const answer = await live.live!.confirm([{ kind: 'DefaultDenyPolicy', namespace: 'shop' }]);
    expect(answer.reachable).toBe(false);
    expect(answer.error).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(4_000);
    api.clearFaults();
    await api.stop();
    const down = await live.live!.confirm([{ kind: 'Role', roleKind: 'ClusterRole', namespace: undefined, name: 'x' }]);
    expect(down).toMatchObject({ reachable: false, error: expect.stringMatching(/ECONNREFUSED/) });
    await expect(live.live!.listPods('shop', { maxPods: 10, timeoutMs: 1_000 })).resolves.toBeUndefined();
  });

  it('survives dropped watches and a stopped API server: changes made meanwhile arrive, no restart needed', async () => {
    const live = await open({ watchDownLimitMs: 500 });
    await live.synced;
    api.dropWatches();
    api.add(denyAll('empty', 'after-drop'));
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Ingress').has('after-drop')).toBe(true), WAIT);

    await api.stop();
    await vi.waitFor(() => expect(live.ready()).toBe(false), WAIT);
    // Made while no watch could see them; the watch history replays them from the informer's version.
    api.add(namespace('created-while-down', 'enforce'));
    api.delete('NetworkPolicy', 'empty', 'after-drop');
    await api.start();
    await vi.waitFor(() => {
      expect(live.snapshot.namespace('created-while-down')).toBeDefined();
      expect(denyNames(live.snapshot, 'empty', 'Ingress').size).toBe(0);
      expect(live.ready()).toBe(true);
    }, WAIT);
    // And it keeps following the watch afterwards.
    api.add(denyAll('created-while-down'));
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'created-while-down', 'Egress').size).toBe(1), WAIT);
  });

  it('relists on 410 Gone: the LIST count rises and objects deleted unseen disappear', async () => {
    const live = await open();
    await live.synced;
    const lists = api.countRequests(POLICIES, 'list');
    api.delete('NetworkPolicy', 'shop', 'default-deny', { silent: true });
    api.add(denyAll('empty', 'unseen'), { silent: true });
    api.expireNextWatch(STORED_KINDS.length);
    api.dropWatches();
    await vi.waitFor(() => {
      expect(api.countRequests(POLICIES, 'list')).toBeGreaterThan(lists);
      expect(denyNames(live.snapshot, 'shop', 'Ingress').size).toBe(0);
      expect(denyNames(live.snapshot, 'empty', 'Ingress').has('unseen')).toBe(true);
    }, WAIT);
    expect(live.ready()).toBe(true);
  });

  it('relists on a 410 ERROR event even when the server leaves the stream open', async () => {
    const live = await open();
    await live.synced;
    const lists = api.countRequests(POLICIES, 'list');
    api.delete('NetworkPolicy', 'shop', 'default-deny', { silent: true });
    api.expireNextWatch(STORED_KINDS.length, { keepOpen: true });
    api.dropWatches();
    await vi.waitFor(() => {
      expect(api.countRequests(POLICIES, 'list')).toBeGreaterThan(lists);
      expect(denyNames(live.snapshot, 'shop', 'Ingress').size).toBe(0);
    }, WAIT);
  });

  it('relists after the API server lost its watch history (compaction while down)', async () => {
    const live = await open();
    await live.synced;
    await api.stop();
    api.delete('Namespace', undefined, 'empty');
    api.compact();
    await api.start();
    await vi.waitFor(() => expect(live.snapshot.namespace('empty')).toBeUndefined(), WAIT);
  });

  it('keeps restarting while the API server is unreachable from the start, and syncs once it appears', async () => {
    const port = api.port;
    await api.stop();
    const live = await open();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.ready()).toBe(false);
    await api.start(port);
    await live.synced;
    await vi.waitFor(() => expect(live.ready()).toBe(true), WAIT);
  });

  it('stays ready through a short watch outage, and slows down re-watching a server that ends every stream at once', async () => {
    const live = await open();
    await live.synced;
    await vi.waitFor(() => expect(api.openWatches).toBe(6), WAIT);
    api.addFault({ match: (r) => r.kind === 'watch' && r.path === POLICIES, endWatch: true });
    const before = api.countRequests(POLICIES, 'watch');
    api.dropWatches();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Without back-off client-node re-watches in a tight loop (thousands of requests a second).
    expect(api.countRequests(POLICIES, 'watch') - before).toBeLessThan(20);
    expect(live.ready()).toBe(true); // down for less than the 30 s default limit
    api.clearFaults();
    api.add(denyAll('empty', 'after-storm'));
    await vi.waitFor(() => expect(denyNames(live.snapshot, 'empty', 'Ingress').has('after-storm')).toBe(true), WAIT);
  });

  it('listPods() pages with limit/continue and stops at maxPods', async () => {
    api.seed(Array.from({ length: 1_200 }, (_, i) => pod('shop', `p-${String(i).padStart(4, '0')}`, i % 2 ? 'app' : undefined)));
    api.seed([pod('other', 'elsewhere'), pod('shop', 'zz-mirror', undefined, { 'kubernetes.io/config.mirror': 'x' })]);
    const live = await open();
    await live.synced;
    const path = '/api/v1/namespaces/shop/pods';
    const bounded = await live.live!.listPods('shop', { maxPods: 700, timeoutMs: 5_000 });
    expect(bounded?.pods).toHaveLength(700);
    expect(bounded?.complete).toBe(false);
    expect(api.requests.filter((r) => r.path === path).map((r) => r.query.get('limit'))).toEqual(['500', '200']);
    const all = await live.live!.listPods('shop', { maxPods: 3_000, timeoutMs: 5_000 });
    expect(all?.complete).toBe(true);
    expect(all?.pods).toHaveLength(1_200); // the mirror pod is left out
    expect(all?.pods.filter((p) => p.serviceAccount === 'default')).toHaveLength(600);
    expect(api.countRequests(path, 'list')).toBe(5);
  });

  it('close() stops the informers: watches closed, no requests afterwards', async () => {
    const live = await open();
    await live.synced;
    await vi.waitFor(() => expect(api.openWatches).toBe(6), WAIT);
    await live.close();
    source = undefined;
    expect(live.ready()).toBe(false);
    await vi.waitFor(() => expect(api.openWatches).toBe(0), WAIT);
    const seen = api.requests.length;
    api.dropWatches();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.requests.slice(seen).map((r) => `${r.kind} ${r.path}`)).toEqual([]);
  });

  it('close() right after start leaves no watch open', async () => {
    const live = await open();
    await live.synced;
    await live.close();
    source = undefined;
    await vi.waitFor(() => expect(api.openWatches).toBe(0), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.openWatches).toBe(0);
  });
});
