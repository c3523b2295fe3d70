// AdmissionHandler without HTTP: how modes are found (cache, live read, cluster-scoped), what is
// read live for one review (opt-in pod listing, read-through of absences), and failures.
import { describe, expect, it, vi } from 'vitest';
import { AdmissionHandler, OPT_IN_POD_LIMITS } from '../../src/admission/handler.js';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { NamespaceState, PodListing } from '../../src/cluster/snapshot.js';
import type { ClusterSource, LiveReader } from '../../src/cluster/source.js';
import { storeFromObjects } from '../../src/cluster/static.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig } from '../../src/config/load.js';
import { Engine } from '../../src/rules/engine.js';
import type { Rule, RuleInput, Violation } from '../../src/rules/types.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, reviewOf } from '../support/serve.js';
import { namespace, pod } from '../support/kube-objects.js';

const podRule = (evaluate: (input: RuleInput) => Violation[]): Rule => ({
  id: 'pod-service-account',
  summary: 'test',
  intercepts: [{ group: '', kind: 'Pod', operations: ['CREATE'] }],
  needs: [],
  evaluate,
});

const alwaysViolates = podRule(() => [{ rule: 'pod-service-account', message: 'bad pod (here). Fix it.' }]);

function staticSource(objects: KubeObject[]): ClusterSource & { snapshot: ClusterStore } {
  return { snapshot: storeFromObjects(objects.map((object) => ({ object, source: 'test' }))), ready: () => true, close: async () => undefined };
}

function setup(options: { rules: Rule[]; source: ClusterSource; config?: Record<string, unknown> }) {
  const { logger, lines } = collectingLogger('debug');
  const handler = new AdmissionHandler({
    engine: new Engine(options.rules),
    config: () => compileConfig(options.config ?? {}, 'test.yaml'),
    source: options.source,
    logger,
  });
  const judge = async (request: ReturnType<typeof makeRequest>) => {
    const result = await handler.handle(JSON.stringify(reviewOf(request)));
    expect(result.statusCode).toBe(200);
    return (result.body as AdmissionReviewResponse).response;
  };
  return { handler, lines, judge };
}

function fakeLive(overrides: Partial<LiveReader>): LiveReader {
  return {
    confirm: vi.fn(async () => ({ reachable: true })),
    namespace: vi.fn(async () => undefined),
    listPods: vi.fn(async () => undefined),
    ...overrides,
  };
}

describe('handle() input forms', () => {
  it('takes a string, a Buffer or a parsed object, and answers 400 for non-reviews', async () => {
    const { handler } = setup({ rules: [alwaysViolates], source: staticSource([namespace('shop', 'enforce')]) });
    const review = reviewOf(makeRequest(pod('shop', 'web')));
    for (const body of [JSON.stringify(review), Buffer.from(JSON.stringify(review)), structuredClone(review)]) {
      const result = await handler.handle(body);
      expect(result.statusCode).toBe(200);
      expect((result.body as AdmissionReviewResponse).response.allowed).toBe(false);
    }
    expect((await handler.handle('nope')).statusCode).toBe(400);
    expect((await handler.handle(undefined)).statusCode).toBe(400);
  });
});

