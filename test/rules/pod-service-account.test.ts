import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { podServiceAccount as rule } from '../../src/rules/pod-service-account.js';
import { config, deepFreeze, GARBAGE, request, run, store, wellFormed } from './rule-helpers.js';

const podSpec = (sa: Record<string, unknown>) => ({ ...sa, containers: [{ name: 'main', image: 'busybox' }] });
const template = (sa: Record<string, unknown>) => ({ template: { spec: podSpec(sa) } });

function object(kind: string, sa: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  const metadata = { name: 'x', namespace: 'shop', ...(annotations ? { annotations } : {}) };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata, spec: podSpec(sa) };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata, spec: template(sa) };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata, spec: template(sa) };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '* * * * *', jobTemplate: { spec: template(sa) } } };
    default:
      return { apiVersion: 'apps/v1', kind, metadata, spec: template(sa) };
  }
}

const KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'];

describe('pod-service-account', () => {
  it('declares what it judges', () => {
    const keys = rule.intercepts.flatMap((i) => i.operations.map((o) => `${i.group}/${i.kind}/${o}`));
    expect(keys).toContain('/Pod/CREATE');
    expect(keys).not.toContain('/Pod/UPDATE');
    for (const kind of KINDS.slice(1)) {
      expect(keys.filter((k) => k.includes(`/${kind}/`)).map((k) => k.split('/')[2])).toEqual(['CREATE', 'UPDATE']);
    }
  });

  it.each(
    KINDS.flatMap((kind) => [
      [kind, 'serviceAccountName unset', {}, false],
      [kind, 'serviceAccountName default', { serviceAccountName: 'default' }, false],
      [kind, 'deprecated serviceAccount default', { serviceAccount: 'default' }, false],
      [kind, 'dedicated serviceAccountName', { serviceAccountName: 'web' }, true],
      [kind, 'dedicated deprecated serviceAccount', { serviceAccount: 'web' }, true],
      [kind, 'serviceAccountName wins over the deprecated field', { serviceAccountName: 'web', serviceAccount: 'default' }, true],
      [kind, 'empty serviceAccountName falls back to the deprecated field', { serviceAccountName: '', serviceAccount: 'web' }, true],
      [kind, 'non-string serviceAccountName means default', { serviceAccountName: 5 }, false],
    ] as const),
  )('%s: %s', (kind, _name, sa, allowed) => {
    const found = run(rule, request(object(kind, sa)), store(), config());
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) expect(wellFormed(v)).toBe(true);
  });

  it.each<[string, KubeObject, Operation, boolean]>([
    ['mirror pod on default is exempt', object('Pod', {}, { 'kubernetes.io/config.mirror': 'abc' }), 'CREATE', true],
    ['mirror annotation on a Deployment does not exempt it', object('Deployment', {}, { 'kubernetes.io/config.mirror': 'abc' }), 'CREATE', false],
    ['Deployment UPDATE to default', object('Deployment', {}), 'UPDATE', false],
    ['a kind in the wrong group is not judged', { ...object('Deployment', {}), apiVersion: 'example.com/v1' }, 'CREATE', true],
  ])('%s', (_name, obj, operation, allowed) => {
    const req = request(obj, { operation, ...(operation === 'UPDATE' ? { oldObject: obj } : {}) });
    expect(run(rule, req, store(), config())).toHaveLength(allowed ? 0 : 1);
  });

  it.each<[string, Record<string, unknown>, string, boolean]>([
    ['a custom list replaces default', { serviceAccounts: { disallowed: ['builder'] } }, 'default', true],
    ['a custom list refuses its own', { serviceAccounts: { disallowed: ['builder'] } }, 'builder', false],
    ['an empty list refuses nothing', { serviceAccounts: { disallowed: [] } }, 'default', true],
  ])('config: %s', (_name, overrides, sa, allowed) => {
    expect(run(rule, request(object('Pod', { serviceAccountName: sa })), store(), config(overrides))).toHaveLength(allowed ? 0 : 1);
  });

  it('names the object, the account, the namespace and the field', () => {
    const [pod] = run(rule, request(object('Pod', {})), store(), config());
    expect(pod?.message).toBe(
      'Pod "x" runs under ServiceAccount "default", which is disallowed (namespace "shop", spec.serviceAccountName, unset so "default" is used). ' +
        'Create a dedicated ServiceAccount with only the permissions this workload needs and set spec.serviceAccountName to it.',
    );
    const [cron] = run(rule, request(object('CronJob', { serviceAccount: 'default' })), store(), config());
    expect(cron?.message).toContain('spec.jobTemplate.spec.template.spec.serviceAccount (deprecated)');
  });

  it.each(GARBAGE.map((g) => [g]))('never throws on malformed specs (%j)', (g) => {
    for (const kind of KINDS) {
      const shapes = [
        { ...object(kind, {}), spec: g },
        { ...object(kind, {}), metadata: g },
        { ...object(kind, {}), spec: { template: g, jobTemplate: { spec: g } } },
        { ...object(kind, {}), metadata: { name: 'x', annotations: g } },
      ] as KubeObject[];
      for (const shape of shapes) expect(() => run(rule, deepFreeze(request(shape)), store(), config())).not.toThrow();
    }
  });
});
