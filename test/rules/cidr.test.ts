import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, type Cidr } from '../../src/util/cidr.js';

const parsed = (text: string): Cidr => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`test CIDR ${text} does not parse`);
  return cidr;
};

describe('parseCidr', () => {
  it.each<[string, 4 | 6, number, bigint]>([
    ['10.0.0.0/8', 4, 8, 0x0a000000n],
    ['10.1.2.3/8', 4, 8, 0x0a000000n],
    ['0.0.0.0/0', 4, 0, 0n],
    ['255.255.255.255/32', 4, 32, 0xffffffffn],
    ['192.168.1.129/25', 4, 25, 0xc0a80180n],
    ['::/0', 6, 0, 0n],
    ['fd00::/8', 6, 8, 0xfdn << 120n],
    ['2001:db8::1/128', 6, 128, (0x20010db8n << 96n) | 1n],
    ['2001:db8:0:0:0:0:0:1/64', 6, 64, 0x20010db8n << 96n],
    ['::1/128', 6, 128, 1n],
    ['1::/16', 6, 16, 1n << 112n],
    ['::ffff:10.0.0.1/128', 6, 128, (0xffffn << 32n) | 0x0a000001n],
    ['FD00::/8', 6, 8, 0xfdn << 120n],
  ])('%s', (text, family, prefix, network) => {
    expect(parseCidr(text)).toEqual({ text, family, prefix, network });
  });

  it.each([
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.0',
    '10.0.0.0/',
    '/8',
    'banana',
    '',
    '10.0.0/8',
    '10.0.0.256/8',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    '10.0.0.0/ 8',
    ' 10.0.0.0/8',
    '10.0.0.0/1000',
    'fe80::1%eth0/64',
    ':::/8',
    '1:2:3:4:5:6:7:8:9/64',
    '10.0.0.0/8.5',
    '10.0.0.0/0x8',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([5, null, undefined, {}, []])('rejects a non-string (%j)', (value) => {
    expect(parseCidr(value as unknown as string)).toBeUndefined();
  });
});

describe('cidrContains', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.20.0.0/16', true],
    ['10.0.0.0/8', '10.255.255.255/32', true],
    ['10.0.0.0/8', '10.0.0.0/7', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['10.0.0.0/8', '9.0.0.0/7', false],
    ['0.0.0.0/0', '203.0.113.0/24', true],
    ['192.168.0.0/16', '192.169.0.0/24', false],
    ['10.1.2.3/8', '10.9.9.9/32', true],
    ['fd00::/8', 'fd12:3456::/32', true],
    ['fd00::/8', 'fc00::/7', false],
    ['fd00::/8', 'fe00::/8', false],
    ['::/0', '2001:db8::/32', true],
    ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128', true],
    ['2001:db8::/32', '2001:db9::/32', false],
    ['0.0.0.0/0', '::/0', false],
    ['::/0', '0.0.0.0/0', false],
    ['::/0', '::ffff:10.0.0.0/104', true],
    ['10.0.0.0/8', '::ffff:10.0.0.0/104', false],
  ])('%s ⊇ %s: %s', (outer, inner, expected) => {
    expect(cidrContains(parsed(outer), parsed(inner))).toBe(expected);
  });

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
  const v4cidr = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => parsed(`${a}/${p}`));
  const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((h) => h.map((x) => x.toString(16)).join(':'));
  const v6cidr = fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => parsed(`${a}/${p}`));

  it.each([
    ['IPv4', v4cidr],
    ['IPv6', v6cidr],
  ] as const)('%s: every CIDR contains itself, and containment is transitive and antisymmetric', (_family, arb) => {
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => {
        expect(cidrContains(a, a)).toBe(true);
        if (cidrContains(a, b) && cidrContains(b, c)) expect(cidrContains(a, c)).toBe(true);
        if (cidrContains(a, b) && cidrContains(b, a)) expect(a.network === b.network && a.prefix === b.prefix).toBe(true);
      }),
    );
  });

  it('a prefix widened by one step contains the original', () => {
    fc.assert(
      fc.property(v4cidr, (c) => {
        fc.pre(c.prefix > 0);
        const wider = parsed(`${[24n, 16n, 8n, 0n].map((s) => Number((c.network >> s) & 255n)).join('.')}/${c.prefix - 1}`);
        expect(cidrContains(wider, c)).toBe(true);
        expect(cidrContains(c, wider)).toBe(false);
      }),
    );
  });

  it('the two halves of a range are inside it and outside each other', () => {
    fc.assert(
      fc.property(v6cidr, (c) => {
        fc.pre(c.prefix < 128);
        const half = (bit: bigint): Cidr => ({ ...c, text: '', prefix: c.prefix + 1, network: c.network | (bit << BigInt(127 - c.prefix)) });
        const [low, high] = [half(0n), half(1n)];
        expect(cidrContains(c, low) && cidrContains(c, high)).toBe(true);
        expect(cidrContains(low, high) || cidrContains(high, low)).toBe(false);
      }),
    );
  });
});
