// Which violations an exception covers: rules, namespace globs (and cluster-scoped objects), kinds,
// name globs, requesters by username or group, and the expiry boundary, as a table.
import { describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { compileConfig } from '../../src/config/load.js';
import type { RuleId } from '../../src/config/types.js';
import { applyExceptions, expiredExceptions, formatExcepted } from '../../src/exceptions/apply.js';
import type { Violation } from '../../src/rules/types.js';
import { binding, namespace, pod } from '../support/kube-objects.js';
import { makeRequest } from '../support/requests.js';

const BASE = {
  name: 'legacy-billing',
  rules: ['pod-service-account'],
  namespaces: ['billing'],
  expires: '2027-03-31',
  reason: 'TICKET-1234 moving to its own ServiceAccount',
};

const deployment = (ns: string, name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { template: { spec: { containers: [] } } },
});
const calicoPolicy = (ns: string): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: ns } });
const k8sPolicy = (ns: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: ns } });

const violation = (rule: RuleId): Violation => ({ rule, message: `${rule} found something (here). Fix it.` });
const NOON_BEFORE = Date.parse('2027-03-31T12:00:00Z');

interface Case {
  what: string;
  exception?: Record<string, unknown>;
  request: AdmissionRequest;
  rule?: RuleId;
  now?: number;
  covered: boolean;
}

