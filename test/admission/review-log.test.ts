import { describe, expect, it } from 'vitest';
import { logReview, type ReviewLogEntry } from '../../src/admission/review-log.js';
import { createLogger } from '../../src/log.js';

/** Raw lines as the destination receives them. */
function capture(level = 'info') {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return { logger, raw };
}

const base: ReviewLogEntry = {
  uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
  kind: 'Pod',
  namespace: 'shop',
  name: 'checkout-7d9f8b6c4-x2x9k',
  operation: 'CREATE',
  user: 'system:serviceaccount:kube-system:replicaset-controller',
  mode: 'enforce',
  decision: 'denied',
  rules: ['pod-service-account'],
  wouldDeny: false,
  requestDryRun: false,
  durationMs: 0.123,
};

const cases: [string, Partial<ReviewLogEntry>][] = [
  ['a denied pod', {}],
  ['a cluster-scoped object without a namespace', { kind: 'Namespace', namespace: undefined, rules: [] }],
  ['a review without a username', { user: undefined }],
  ['global dry-run and a dry-run request', { decision: 'allowed', wouldDeny: true, requestDryRun: true }],
  ['several rules', { rules: ['rbac-escalation', 'netpol-provisioning'] }],
  ['quotes, backslashes, control characters and unicode in names', { name: 'a"b\\c\nd\u0001e', user: 'ünïcødé 用户 \u200f', uid: '\u2028x' }],
  ['a lone surrogate', { name: 'x\ud800y' }],
  ['a duration that is not a number', { durationMs: Number.NaN }],
];

describe('the review log line', () => {
  it.each(cases)('is the line logger.info would write: %s', (_name, change) => {
    const entry = { ...base, ...change };
    const fast = capture();
    logReview(fast.logger, entry, true);
    const generic = capture();
    generic.logger.info(
      { ...entry, namespace: entry.namespace, user: entry.user, wouldDeny: entry.wouldDeny || undefined, requestDryRun: entry.requestDryRun || undefined },
      'review',
    );
    expect(fast.raw).toHaveLength(1);
    expect(fast.raw[0]!.endsWith('}\n')).toBe(true);
    const ours = JSON.parse(fast.raw[0]!) as Record<string, unknown>;
    const pinos = JSON.parse(generic.raw[0]!) as Record<string, unknown>;
    // same keys in the same order, same values (the clock may tick between the two lines)
    expect(Object.keys(ours)).toEqual(Object.keys(pinos));
    expect({ ...ours, time: 'T' }).toEqual({ ...pinos, time: 'T' });
  });

  it('starts like every netguard line: level, ISO time, app', () => {
    const { logger, raw } = capture();
    logReview(logger, base, true);
    expect(raw[0]).toMatch(/^\{"level":"info","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","app":"netguard","uid":/);
  });

  it('carries a child logger’s bindings', () => {
    const { logger, raw } = capture();
    logReview(logger.child({ component: 'webhook' }), base, true);
    expect(JSON.parse(raw[0]!)).toMatchObject({ app: 'netguard', component: 'webhook', msg: 'review' });
  });

  it('is not written below info', () => {
    const { logger, raw } = capture('warn');
    logReview(logger, base, true);
    expect(raw).toEqual([]);
  });

  it('without a finding: written at debug, as logger.debug would, and not at info', () => {
    const entry: ReviewLogEntry = { ...base, decision: 'allowed', rules: [] };
    const atInfo = capture('info');
    logReview(atInfo.logger, entry, false);
    expect(atInfo.raw).toEqual([]);
    const fast = capture('debug');
    logReview(fast.logger, entry, false);
    const generic = capture('debug');
    generic.logger.debug({ ...entry, wouldDeny: undefined, requestDryRun: undefined }, 'review');
    expect({ ...JSON.parse(fast.raw[0]!), time: 'T' }).toEqual({ ...JSON.parse(generic.raw[0]!), time: 'T' });
    expect(JSON.parse(fast.raw[0]!)).toMatchObject({ level: 'debug' });
  });
});
