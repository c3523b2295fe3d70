// The response builder with rule caps, violations judged in their own mode, and exceptions: each
// violation lands in the less strict of its mode and its rule's cap; a cap never makes anything
// stricter; an excepted violation becomes a warning naming the exception plus the `exception`
// audit annotation.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/admission/response.js';
import { compileConfig } from '../../src/config/load.js';
import type { Mode } from '../../src/config/types.js';
import type { ExceptedViolation } from '../../src/exceptions/apply.js';
import type { Violation } from '../../src/rules/types.js';

const sa: Violation = { rule: 'pod-service-account', message: 'Pod "a" runs under ServiceAccount "default" (shop). Give it its own.' };
const deny: Violation = { rule: 'namespace-default-deny', message: 'namespace "shop" has no default-deny (shop). Add one.' };

const caps = (rules: Record<string, unknown>) => compileConfig({ rules }, 'c').ruleCaps;

function excepted(name: string, violation: Violation = sa): ExceptedViolation {
  const config = compileConfig({ exceptions: [{ name, rules: [violation.rule], namespaces: ['shop'], expires: '2027-03-31', reason: `TICKET-${name}` }] }, 'c');
  return { violation, exception: config.exceptionList[0]! };
}

describe('rule caps', () => {
  it('pod-service-account: warn warns in an enforced namespace while the other rules keep enforcing', () => {
    const { response, wouldDeny } = decide('u', { mode: 'enforce', dryRun: false, violations: [sa, deny], ruleCaps: caps({ 'pod-service-account': 'warn' }) });
    expect(wouldDeny).toBe(true);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`namespace-default-deny: ${deny.message}`);
    expect(response.warnings).toEqual([`pod-service-account: ${sa.message}`]);
    expect(response.auditAnnotations).toEqual({ 'namespace-default-deny': deny.message });
  });

  it('a rule capped at warn alone allows', () => {
    const { response, wouldDeny } = decide('u', { mode: 'enforce', dryRun: false, violations: [sa], ruleCaps: caps({ 'pod-service-account': 'warn' }) });
    expect(wouldDeny).toBe(false);
    expect(response).toEqual({ uid: 'u', allowed: true, warnings: [`pod-service-account: ${sa.message}`] });
  });

  it('a rule capped at audit is annotated only', () => {
    const { response } = decide('u', { mode: 'enforce', dryRun: false, violations: [sa], ruleCaps: caps({ 'pod-service-account': 'audit' }) });
    expect(response).toEqual({ uid: 'u', allowed: true, auditAnnotations: { 'pod-service-account': sa.message } });
  });

  // the cap never makes things stricter: the less strict of cap and mode wins
  it.each<[Mode, string, 'denied' | 'warned' | 'annotated']>([
    ['warn', 'enforce', 'warned'],
    ['audit', 'enforce', 'annotated'],
    ['audit', 'warn', 'annotated'],
    ['warn', 'audit', 'annotated'],
    ['enforce', 'warn', 'warned'],
    ['enforce', 'audit', 'annotated'],
    ['enforce', 'enforce', 'denied'],
    ['warn', 'warn', 'warned'],
  ])('namespace mode %s, rule capped at %s: %s', (mode, cap, outcome) => {
    const { response } = decide('u', { mode, dryRun: false, violations: [sa], ruleCaps: caps({ 'pod-service-account': cap }) });
    const seen = response.allowed === false ? 'denied' : response.warnings ? 'warned' : response.auditAnnotations ? 'annotated' : 'nothing';
    expect(seen).toBe(outcome);
  });

  it("a violation judged in its own mode is still lowered by its rule's cap", () => {
    const own: Violation = { ...sa, mode: 'enforce' };
    expect(decide('u', { mode: 'audit', dryRun: false, violations: [own] }).response.allowed).toBe(false);
    expect(decide('u', { mode: 'audit', dryRun: false, violations: [own], ruleCaps: caps({ 'pod-service-account': 'warn' }) }).response).toEqual({
      uid: 'u',
      allowed: true,
      warnings: [`pod-service-account: ${sa.message}`],
    });
  });
});

describe('exceptions in the answer', () => {
  it('an excepted violation is allowed with a warning naming the exception and its expiry, and the exception annotation', () => {
    const { response, wouldDeny } = decide('u', { mode: 'enforce', dryRun: false, violations: [], excepted: [excepted('legacy-billing')] });
    expect(wouldDeny).toBe(false);
    expect(response).toEqual({
      uid: 'u',
      allowed: true,
      warnings: [`pod-service-account: excepted by "legacy-billing" until 2027-03-31 (TICKET-legacy-billing): ${sa.message}`],
      auditAnnotations: { exception: 'legacy-billing' },
    });
  });

  it('a violation no exception covers still denies, beside the excepted one', () => {
    const { response } = decide('u', { mode: 'enforce', dryRun: false, violations: [deny], excepted: [excepted('legacy-billing')] });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`namespace-default-deny: ${deny.message}`);
    expect(response.auditAnnotations).toEqual({ 'namespace-default-deny': deny.message, exception: 'legacy-billing' });
    expect(response.warnings).toHaveLength(1);
  });

  it('several exceptions: the annotation lists their names comma-separated, each once', () => {
    const { response } = decide('u', {
      mode: 'warn',
      dryRun: false,
      violations: [],
      excepted: [excepted('a'), excepted('b', deny), excepted('a')],
    });
    expect(response.auditAnnotations).toEqual({ exception: 'a,b' });
    expect(response.warnings).toHaveLength(3);
  });

  it('is shown in audit mode too, where the rest is annotations only', () => {
    const { response } = decide('u', { mode: 'audit', dryRun: false, violations: [deny], excepted: [excepted('legacy-billing')] });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringMatching(/^pod-service-account: excepted by "legacy-billing" until 2027-03-31/)]);
    expect(response.auditAnnotations).toEqual({ 'namespace-default-deny': deny.message, exception: 'legacy-billing' });
  });
});
