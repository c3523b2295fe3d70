import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { Mode } from '../../src/config/types.js';
import { namespaceModeLabel as rule } from '../../src/rules/namespace-mode-label.js';
import { ALICE, BOB, config, deepFreeze, GARBAGE, namespace, request, run, store, wellFormed } from './rule-helpers.js';

const LABEL = 'netguard.io/mode';
const labels = (value: string | undefined): Record<string, string> => (value === undefined ? {} : { [LABEL]: value });

function judge(name: string, before: string | undefined | 'CREATE', after: string | undefined, userInfo: UserInfo, defaultMode: Mode = 'audit') {
  const object = namespace(name, labels(after));
  const req = before === 'CREATE' ? request(object, { user: userInfo }) : request(object, { operation: 'UPDATE', oldObject: namespace(name, labels(before)), user: userInfo });
  return run(rule, req, store(), config({ defaultMode, exemptNamespaces: ['kube-system', 'sandbox-*'] }));
}

describe('namespace-mode-label', () => {
  it('declares what it judges', () => {
    expect(rule.judgesRequester).toBe(true);
    expect(rule.needs).toEqual(['Namespace']);
    expect(rule.judgesInOwnModes).toBe(true);
    expect(rule.intercepts).toEqual([{ group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'], subResources: ['status'] }]);
  });

  it.each<[string, string, Mode, Mode]>([
    ['an enforce namespace is loosened in enforce while clusterScopedMode only warns', 'enforce', 'warn', 'enforce'],
    ['a warn namespace is loosened in clusterScopedMode when that is stricter', 'warn', 'enforce', 'enforce'],
    ['an audit namespace is loosened in warn when clusterScopedMode says so', 'audit', 'warn', 'warn'],
    ['clusterScopedMode disabled still leaves an enforce namespace guarded', 'enforce', 'disabled', 'enforce'],
  ])('%s', (_name, before, clusterScopedMode, judgedIn) => {
    const object = namespace('shop', { 'netguard.io/mode': 'disabled' });
    const oldObject = namespace('shop', { 'netguard.io/mode': before });
    const [v] = run(rule, request(object, { operation: 'UPDATE', oldObject, user: BOB }), store(), config({ clusterScopedMode }));
    expect(v?.mode).toBe(judgedIn);
  });

  // name, before (label value, undefined = no label, 'CREATE'), after, requester, defaultMode, allowed
  it.each<[string, string, string | undefined, string | undefined, UserInfo, Mode, boolean]>([
    ['enforce → warn by unprovisioned', 'shop', 'enforce', 'warn', BOB, 'audit', false],
    ['enforce → warn by provisioned', 'shop', 'enforce', 'warn', ALICE, 'audit', true],
    ['enforce → disabled via group', 'shop', 'enforce', 'disabled', { username: 'x', groups: ['netpol-admins'] }, 'audit', true],
    ['enforce → disabled via ServiceAccount', 'shop', 'enforce', 'disabled', { username: 'system:serviceaccount:gitops:argocd-application-controller' }, 'audit', true],
    ['team-* provisioner in team-a', 'team-a', 'enforce', 'audit', { username: 'carol@example.com' }, 'audit', true],
    ['team-* provisioner in shop', 'shop', 'enforce', 'audit', { username: 'carol@example.com' }, 'audit', false],
    ['warn → audit', 'shop', 'warn', 'audit', BOB, 'audit', false],
    ['audit → disabled', 'shop', 'audit', 'disabled', BOB, 'audit', false],
    ['warn → enforce (tightening)', 'shop', 'warn', 'enforce', BOB, 'audit', true],
    ['disabled → audit (tightening)', 'shop', 'disabled', 'audit', BOB, 'audit', true],
    ['same mode', 'shop', 'warn', 'warn', BOB, 'audit', true],
    ['removing enforce, defaultMode audit', 'shop', 'enforce', undefined, BOB, 'audit', false],
    ['removing audit, defaultMode audit', 'shop', 'audit', undefined, BOB, 'audit', true],
    ['removing disabled, defaultMode audit', 'shop', 'disabled', undefined, BOB, 'audit', true],
    ['removing enforce, defaultMode enforce', 'shop', 'enforce', undefined, BOB, 'enforce', true],
    ['labelling an unlabelled namespace below defaultMode', 'shop', undefined, 'disabled', BOB, 'warn', false],
    ['labelling an unlabelled namespace at defaultMode', 'shop', undefined, 'warn', BOB, 'warn', true],
    ['CREATE disabled, defaultMode enforce', 'shop', 'CREATE', 'disabled', BOB, 'enforce', false],
    ['CREATE disabled, defaultMode enforce, provisioned', 'shop', 'CREATE', 'disabled', ALICE, 'enforce', true],
    ['CREATE disabled, defaultMode disabled', 'shop', 'CREATE', 'disabled', BOB, 'disabled', true],
    ['CREATE enforce, defaultMode disabled', 'shop', 'CREATE', 'enforce', BOB, 'disabled', true],
    ['CREATE unlabelled', 'shop', 'CREATE', undefined, BOB, 'enforce', true],
    ['CREATE audit, defaultMode warn', 'shop', 'CREATE', 'audit', BOB, 'warn', false],
    ['exempt: enforce → disabled', 'kube-system', 'enforce', 'disabled', BOB, 'enforce', true],
    ['exempt glob: removing enforce', 'sandbox-1', 'enforce', undefined, BOB, 'disabled', true],
    ['exempt: CREATE disabled under defaultMode enforce', 'sandbox-2', 'CREATE', 'disabled', BOB, 'enforce', true],
    ['unknown → disabled (unknown counts as enforce)', 'shop', 'strict', 'disabled', BOB, 'audit', false],
    ['unknown → warn', 'shop', 'strict', 'warn', BOB, 'audit', false],
    ['enforce → unknown', 'shop', 'enforce', 'strict', BOB, 'audit', true],
    ['warn → unknown (tightening)', 'shop', 'warn', 'Enforce', BOB, 'audit', true],
    ['removing an unknown value, defaultMode audit', 'shop', 'strict', undefined, BOB, 'audit', false],
  ])('%s', (_name, name, before, after, userInfo, defaultMode, allowed) => {
    const found = judge(name, before, after, userInfo, defaultMode);
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) {
      expect(wellFormed(v)).toBe(true);
      expect(v.warningOnly).toBeUndefined();
    }
  });

  it('names old and new mode, the label change, the requester and who can help', () => {
    const [v] = judge('shop', 'enforce', 'warn', { username: 'bob@example.com', groups: ['dev'] });
    expect(v?.message).toBe(
      '"bob@example.com" (groups: dev) is not provisioned for namespace "shop" and may not loosen it from enforce to warn ' +
        '(Namespace "shop", setting netguard.io/mode="warn"). Ask a provisioner for "shop" ("platform-team") to change the label, ' +
        'or keep netguard.io/mode at "enforce" or stricter.',
    );
  });

  it.each([
    ['removal', 'enforce', undefined, 'removing the netguard.io/mode label (defaultMode is audit)'],
    ['CREATE with a value', 'CREATE', 'disabled', 'creating it with netguard.io/mode="disabled" (defaultMode is enforce)'],
  ] as const)('describes a %s', (_name, before, after, text) => {
    const [v] = judge('shop', before, after, BOB, before === 'CREATE' ? 'enforce' : 'audit');
    expect(v?.message).toContain(text);
  });

  it('falls back to the state when an UPDATE carries no oldObject', () => {
    const req = request(namespace('shop', labels('disabled')), { operation: 'UPDATE', user: BOB });
    req.oldObject = null;
    const s = store(namespace('shop', labels('enforce')));
    expect(run(rule, req, s, config())).toHaveLength(1);
    expect(run(rule, req, store(), config({ defaultMode: 'disabled' }))).toEqual([]);
  });

  it.each(GARBAGE.map((g) => [g]))('never throws on malformed labels or userInfo (%j)', (garbage) => {
    const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: garbage } } as KubeObject;
    const old = { apiVersion: 'v1', kind: 'Namespace', metadata: garbage } as KubeObject;
    const req = deepFreeze({ ...request(object, { operation: 'UPDATE', oldObject: old }), userInfo: garbage as UserInfo });
    expect(() => run(rule, req, store(), config({ defaultMode: 'enforce' }))).not.toThrow();
    const nullObject = deepFreeze({ ...request(object), object: garbage as KubeObject });
    expect(() => run(rule, nullObject, store())).not.toThrow();
  });
});
