import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { netpolTrustedCidrs as rule } from '../../src/rules/netpol-trusted-cidrs.js';
import { config, deepFreeze, GARBAGE, netpol, request, run, store, wellFormed } from './rule-helpers.js';

const TRUSTED = config({ trustedCidrs: ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'] });

const egressTo = (...cidrs: unknown[]) => netpol('shop', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }] });
const ingressFrom = (...cidrs: unknown[]) => netpol('shop', 'p', { podSelector: {}, ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }] });

describe('netpol-trusted-cidrs', () => {
  it('declares what it judges', () => {
    expect(rule.needs).toEqual([]);
    expect(rule.intercepts).toEqual([{ group: 'networking.k8s.io', kind: 'NetworkPolicy', operations: ['CREATE', 'UPDATE'] }]);
  });

  it.each<[string, unknown, boolean]>([
    ['IPv4 inside', '10.20.0.0/16', true],
    ['IPv4 exact match', '10.0.0.0/8', true],
    ['IPv4 host inside', '192.168.1.7/32', true],
    ['IPv4 with host bits set, inside', '10.1.2.3/24', true],
    ['IPv4 outside', '172.16.0.0/12', false],
    ['IPv4 wider than trusted', '10.0.0.0/7', false],
    ['IPv4 whole internet', '0.0.0.0/0', false],
    ['IPv4 overlapping but starting outside', '9.0.0.0/7', false],
    ['IPv6 inside', 'fd00:1234::/32', true],
    ['IPv6 exact match', 'fd00::/8', true],
    ['IPv6 host inside', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', true],
    ['IPv6 outside', '2001:db8::/32', false],
    ['IPv6 wider than trusted', 'fc00::/7', false],
    ['IPv6 whole internet', '::/0', false],
    ['IPv4-mapped IPv6 is IPv6', '::ffff:10.0.0.0/104', false],
    ['prefix too long', '10.0.0.0/33', false],
    ['IPv6 prefix too long', 'fd00::/129', false],
    ['not an address', 'banana', false],
    ['no prefix', '10.0.0.0', false],
    ['empty text', '', false],
    ['a number', 10, false],
    ['missing cidr', undefined, false],
  ])('egress %s', (_name, cidr, allowed) => {
    const found = run(rule, request(egressTo(cidr)), store(), TRUSTED);
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) expect(wellFormed(v)).toBe(true);
  });

  it.each<[string, string, boolean]>([
    ['ingress inside', '192.168.0.0/24', true],
    ['ingress outside', '8.8.8.8/32', false],
  ])('%s', (_name, cidr, allowed) => {
    expect(run(rule, request(ingressFrom(cidr)), store(), TRUSTED)).toHaveLength(allowed ? 0 : 1);
  });

  it('reports every offender in one message with its field path', () => {
    const policy = netpol('shop', 'p', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.0/16' } }] }, { from: [{ podSelector: {} }, { ipBlock: { cidr: '203.0.113.0/24' } }] }],
      egress: [{ to: [{ ipBlock: { cidr: 'banana' } }] }, { to: [{ ipBlock: { cidr: '192.168.0.0/16' } }, { ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const found = run(rule, request(policy), store(), TRUSTED);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe(
      'NetworkPolicy "p" has ipBlock CIDRs that are not valid or lie outside the trusted CIDRs (namespace "shop": ' +
        'spec.ingress[1].from[1].ipBlock.cidr "203.0.113.0/24" is not inside any trusted CIDR; ' +
        'spec.egress[0].to[0].ipBlock.cidr "banana" is not a valid CIDR; ' +
        'spec.egress[1].to[1].ipBlock.cidr "0.0.0.0/0" is not inside any trusted CIDR). ' +
        'Use address ranges inside trustedCidrs (10.0.0.0/8, 192.168.0.0/16, fd00::/8), or ask the platform team to extend trustedCidrs.',
    );
  });

  it('names at most 10 offenders and counts the rest', () => {
    const to = Array.from({ length: 14 }, (_, i) => ({ ipBlock: { cidr: `203.0.113.${i}/32` } }));
    const [v] = run(rule, request(netpol('shop', 'p', { podSelector: {}, egress: [{ to }] })), store(), TRUSTED);
    expect(v?.message).toContain('spec.egress[0].to[9].ipBlock.cidr "203.0.113.9/32" is not inside any trusted CIDR and 4 more)');
    expect(v?.message).not.toContain('to[10]');
  });

  it('says when no range of the family is trusted', () => {
    const [v] = run(rule, request(egressTo('fd00::/64')), store(), config({ trustedCidrs: ['10.0.0.0/8'] }));
    expect(v?.message).toContain('"fd00::/64" is not inside any trusted CIDR (no IPv6 range is trusted)');
    const [w] = run(rule, request(egressTo('10.0.0.0/8')), store(), config({ trustedCidrs: ['::/0'] }));
    expect(w?.message).toContain('(no IPv4 range is trusted)');
  });

  it('calls a policy with only invalid CIDRs invalid', () => {
    const [v] = run(rule, request(egressTo('10.0.0.0/33')), store(), TRUSTED);
    expect(v?.message).toMatch(/^NetworkPolicy "p" has ipBlock CIDRs that are not valid \(namespace "shop": spec\.egress\[0\]\.to\[0\]\.ipBlock\.cidr "10\.0\.0\.0\/33" is not a valid CIDR\)/);
  });

  it('is inactive while trustedCidrs is empty', () => {
    expect(run(rule, request(egressTo('0.0.0.0/0', 'banana')), store(), config())).toEqual([]);
  });

  it('judges UPDATEs', () => {
    const req = request(egressTo('0.0.0.0/0'), { operation: 'UPDATE', oldObject: egressTo('10.0.0.0/8') });
    expect(run(rule, req, store(), TRUSTED)).toHaveLength(1);
  });

  it('ignores peers without ipBlock and the except list', () => {
    const policy = netpol('shop', 'p', {
      podSelector: {},
      egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['0.0.0.0/0', 'banana'] } }] }, { ports: [{ port: 53 }] }],
    });
    expect(run(rule, request(policy), store(), TRUSTED)).toEqual([]);
  });

  it.each(GARBAGE.map((g) => [g]))('never throws on malformed specs (%j)', (g) => {
    const shapes: KubeObject[] = [
      { kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: g } as KubeObject,
      netpol('shop', 'p', { ingress: g, egress: g }),
      netpol('shop', 'p', { ingress: [g], egress: [g] }),
      netpol('shop', 'p', { ingress: [{ from: g }], egress: [{ to: [g] }] }),
      netpol('shop', 'p', { egress: [{ to: [{ ipBlock: g }] }] }),
      netpol('shop', 'p', { egress: [{ to: [{ ipBlock: { cidr: g } }] }] }),
    ];
    for (const object of shapes) expect(() => run(rule, deepFreeze(request(object)), store(), TRUSTED)).not.toThrow();
    const nullObject = request(egressTo('0.0.0.0/0'));
    nullObject.object = g as KubeObject;
    expect(() => run(rule, nullObject, store(), TRUSTED)).not.toThrow();
  });
});
