// parseReview: which mistakes leave no uid to answer (HTTP 400) and which get a BadRequest answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReview } from '../../src/admission/review.js';
import { makeRequest } from '../support/requests.js';
import { reviewOf } from '../support/serve.js';
import { pod } from '../support/kube-objects.js';

const good = () => reviewOf(makeRequest(pod('shop', 'web')));

describe('parseReview', () => {
  it('accepts v1 and v1beta1, as text, Buffer or object', () => {
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
      const review = { ...good(), apiVersion };
      for (const body of [review, JSON.stringify(review), Buffer.from(JSON.stringify(review))]) {
        const parsed = parseReview(body);
        expect(parsed.outcome).toBe('ok');
      }
    }
  });

  it('fills a missing userInfo as anonymous rather than refusing', () => {
    const review = good() as unknown as { request: Record<string, unknown> };
    delete review.request['userInfo'];
    const parsed = parseReview(review);
    expect(parsed.outcome === 'ok' && parsed.review.request.userInfo).toEqual({});
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['null', 'null', /the body must be object/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request is missing/],
    ['uid missing', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }, /request\.uid is missing/],
    ['uid empty', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '' } }, /request\.uid must not be empty/],
    ['uid a number', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 7 } }, /request\.uid must be string \(got 7\)/],
  ])('%s → invalid (HTTP 400)', (_name, body, message) => {
    const parsed = parseReview(typeof body === 'string' ? body : JSON.stringify(body));
    expect(parsed.outcome).toBe('invalid');
    expect(parsed.outcome === 'invalid' && parsed.message).toMatch(message);
  });

  it.each([
    ['operation', { operation: 'APPLY' }, 'request.operation must be one of CREATE, UPDATE, DELETE, CONNECT (got "APPLY")'],
    ['kind.kind empty', { kind: { group: '', version: 'v1', kind: '' } }, 'request.kind.kind must not be empty'],
    ['userInfo.extra', { userInfo: { extra: { a: 'b' } } }, 'request.userInfo.extra.a must be array (got a string)'],
    ['oldObject', { oldObject: ['SECRET-VALUE'] }, 'request.oldObject must be object or null (got an array)'],
    ['object', { object: 'SECRET-VALUE' }, 'request.object must be object or null (got a string)'],
    ['userInfo', { userInfo: 7 }, 'request.userInfo must be object (got a number)'],
    ['namespace', { namespace: 3 }, 'request.namespace must be string (got 3)'],
  ])('%s → malformed with the uid kept', (_name, patch, message) => {
    const review = good();
    const request = { ...review.request, ...patch };
    const parsed = parseReview({ ...review, request });
    // the raw request travels along: its usable fields (kind, namespace) tell the mode to answer in
    expect(parsed).toEqual({ outcome: 'malformed', apiVersion: 'admission.k8s.io/v1', uid: review.request.uid, message: `netguard: malformed AdmissionReview: ${message}`, request });
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseReview(JSON.stringify(value));
        expect(['ok', 'invalid', 'malformed']).toContain(parsed.outcome);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('kind', 'operation', 'userInfo', 'object', 'name', 'dryRun', 'subResource'), fc.jsonValue()), (patch) => {
        const review = good();
        const parsed = parseReview({ ...review, request: { ...review.request, ...patch } });
        expect(parsed.outcome).not.toBe('invalid');
      }),
      { numRuns: 300 },
    );
  });
});