describe('mode resolution', () => {
  it('disabled namespaces are not evaluated at all', async () => {
    const evaluate = vi.fn(() => []);
    const { judge } = setup({ rules: [podRule(evaluate)], source: staticSource([namespace('quiet', 'disabled')]) });
    expect(await judge(makeRequest(pod('quiet', 'web')))).toEqual({ uid: expect.any(String), allowed: true });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('unlabelled and unknown namespaces get defaultMode', async () => {
    const { judge } = setup({ rules: [alwaysViolates], source: staticSource([namespace('plain')]), config: { defaultMode: 'warn' } });
    for (const ns of ['plain', 'nowhere']) {
      const response = await judge(makeRequest(pod(ns, 'web')));
      expect(response.allowed).toBe(true);
      expect(response.warnings).toEqual(['pod-service-account: bad pod (here). Fix it.']);
    }
  });

  it('exemptNamespaces globs are disabled whatever their label', async () => {
    const { judge } = setup({
      rules: [alwaysViolates],
      source: staticSource([namespace('team-infra', 'enforce')]),
      config: { exemptNamespaces: ['team-*'] },
    });
    expect((await judge(makeRequest(pod('team-infra', 'web')))).allowed).toBe(true);
  });

  it('cluster-scoped objects use clusterScopedMode, not the namespace label', async () => {
    const nsRule: Rule = {
      id: 'namespace-mode-label',
      summary: 'test',
      intercepts: [{ group: '', kind: 'Namespace', operations: ['UPDATE'] }],
      needs: [],
      evaluate: () => [{ rule: 'namespace-mode-label', message: 'loosened.' }],
    };
    const source = staticSource([namespace('shop', 'disabled')]);
    const request = makeRequest(namespace('shop', 'disabled'), { operation: 'UPDATE', oldObject: namespace('shop', 'enforce') });
    const enforced = setup({ rules: [nsRule], source, config: { clusterScopedMode: 'enforce' } });
    expect((await enforced.judge(request)).allowed).toBe(false);
    const audited = setup({ rules: [nsRule], source, config: { clusterScopedMode: 'audit' } });
    const response = await audited.judge(request);
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({ 'namespace-mode-label': 'loosened.' });
  });

  it('a Namespace given an unknown netguard.io/mode value is warned at once, in clusterScopedMode', async () => {
    const quiet: Rule = {
      id: 'namespace-mode-label',
      summary: 'test',
      intercepts: [{ group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'] }],
      needs: [],
      evaluate: () => [],
    };
    const { judge } = setup({ rules: [quiet], source: staticSource([]), config: { clusterScopedMode: 'warn' } });
    const response = await judge(makeRequest(namespace('shop', 'enforcing')));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringContaining('netguard.io/mode="enforcing", which is not one of disabled, audit, warn, enforce')]);
  });

  it('a namespace missing from the cache is read live once, and rules see it', async () => {
    const seen: (NamespaceState | undefined)[] = [];
    const rule = podRule(({ snapshot }) => {
      seen.push(snapshot.namespace('fresh'));
      return [{ rule: 'pod-service-account', message: 'bad.' }];
    });
    const live = fakeLive({ namespace: vi.fn(async (name: string) => ({ name, labels: { 'netguard.io/mode': 'enforce' }, terminating: false })) });
    const { judge } = setup({ rules: [rule], source: { ...staticSource([]), live } });
    expect((await judge(makeRequest(pod('fresh', 'web')))).allowed).toBe(false);
    expect(live.namespace).toHaveBeenCalledTimes(1);
    expect(live.namespace).toHaveBeenCalledWith('fresh');
    expect(seen[0]?.labels['netguard.io/mode']).toBe('enforce');
  });

  it('no live read for exempt namespaces or requests no rule judges', async () => {
    const live = fakeLive({});
    const { judge } = setup({ rules: [alwaysViolates], source: { ...staticSource([]), live } });
    await judge(makeRequest(pod('kube-system', 'web')));
    await judge(makeRequest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'fresh' } }));
    await judge(makeRequest(pod('fresh', 'web'), { subResource: 'status' }));
    expect(live.namespace).not.toHaveBeenCalled();
  });

  it('a failed live namespace read is an internal error in the default mode', async () => {
    const live = fakeLive({ namespace: vi.fn(async () => Promise.reject(new Error('connection refused'))) });
    const enforce = setup({ rules: [alwaysViolates], source: { ...staticSource([]), live }, config: { defaultMode: 'enforce' } });
    const denied = await enforce.judge(makeRequest(pod('fresh', 'web')));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.code).toBe(500);
    expect(denied.status?.message).toMatch(/cannot read namespace "fresh" from the API server: connection refused/);
    expect(denied.status?.message).toMatch(/refused because the namespace's labels could not be read and an unlabelled namespace's mode \(defaultMode\) is enforce;/);
    const warn = setup({ rules: [alwaysViolates], source: { ...staticSource([]), live }, config: { defaultMode: 'warn' } });
    const allowed = await warn.judge(makeRequest(pod('fresh', 'web')));
    expect(allowed.allowed).toBe(true);
    expect(allowed.warnings?.[0]).toMatch(/allowed without being judged because the namespace's labels could not be read and an unlabelled namespace's mode \(defaultMode\) is warn;/);
  });
});