const CASES: Case[] = [
  { what: 'the named rule in the named namespace', request: makeRequest(pod('billing', 'web')), covered: true },
  { what: 'another rule', request: makeRequest(pod('billing', 'web')), rule: 'namespace-default-deny', covered: false },
  { what: 'another namespace', request: makeRequest(pod('shop', 'web')), covered: false },
  { what: 'a namespace glob', exception: { namespaces: ['team-*'] }, request: makeRequest(pod('team-a', 'web')), covered: true },
  { what: 'a glob that does not match', exception: { namespaces: ['team-?'] }, request: makeRequest(pod('team-ab', 'web')), covered: false },
  // cluster-scoped objects: only an exception for every namespace ("*") covers them
  {
    what: 'a cluster-scoped object under a namespace list',
    exception: { rules: ['rbac-netpol-grant'], namespaces: ['billing'] },
    request: makeRequest(binding(undefined, 'crb', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'bob' }])),
    rule: 'rbac-netpol-grant',
    covered: false,
  },
  {
    what: 'a cluster-scoped object under a glob that matches every name but is not "*"',
    exception: { rules: ['namespace-mode-label'], namespaces: ['b*', '?*'] },
    request: makeRequest(namespace('billing', 'disabled')),
    rule: 'namespace-mode-label',
    covered: false,
  },
  {
    what: 'a cluster-scoped object under "*"',
    exception: { rules: ['rbac-netpol-grant'], namespaces: ['*'] },
    request: makeRequest(binding(undefined, 'crb', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'bob' }])),
    rule: 'rbac-netpol-grant',
    covered: true,
  },
  {
    what: 'a cluster-wide policy resource (no namespace) is not guessed to be in "default"',
    exception: { rules: ['netpol-provisioning'], namespaces: ['default'] },
    request: makeRequest({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' } }, { namespace: '' }),
    rule: 'netpol-provisioning',
    covered: false,
  },
  { what: 'a bare kind that matches', exception: { kinds: ['Deployment'] }, request: makeRequest(deployment('billing', 'api')), covered: true },
  { what: 'a bare kind that does not match', exception: { kinds: ['Deployment'] }, request: makeRequest(pod('billing', 'web')), covered: false },
  {
    what: 'a bare NetworkPolicy is networking.k8s.io only, not Calico',
    exception: { rules: ['netpol-provisioning'], kinds: ['NetworkPolicy'] },
    request: makeRequest(calicoPolicy('billing')),
    rule: 'netpol-provisioning',
    covered: false,
  },
  {
    what: 'a bare NetworkPolicy covers the Kubernetes one',
    exception: { rules: ['netpol-provisioning'], kinds: ['NetworkPolicy'] },
    request: makeRequest(k8sPolicy('billing')),
    rule: 'netpol-provisioning',
    covered: true,
  },
  {
    what: 'group/Kind names another API',
    exception: { rules: ['netpol-provisioning'], kinds: ['projectcalico.org/NetworkPolicy'] },
    request: makeRequest(calicoPolicy('billing')),
    rule: 'netpol-provisioning',
    covered: true,
  },
  { what: 'a name glob that matches', exception: { names: ['billing-*'] }, request: makeRequest(pod('billing', 'billing-api')), covered: true },
  { what: 'a name glob that does not match', exception: { names: ['billing-*'] }, request: makeRequest(pod('billing', 'web')), covered: false },
  {
    what: 'a name glob against a generateName when no name is given',
    exception: { names: ['billing-*'] },
    request: makeRequest({ ...pod('billing', ''), metadata: { generateName: 'billing-api-', namespace: 'billing' } }),
    covered: true,
  },
  { what: 'empty optional lists place no restriction', exception: { kinds: [], names: [], requesters: [] }, request: makeRequest(pod('billing', 'web')), covered: true },
  {
    what: 'a requester by username',
    exception: { requesters: ['ci@example.com'] },
    request: makeRequest(pod('billing', 'web'), { user: { username: 'ci@example.com', groups: [] } }),
    covered: true,
  },
  {
    what: 'a requester by group',
    exception: { requesters: ['deployers'] },
    request: makeRequest(pod('billing', 'web'), { user: { username: 'eve', groups: ['system:authenticated', 'deployers'] } }),
    covered: true,
  },
  {
    what: 'someone who is not a named requester',
    exception: { requesters: ['ci@example.com', 'deployers'] },
    request: makeRequest(pod('billing', 'web'), { user: { username: 'eve', groups: ['system:authenticated'] } }),
    covered: false,
  },
  {
    what: 'nobody asking (audit, check without --as) is not a named requester',
    exception: { requesters: ['ci@example.com'] },
    request: makeRequest(pod('billing', 'web'), { user: {} }),
    covered: false,
  },
  // a date is valid through the end of that day, UTC
  { what: 'a date, on its last millisecond', request: makeRequest(pod('billing', 'web')), now: Date.parse('2027-03-31T23:59:59.999Z'), covered: true },
  { what: 'a date, at the next midnight UTC', request: makeRequest(pod('billing', 'web')), now: Date.parse('2027-04-01T00:00:00Z'), covered: false },
  // a date-time is void from that instant
  {
    what: 'a date-time, one millisecond before',
    exception: { expires: '2027-03-31T18:00:00+02:00' },
    request: makeRequest(pod('billing', 'web')),
    now: Date.parse('2027-03-31T15:59:59.999Z'),
    covered: true,
  },
  {
    what: 'a date-time, exactly at it',
    exception: { expires: '2027-03-31T18:00:00+02:00' },
    request: makeRequest(pod('billing', 'web')),
    now: Date.parse('2027-03-31T16:00:00Z'),
    covered: false,
  },
];

describe('exception matching', () => {
  it.each(CASES)('$what → covered: $covered', ({ exception, request, rule = 'pod-service-account', now = NOON_BEFORE, covered }) => {
    const config = compileConfig({ exceptions: [{ ...BASE, ...exception }] }, 'config.yaml');
    const judged = applyExceptions(request, [violation(rule)], config, now);
    expect(judged.excepted.length).toBe(covered ? 1 : 0);
    expect(judged.violations.length).toBe(covered ? 0 : 1);
  });

  it('covers only the rules it names: other violations of the same review still count', () => {
    const config = compileConfig({ exceptions: [BASE] }, 'config.yaml');
    const judged = applyExceptions(makeRequest(pod('billing', 'web')), [violation('namespace-default-deny'), violation('pod-service-account')], config, NOON_BEFORE);
    expect(judged.violations.map((v) => v.rule)).toEqual(['namespace-default-deny']);
    expect(judged.excepted.map((e) => [e.violation.rule, e.exception.name])).toEqual([['pod-service-account', 'legacy-billing']]);
  });

  it('the first exception in config order that covers a violation is the one named', () => {
    const config = compileConfig(
      { exceptions: [{ ...BASE, name: 'old', expires: '2020-01-01' }, { ...BASE, name: 'first' }, { ...BASE, name: 'second' }] },
      'config.yaml',
    );
    const judged = applyExceptions(makeRequest(pod('billing', 'web')), [violation('pod-service-account')], config, NOON_BEFORE);
    expect(judged.excepted[0]!.exception.name).toBe('first');
    expect(expiredExceptions(config, NOON_BEFORE).map((e) => e.name)).toEqual(['old']);
  });

  it('says which exception, until when and why, then the violation', () => {
    const config = compileConfig({ exceptions: [BASE] }, 'config.yaml');
    const [entry] = applyExceptions(makeRequest(pod('billing', 'web')), [violation('pod-service-account')], config, NOON_BEFORE).excepted;
    expect(formatExcepted(entry!)).toBe(
      'pod-service-account: excepted by "legacy-billing" until 2027-03-31 (TICKET-1234 moving to its own ServiceAccount): pod-service-account found something (here). Fix it.',
    );
  });
});
