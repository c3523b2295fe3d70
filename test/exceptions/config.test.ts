// `exceptions:` and `rules:` caps as the config loader reads them: RFC 3339 expiry (dates and
// date-times, real calendar days), and errors that name the key path.
import { describe, expect, it } from 'vitest';
import { compileConfig, parseConfigText } from '../../src/config/load.js';
import { expiryInstant } from '../../src/exceptions/compile.js';

const EXCEPTION = { name: 'legacy-billing', rules: ['pod-service-account'], namespaces: ['billing'], expires: '2027-03-31', reason: 'TICKET-1234' };

describe('expiryInstant', () => {
  it.each([
    ['2027-03-31', '2027-04-01T00:00:00.000Z'],
    ['2028-02-29', '2028-03-01T00:00:00.000Z'],
    ['2027-12-31', '2028-01-01T00:00:00.000Z'],
    ['2027-03-31T18:00:00Z', '2027-03-31T18:00:00.000Z'],
    ['2027-03-31t18:00:00z', '2027-03-31T18:00:00.000Z'],
    ['2027-03-31T18:00:00.250+02:00', '2027-03-31T16:00:00.250Z'],
    ['2027-03-31T23:30:00-05:30', '2027-04-01T05:00:00.000Z'],
  ])('%s is void from %s', (text, instant) => {
    expect(new Date(expiryInstant(text)!).toISOString()).toBe(instant);
  });

  it.each(['2027-02-29', '2027-13-01', '2027-04-31', '2027-03-31T24:00:00Z', '2027-03-31T18:00:00', '2027-03-31 18:00:00Z', '31.03.2027', 'tomorrow', '2027-3-31', ''])(
    '%j is not an RFC 3339 date or date-time',
    (text) => {
      expect(expiryInstant(text)).toBeUndefined();
    },
  );
});

function problems(raw: unknown): string {
  try {
    compileConfig(raw, 'config.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('exceptions in the config', () => {
  it('reads an unquoted YAML date as the date it says (not a timestamp)', () => {
    const config = parseConfigText(
      'exceptions:\n  - name: legacy-billing\n    rules: [pod-service-account]\n    namespaces: [billing]\n    expires: 2027-03-31\n    reason: TICKET-1234\n',
      'config.yaml',
    );
    expect(config.exceptionList[0]!.expires).toBe('2027-03-31');
    expect(new Date(config.exceptionList[0]!.expiresAt).toISOString()).toBe('2027-04-01T00:00:00.000Z');
  });

  it.each([
    ['a missing reason', { ...EXCEPTION, reason: undefined }, 'exceptions[0].reason: is required'],
    ['a blank reason', { ...EXCEPTION, reason: '  ' }, 'exceptions[0].reason: must say why the exception exists'],
    ['a missing expiry', { ...EXCEPTION, expires: undefined }, 'exceptions[0].expires: is required'],
    ['a malformed expiry', { ...EXCEPTION, expires: 'next spring' }, 'exceptions[0].expires: must be an RFC 3339 date or date-time'],
    ['a day that does not exist', { ...EXCEPTION, expires: '2027-02-30' }, 'exceptions[0].expires: "2027-02-30" is not an RFC 3339 date or date-time'],
    ['an unknown rule id', { ...EXCEPTION, rules: ['pod-service-acount'] }, 'exceptions[0].rules[0]: must be one of "netpol-provisioning"'],
    ['an unknown rule id, quoted', { ...EXCEPTION, rules: ['pod-service-acount'] }, '(got "pod-service-acount")'],
    ['a malformed expiry, quoted', { ...EXCEPTION, expires: 'next spring' }, '(got "next spring")'],
    ['no rules', { ...EXCEPTION, rules: [] }, 'exceptions[0].rules: must NOT have fewer than 1 items'],
    ['no namespaces', { ...EXCEPTION, namespaces: undefined }, 'exceptions[0].namespaces: is required'],
    ['an unknown key', { ...EXCEPTION, namespace: ['billing'] }, 'exceptions[0].namespace: unknown key'],
    ['a bare kind netguard does not know', { ...EXCEPTION, kinds: ['CiliumNetworkPolicy'] }, 'exceptions[0].kinds[0]: "CiliumNetworkPolicy" is not a Kubernetes kind netguard judges; name other kinds with their API group'],
    ['a lowercase kind', { ...EXCEPTION, kinds: ['deployment'] }, 'exceptions[0].kinds[0]: must be a Kind'],
    ['a name with a comma (annotation values list names comma-separated)', { ...EXCEPTION, name: 'a,b' }, 'exceptions[0].name: must be letters, digits'],
  ])('refuses %s, naming the key path', (_what, exception, message) => {
    expect(problems({ exceptions: [exception] })).toContain(message);
  });

  it('refuses two exceptions with one name', () => {
    expect(problems({ exceptions: [EXCEPTION, { ...EXCEPTION, namespaces: ['shop'] }] })).toContain(
      'exceptions[1].name: "legacy-billing" is already the name of exceptions[0]; names must be unique',
    );
  });

  it('every rule id of the schema is a rule id netguard has, and the other way round', async () => {
    const { RULE_IDS } = await import('../../src/config/types.js');
    const { CONFIG_SCHEMA } = await import('../../src/config/load.js');
    expect(CONFIG_SCHEMA.definitions.ruleId.enum).toEqual([...RULE_IDS]);
    // every rule takes the same settings: true, false or a cap
    expect(CONFIG_SCHEMA.properties.rules.properties).toEqual(Object.fromEntries(RULE_IDS.map((id) => [id, { $ref: '#/definitions/ruleSetting' }])));
  });
});

describe('rule caps in the config', () => {
  it('reads true, false and the modes enforce, warn and audit', () => {
    const config = compileConfig({ rules: { 'pod-service-account': 'warn', 'namespace-default-deny': 'audit', 'netpol-trusted-cidrs': 'enforce', 'rbac-netpol-grant': false } }, 'c');
    expect(config.ruleCaps).toEqual({ 'pod-service-account': 'warn', 'namespace-default-deny': 'audit', 'netpol-trusted-cidrs': 'enforce' });
    expect(config.rules['rbac-netpol-grant']).toBe(false);
  });

  it.each(['disabled', 'off', 'yes'])('refuses %j as a rule setting', (value) => {
    expect(problems({ rules: { 'pod-service-account': value } })).toContain(`rules.pod-service-account: must be one of true, false, "enforce", "warn", "audit" (got "${value}")`);
  });
});