describe('opt-in pod listing', () => {
  const nsRule: Rule = {
    id: 'namespace-default-deny',
    summary: 'test',
    intercepts: [{ group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'] }],
    needs: ['Pod'],
    evaluate: ({ request, snapshot }) => {
      const listing = snapshot.pods(request.name ?? '');
      return listing ? [{ rule: 'namespace-default-deny', message: `${listing.pods.length} pods would be refused.`, warningOnly: true }] : [];
    },
  };
  const listing: PodListing = { pods: [{ namespace: 'shop', name: 'a', serviceAccount: 'default' }], complete: true };
  const liveSource = (live: LiveReader): ClusterSource => ({ snapshot: new ClusterStore(false), live, ready: () => true, close: async () => undefined });

  it('a Namespace made stricter lists its pods (bounded) for the warnings', async () => {
    const live = fakeLive({ listPods: vi.fn(async () => listing) });
    const { judge } = setup({ rules: [nsRule], source: liveSource(live), config: { clusterScopedMode: 'warn' } });
    const response = await judge(makeRequest(namespace('shop', 'enforce'), { operation: 'UPDATE', oldObject: namespace('shop', 'audit') }));
    expect(live.listPods).toHaveBeenCalledWith('shop', { ...OPT_IN_POD_LIMITS });
    expect(OPT_IN_POD_LIMITS).toEqual({ maxPods: 3000, timeoutMs: 1000 });
    expect(response.warnings).toEqual(['namespace-default-deny: 1 pods would be refused.']);
  });

  it('no listing when the namespace gets looser or stays the same, or no rule reads pods', async () => {
    const live = fakeLive({ listPods: vi.fn(async () => listing) });
    const { judge } = setup({ rules: [nsRule], source: liveSource(live), config: { clusterScopedMode: 'warn' } });
    await judge(makeRequest(namespace('shop', 'audit'), { operation: 'UPDATE', oldObject: namespace('shop', 'enforce') }));
    await judge(makeRequest(namespace('shop', 'warn'), { operation: 'UPDATE', oldObject: namespace('shop', 'warn') }));
    const podless = setup({ rules: [{ ...nsRule, needs: ['Namespace'] }], source: liveSource(live), config: { clusterScopedMode: 'warn' } });
    await podless.judge(makeRequest(namespace('shop', 'enforce'), { operation: 'UPDATE', oldObject: namespace('shop', 'audit') }));
    expect(live.listPods).not.toHaveBeenCalled();
  });

  it('a failed listing only drops the warnings', async () => {
    const live = fakeLive({ listPods: vi.fn(async () => Promise.reject(new Error('timeout'))) });
    const { judge, lines } = setup({ rules: [nsRule], source: liveSource(live), config: { clusterScopedMode: 'enforce' } });
    const response = await judge(makeRequest(namespace('shop', 'enforce'), { operation: 'CREATE' }));
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
    expect(lines.some((l) => l.msg === 'could not list pods for the opt-in warnings')).toBe(true);
  });
});

describe('read-through of denials resting on absences', () => {
  function policyRule(state: { policyExists: boolean }): Rule {
    return podRule(() =>
      state.policyExists
        ? []
        : [{ rule: 'pod-service-account', message: 'no default-deny (namespace "shop").', absences: [{ kind: 'DefaultDenyPolicy', namespace: 'shop' }] }],
    );
  }

  it('confirms once with the API server and judges again with what it learned', async () => {
    const state = { policyExists: false };
    const live = fakeLive({
      confirm: vi.fn(async () => {
        state.policyExists = true; // the cache was behind: the policy exists
        return { reachable: true };
      }),
    });
    const { judge } = setup({ rules: [policyRule(state)], source: { ...staticSource([namespace('shop', 'enforce')]), live } });
    expect((await judge(makeRequest(pod('shop', 'web')))).allowed).toBe(true);
    expect(live.confirm).toHaveBeenCalledTimes(1);
    expect(live.confirm).toHaveBeenCalledWith([{ kind: 'DefaultDenyPolicy', namespace: 'shop' }]);
  });

  it('when the API server is unreachable, the cache answer stands and says so', async () => {
    const live = fakeLive({ confirm: vi.fn(async () => ({ reachable: false, error: 'dial tcp: i/o timeout' })) });
    const { judge } = setup({ rules: [policyRule({ policyExists: false })], source: { ...staticSource([namespace('shop', 'enforce')]), live } });
    const response = await judge(makeRequest(pod('shop', 'web')));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      'pod-service-account: no default-deny (namespace "shop"). (netguard could not confirm this with the API server: dial tcp: i/o timeout; answered from its cache)',
    );
  });

  it('warnings and violations without absences never reach the API server', async () => {
    const live = fakeLive({});
    const rule = podRule(() => [
      { rule: 'pod-service-account', message: 'plain.' },
      { rule: 'namespace-default-deny', message: 'info.', warningOnly: true, absences: [{ kind: 'DefaultDenyPolicy', namespace: 'shop' }] },
    ]);
    const { judge } = setup({ rules: [rule], source: { ...staticSource([namespace('shop', 'enforce')]), live } });
    await judge(makeRequest(pod('shop', 'web')));
    expect(live.confirm).not.toHaveBeenCalled();
  });
});

describe('a live cache that has not synced what a rule reads', () => {
  const gapSource = (gap: string | undefined): ClusterSource => ({
    ...staticSource([namespace('shop', 'enforce'), namespace('relaxed', 'warn')]),
    unsynced: (kinds) => (kinds.includes('Role') ? gap : undefined),
  });
  const needsRoles = podRule(() => []);
  const rules = [{ ...needsRoles, needs: ['Role'] as const }];

  it('is an internal error per mode, naming what is missing, instead of reading it as absent', async () => {
    const { judge, lines } = setup({ rules, source: gapSource('Role (the API server answered: HTTP 403 forbidden)') });
    const denied = await judge(makeRequest(pod('shop', 'web')));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.code).toBe(500);
    expect(denied.status?.message).toContain('netguard internal error');
    expect(denied.status?.message).toContain('its cache of Role (the API server answered: HTTP 403 forbidden) has not synced with the API server yet');
    expect(lines.some((l) => l.msg === 'internal error while judging a review')).toBe(true);
    const warned = await judge(makeRequest(pod('relaxed', 'web')));
    expect(warned.allowed).toBe(true);
    expect(warned.warnings?.[0]).toContain('netguard internal error');
  });

  it('judges normally once synced', async () => {
    const { judge } = setup({ rules, source: gapSource(undefined) });
    expect(await judge(makeRequest(pod('shop', 'web')))).toEqual({ uid: expect.any(String), allowed: true });
  });
});
