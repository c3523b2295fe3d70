import { describe, expect, it } from 'vitest';
import type { Operation, UserInfo } from '../../src/admission/types.js';
import { netpolProvisioning as rule } from '../../src/rules/netpol-provisioning.js';
import { config, deepFreeze, GARBAGE, namespace, netpol, request, run, store, wellFormed } from './rule-helpers.js';

const snapshot = store(namespace('shop'), namespace('team-a'), namespace('closing', {}, { deletionTimestamp: '2024-05-01T10:00:00Z' }));
const policy = (ns: string) => netpol(ns, 'allow-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });

function judge(ns: string, operation: Operation, userInfo: UserInfo, cfg = config()) {
  const object = policy(ns);
  const req = request(operation === 'DELETE' ? undefined : object, {
    operation,
    user: userInfo,
    ...(operation === 'CREATE' ? {} : { oldObject: object }),
  });
  return run(rule, req, snapshot, cfg);
}

const SA = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

describe('netpol-provisioning', () => {
  it('declares what it judges', () => {
    expect(rule.judgesRequester).toBe(true);
    expect(rule.needs).toEqual(['Namespace']);
    expect(rule.intercepts).toEqual([]);
    expect(rule.interceptsPolicyResources).toEqual(['CREATE', 'UPDATE', 'DELETE']);
  });

  it.each<[string, string, Operation, UserInfo, boolean]>([
    ['provisioned user', 'shop', 'CREATE', { username: 'alice@example.com' }, true],
    ['unprovisioned user', 'shop', 'CREATE', { username: 'bob@example.com' }, false],
    ['unprovisioned user UPDATE', 'shop', 'UPDATE', { username: 'bob@example.com' }, false],
    ['unprovisioned user DELETE', 'shop', 'DELETE', { username: 'bob@example.com' }, false],
    ['provisioned user DELETE', 'shop', 'DELETE', { username: 'alice@example.com' }, true],
    ['provisioned group', 'shop', 'UPDATE', { username: 'x', groups: ['dev', 'netpol-admins'] }, true],
    ['unprovisioned groups', 'shop', 'CREATE', { username: 'x', groups: ['dev', 'system:authenticated'] }, false],
    ['provisioned ServiceAccount username', 'shop', 'CREATE', { username: SA('gitops', 'argocd-application-controller') }, true],
    ['ServiceAccount of the same name elsewhere', 'shop', 'CREATE', { username: SA('shop', 'argocd-application-controller') }, false],
    ['team-* user in team-a', 'team-a', 'CREATE', { username: 'carol@example.com' }, true],
    ['team-* user in shop', 'shop', 'CREATE', { username: 'carol@example.com' }, false],
    ['team-* group in team-a', 'team-a', 'DELETE', { username: 'x', groups: ['team-leads'] }, true],
    ['team-* ServiceAccount in team-a', 'team-a', 'UPDATE', { username: SA('team-a', 'deployer') }, true],
    ['team-* ServiceAccount in shop', 'shop', 'UPDATE', { username: SA('team-a', 'deployer') }, false],
    ['cleanup account DELETE', 'shop', 'DELETE', { username: SA('kube-system', 'namespace-controller') }, true],
    ['garbage collector DELETE', 'shop', 'DELETE', { username: SA('kube-system', 'generic-garbage-collector') }, true],
    ['cleanup account CREATE', 'shop', 'CREATE', { username: SA('kube-system', 'namespace-controller') }, false],
    ['cleanup account UPDATE', 'shop', 'UPDATE', { username: SA('kube-system', 'namespace-controller') }, false],
    ['cleanup name as a group does not count', 'shop', 'DELETE', { username: 'x', groups: [SA('kube-system', 'namespace-controller')] }, false],
    ['anyone DELETE in a terminating namespace', 'closing', 'DELETE', { username: 'bob@example.com' }, true],
    ['CREATE in a terminating namespace', 'closing', 'CREATE', { username: 'bob@example.com' }, false],
    ['UPDATE in a terminating namespace', 'closing', 'UPDATE', { username: 'bob@example.com' }, false],
    ['no username, no groups', 'shop', 'CREATE', {}, false],
  ])('%s', (_name, ns, operation, userInfo, allowed) => {
    const found = judge(ns, operation, userInfo);
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) {
      expect(v.rule).toBe('netpol-provisioning');
      expect(wellFormed(v)).toBe(true);
      expect(v.warningOnly).toBeUndefined();
    }
  });

  it('names the requester, the policy, the namespace and the config keys', () => {
    const [v] = judge('shop', 'CREATE', { username: 'bob@example.com', groups: ['dev'] });
    expect(v?.message).toBe(
      '"bob@example.com" (groups: dev) is not a provisioned account for namespace "shop" and may not create NetworkPolicies ' +
        '(NetworkPolicy "allow-web" in namespace "shop"). Apply the policy through a provisioned account (for example your GitOps controller), ' +
        'or have the platform team add "bob@example.com" to provisioners[].users (or one of its groups to provisioners[].groups) ' +
        'of a provisioner whose namespaces matches "shop" (provisioners for it: "platform-team").',
    );
  });

  it('suggests provisioners[].serviceAccounts for a ServiceAccount requester', () => {
    const [v] = judge('team-a', 'UPDATE', { username: SA('team-a', 'ci') });
    expect(v?.message).toContain('"team-a/ci" to provisioners[].serviceAccounts');
    expect(v?.message).toContain('provisioners for it: "platform-team", "team-leads"');
    expect(v?.message).toContain('may not change NetworkPolicies');
  });

  it('says so when no provisioner covers the namespace', () => {
    const [v] = judge('shop', 'DELETE', { username: 'bob@example.com' }, config({ provisioners: [{ name: 'p', users: ['x'], namespaces: ['team-*'] }] }));
    expect(v?.message).toContain('no provisioner covers it yet');
    expect(v?.message).toContain('is not a provisioned account or cleanupAccounts');
  });

  it.each([
    ['configured cleanup account', { cleanupAccounts: ['janitor'] }, 'janitor', true],
    ['defaults replaced', { cleanupAccounts: ['janitor'] }, SA('kube-system', 'namespace-controller'), false],
    ['provisioner without namespaces covers all', { provisioners: [{ name: 'p', users: ['bob'] }] }, 'bob', true],
    ['no provisioners at all', { provisioners: [] }, 'alice@example.com', false],
  ])('config: %s', (_name, overrides, username, allowed) => {
    expect(judge('shop', 'DELETE', { username }, config(overrides))).toHaveLength(allowed ? 0 : 1);
  });

  it.each(GARBAGE.map((g) => [g]))('never throws on malformed userInfo or object (%j)', (garbage) => {
    const req = deepFreeze({
      ...request(policy('shop'), { user: { username: 'bob' } }),
      userInfo: garbage as UserInfo,
      object: garbage as never,
    });
    expect(() => run(rule, req, snapshot)).not.toThrow();
    const weird = deepFreeze(request(policy('shop'), { user: { username: garbage as string, groups: garbage as string[] } }));
    expect(() => run(rule, weird, snapshot)).not.toThrow();
  });

  it('is pure: the same request gives the same answer', () => {
    const req = deepFreeze(request(policy('shop'), { user: { username: 'bob' } }));
    expect(run(rule, req, snapshot)).toEqual(run(rule, req, snapshot));
  });
});
