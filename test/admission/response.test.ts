// The mode × violations table (SPEC "Modes"), one cell at a time.
import { describe, expect, it } from 'vitest';
import { decide, internalErrorResponse, malformedResponse, reviewResponse } from '../../src/admission/response.js';
import type { Violation } from '../../src/rules/types.js';

const deny: Violation = { rule: 'pod-service-account', message: 'Pod "a" runs as "default". Use its own.' };
const deny2: Violation = { rule: 'pod-service-account', message: 'second.' };
const info: Violation = { rule: 'namespace-default-deny', message: 'pods would be refused.', warningOnly: true };

describe('decide', () => {
  it('no violations: allowed, nothing else, in every mode', () => {
    for (const mode of ['enforce', 'warn', 'audit', 'disabled'] as const) {
      expect(decide('u', { mode, dryRun: false, violations: [] })).toEqual({ response: { uid: 'u', allowed: true }, wouldDeny: false });
    }
  });

  it('enforce denies with every message, annotations joined per rule', () => {
    const { response, wouldDeny } = decide('u', { mode: 'enforce', dryRun: false, violations: [deny, info, deny2] });
    expect(wouldDeny).toBe(true);
    expect(response).toEqual({
      uid: 'u',
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: `pod-service-account: ${deny.message}\npod-service-account: second.` },
      warnings: ['namespace-default-deny: pods would be refused.'],
      auditAnnotations: { 'pod-service-account': `${deny.message}; second.` },
    });
  });

  it('disabled ignores violations handed to it', () => {
    expect(decide('u', { mode: 'disabled', dryRun: false, violations: [deny] }).response).toEqual({ uid: 'u', allowed: true });
  });

  it('the unknown-label warning comes first, in every evaluated mode', () => {
    for (const mode of ['enforce', 'warn', 'audit'] as const) {
      const { response } = decide('u', { mode, dryRun: false, violations: [], modeWarning: 'label is odd.' });
      expect(response.warnings).toEqual(['label is odd.']);
    }
  });

  it('warnings never hold line breaks (they travel in HTTP Warning headers)', () => {
    const { response } = decide('u', { mode: 'warn', dryRun: false, violations: [{ rule: 'pod-service-account', message: 'line one\n  line two' }] });
    expect(response.warnings).toEqual(['pod-service-account: line one line two']);
  });

  it('dry-run in warn or audit changes nothing (they never deny anyway)', () => {
    for (const mode of ['warn', 'audit'] as const) {
      expect(decide('u', { mode, dryRun: true, violations: [deny] })).toEqual(decide('u', { mode, dryRun: false, violations: [deny] }));
    }
  });
});

describe('decide: violations judged in their own mode', () => {
  const inEnforce: Violation = { ...deny, message: 'enforce one.', mode: 'enforce' };
  const inWarn: Violation = { ...deny, message: 'warn one.', mode: 'warn' };
  const inAudit: Violation = { rule: 'rbac-netpol-grant', message: 'audit one.', mode: 'audit' };
  const inDisabled: Violation = { ...deny, message: 'disabled one.', mode: 'disabled' };

  it('a violation in enforce refuses even when the request is judged in warn', () => {
    const { response, wouldDeny } = decide('u', { mode: 'warn', dryRun: false, violations: [inWarn, inEnforce, inAudit, inDisabled] });
    expect(wouldDeny).toBe(true);
    expect(response).toEqual({
      uid: 'u',
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'pod-service-account: enforce one.' },
      warnings: ['pod-service-account: warn one.'],
      auditAnnotations: { 'pod-service-account': 'enforce one.', 'rbac-netpol-grant': 'audit one.' },
    });
  });

  it('a violation in enforce refuses even when the request mode is disabled', () => {
    expect(decide('u', { mode: 'disabled', dryRun: false, violations: [inEnforce] }).response.allowed).toBe(false);
  });

  it('a violation in a less strict mode only warns or annotates inside an enforce request', () => {
    const { response, wouldDeny } = decide('u', { mode: 'enforce', dryRun: false, violations: [inWarn, inDisabled, inAudit] });
    expect(wouldDeny).toBe(false);
    expect(response).toEqual({
      uid: 'u',
      allowed: true,
      warnings: ['pod-service-account: warn one.'],
      auditAnnotations: { 'rbac-netpol-grant': 'audit one.' },
    });
  });

  it('dry-run turns a refusal in its own enforce mode into a warning that says it would be denied', () => {
    const { response, wouldDeny } = decide('u', { mode: 'audit', dryRun: true, violations: [inEnforce] });
    expect(wouldDeny).toBe(true);
    expect(response).toEqual({
      uid: 'u',
      allowed: true,
      warnings: ['would be denied (dry-run): pod-service-account: enforce one.'],
      auditAnnotations: { 'pod-service-account': 'enforce one.' },
    });
  });
});

describe('internalErrorResponse', () => {
  const context = { kind: 'Pod', name: 'web', error: 'boom' };
  it('enforce refuses with 500 InternalError', () => {
    expect(internalErrorResponse('u', { ...context, mode: 'enforce', dryRun: false }).response).toEqual({
      uid: 'u',
      allowed: false,
      status: {
        code: 500,
        reason: 'InternalError',
        message: 'netguard internal error while judging Pod "web": boom. The request was refused because namespace mode is enforce; see the netguard logs.',
      },
    });
  });
  it('other modes and dry-run allow with a warning', () => {
    for (const [mode, dryRun] of [['warn', false], ['audit', false], ['enforce', true]] as const) {
      const { response } = internalErrorResponse('u', { ...context, mode, dryRun });
      expect(response.allowed).toBe(true);
      expect(response.warnings?.[0]).toMatch(/^netguard internal error while judging Pod "web": boom\. The request was allowed without being judged/);
    }
  });
});

describe('envelopes', () => {
  it('malformed: 400 BadRequest in the request apiVersion', () => {
    expect(reviewResponse('admission.k8s.io/v1beta1', malformedResponse('u', 'netguard: malformed AdmissionReview: x'))).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: 'u', allowed: false, status: { code: 400, reason: 'BadRequest', message: 'netguard: malformed AdmissionReview: x' } },
    });
  });
});
