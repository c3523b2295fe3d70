// Controllers' UPDATEs that must never be refused: scaling a workload whose template is unchanged,
// and letting the deletion of an object finish (finalizer removal).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { Engine } from '../../src/rules/engine.js';
import { config, DENY_ALL, namespace, netpol, request, store } from './rule-helpers.js';

const engine = new Engine();
const CONTROLLER = { username: 'system:serviceaccount:kube-system:deployment-controller', groups: ['system:serviceaccounts'] };
const GC = { username: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:serviceaccounts'] };
const cluster = store(namespace('shop', { 'netguard.io/mode': 'enforce' }), netpol('shop', 'deny-all', DENY_ALL));

function replicaSet(replicas: number, templateLabels: Record<string, string> = { app: 'web' }, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-7d9f8b6c4', namespace: 'shop', ...metadata },
    // a legacy template: no serviceAccountName, so "default"
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: templateLabels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
}

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);

describe('a scale that keeps the pod template', () => {
  it.each<[string, KubeObject, KubeObject, string[]]>([
    ['scaled down by the Deployment controller', replicaSet(0), replicaSet(3), []],
    ['scaled up, with the controller’s annotations changed too', replicaSet(5, undefined, { annotations: { 'deployment.kubernetes.io/desired-replicas': '5' } }), replicaSet(3), []],
    ['the template changed as well: judged', replicaSet(0, { app: 'web', restartedAt: 'now' }), replicaSet(3), ['pod-service-account']],
    ['replicas unchanged: judged', replicaSet(3), replicaSet(3), ['pod-service-account']],
  ])('%s', (_name, object, oldObject, expected) => {
    const found = engine.evaluate(request(object, { operation: 'UPDATE', oldObject, user: CONTROLLER }), cluster, config());
    expect(rulesOf(found)).toEqual(expected);
  });

  it('a CREATE with replicas is judged as always', () => {
    expect(rulesOf(engine.evaluate(request(replicaSet(3), { user: CONTROLLER }), cluster, config()))).toEqual(['pod-service-account']);
  });

  it('an UPDATE without an old object is judged', () => {
    expect(rulesOf(engine.evaluate(request(replicaSet(0), { operation: 'UPDATE', user: CONTROLLER }), cluster, config()))).toEqual(['pod-service-account']);
  });
});

describe('an update that only lets a deletion finish', () => {
  const deleting = { deletionTimestamp: '2026-11-22T10:00:00Z', deletionGracePeriodSeconds: 0 };
  const allowAll = { podSelector: {}, ingress: [{}] };
  const policy = (spec: unknown, metadata: Record<string, unknown>) => ({ ...netpol('shop', 'web', spec), metadata: { name: 'web', namespace: 'shop', ...metadata } }) as KubeObject;

  it.each<[string, KubeObject, KubeObject, string[]]>([
    [
      'the garbage collector removes foregroundDeletion from a Deployment',
      { ...replicaSet(3, undefined, { ...deleting, finalizers: [] }), kind: 'Deployment' },
      { ...replicaSet(3, undefined, { ...deleting, finalizers: ['foregroundDeletion'] }), kind: 'Deployment' },
      [],
    ],
    [
      'a finalizer is removed from a NetworkPolicy being deleted',
      policy(allowAll, { ...deleting, finalizers: [], resourceVersion: '12' }),
      policy(allowAll, { ...deleting, finalizers: ['example.com/cleanup'], resourceVersion: '11' }),
      [],
    ],
    [
      'the spec of a NetworkPolicy being deleted changes: judged',
      policy({ podSelector: {}, ingress: [{}], egress: [{}] }, { ...deleting, finalizers: ['example.com/cleanup'] }),
      policy(allowAll, { ...deleting, finalizers: ['example.com/cleanup'] }),
      ['netpol-provisioning'],
    ],
    [
      'its labels change: judged',
      policy(allowAll, { ...deleting, labels: { team: 'other' } }),
      policy(allowAll, { ...deleting }),
      ['netpol-provisioning'],
    ],
    [
      'a finalizer is removed from an object not being deleted: judged',
      policy(allowAll, { finalizers: [] }),
      policy(allowAll, { finalizers: ['example.com/cleanup'] }),
      ['netpol-provisioning'],
    ],
  ])('%s', (_name, object, oldObject, expected) => {
    const found = engine.evaluate(request(object, { operation: 'UPDATE', oldObject, user: GC }), cluster, config());
    expect(rulesOf(found)).toEqual(expected);
  });
});

describe('hostile input', () => {
  const deep = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < levels; i++) value = { next: value };
    return value;
  };

  it('objects nested too deep to compare are judged as usual, not an error', () => {
    const object = replicaSet(0);
    const oldObject = replicaSet(3);
    (object['spec'] as Record<string, unknown>)['template'] = deep(200_000);
    (oldObject['spec'] as Record<string, unknown>)['template'] = deep(200_000);
    expect(rulesOf(engine.evaluate(request(object, { operation: 'UPDATE', oldObject, user: CONTROLLER }), cluster, config()))).toEqual(['pod-service-account']);

    const terminating = { deletionTimestamp: '2026-11-22T10:00:00Z' };
    const policy = { ...netpol('shop', 'web', deep(200_000)), metadata: { name: 'web', namespace: 'shop', ...terminating } } as KubeObject;
    const before = { ...netpol('shop', 'web', deep(200_000)), metadata: { name: 'web', namespace: 'shop', ...terminating, finalizers: ['x'] } } as KubeObject;
    expect(rulesOf(engine.evaluate(request(policy, { operation: 'UPDATE', oldObject: before, user: GC }), cluster, config()))).toContain('netpol-provisioning');
  });
});
