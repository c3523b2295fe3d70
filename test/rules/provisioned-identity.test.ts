import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { provisionedIdentity as rule } from '../../src/rules/provisioned-identity.js';
import { ALICE, BOB, config, deepFreeze, GARBAGE, pod, request, run, wellFormed } from './rule-helpers.js';

const workload = (kind: string, apiVersion: string, serviceAccountName: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'w', namespace: 'gitops' },
  spec: { template: { spec: { serviceAccountName, containers: [] } } },
});

describe('provisioned-identity', () => {
  it('declares what it judges', () => {
    expect(rule.judgesRequester).toBe(true);
    expect(rule.needs).toEqual([]);
    expect(rule.intercepts.map((i) => `${i.group}/${i.kind}:${i.operations.join(',')}`)).toEqual([
      '/Pod:CREATE',
      'apps/Deployment:CREATE,UPDATE',
      'apps/ReplicaSet:CREATE,UPDATE',
      'apps/StatefulSet:CREATE,UPDATE',
      'apps/DaemonSet:CREATE,UPDATE',
      'batch/Job:CREATE,UPDATE',
      'batch/CronJob:CREATE,UPDATE',
      '/ReplicationController:CREATE,UPDATE',
    ]);
  });

  const argo = 'argocd-application-controller';
  it.each<[string, KubeObject, UserInfo, boolean]>([
    ['pod as the provisioned SA by bob', pod('gitops', 'p', argo), BOB, false],
    ['pod as the provisioned SA by alice', pod('gitops', 'p', argo), ALICE, true],
    ['pod as the provisioned SA by the SA itself', pod('gitops', 'p', argo), { username: `system:serviceaccount:gitops:${argo}` }, true],
    ['pod as the provisioned SA by a team-* provisioner outside its namespaces', pod('gitops', 'p', argo), { username: 'carol@example.com' }, false],
    ['pod by the replicaset controller', pod('gitops', 'p', argo), { username: 'system:serviceaccount:kube-system:replicaset-controller' }, true],
    ['pod by a controller-named SA elsewhere', pod('gitops', 'p', argo), { username: 'system:serviceaccount:default:job-controller' }, false],
    ['pod on another SA', pod('gitops', 'p', 'web'), BOB, true],
    ['pod on default', pod('gitops', 'p'), BOB, true],
    ['same SA name in another namespace', pod('shop', 'p', argo), BOB, true],
    ['the team-a deployer by carol (team-* provisioner)', pod('team-a', 'p', 'deployer'), { username: 'carol@example.com' }, true],
    ['the team-a deployer by bob', pod('team-a', 'p', 'deployer'), BOB, false],
    ['Deployment template', workload('Deployment', 'apps/v1', argo), BOB, false],
    ['StatefulSet template', workload('StatefulSet', 'apps/v1', argo), BOB, false],
    ['an apps/v1-looking kind of another group', workload('Deployment', 'example.com/v1', argo), BOB, true],
  ])('%s', (_name, object, user, allowed) => {
    const found = run(rule, request(object, { user }), undefined, config());
    expect(found).toHaveLength(allowed ? 0 : 1);
    for (const v of found) expect(wellFormed(v)).toBe(true);
  });

  it('says who, which identity and where', () => {
    const [v] = run(rule, request(pod('gitops', 'borrow', argo), { user: BOB }));
    expect(v?.message).toBe(
      `"bob@example.com" (groups: system:authenticated) is not provisioned for namespace "gitops" and may not run Pod "borrow" as the provisioned ServiceAccount "gitops/${argo}", which may write network policy (spec.serviceAccountName). ` +
        'Use a ServiceAccount of its own, or have a provisioner for "gitops" apply it.',
    );
  });

  it.each(GARBAGE.map((g, i) => [i, g] as const))('malformed shape %i does not throw', (_i, g) => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'gitops' }, spec: g } as KubeObject;
    const req = deepFreeze(request(object, { user: g as UserInfo }));
    expect(() => run(rule, req)).not.toThrow();
  });
});
