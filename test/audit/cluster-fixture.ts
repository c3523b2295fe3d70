// A cluster with something of everything the audit reports: a Deployment's pods (through its
// ReplicaSet), a CronJob's pod (through its Job), a ReplicaSet nobody owns, a bare pod, an
// unlabelled namespace, an exempt one, and bindings granting network-policy write.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/cluster/objects.js';
import { compileConfig } from '../../src/config/load.js';
import { binding, denyAll, namespace, pod, role } from '../support/kube-objects.js';

const owned = (object: KubeObject, kind: string, apiVersion: string, name: string, uid: string): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, ownerReferences: [{ apiVersion, kind, name, uid, controller: true }] },
});

const replicaSet = (ns: string, name: string, deployment: string) =>
  owned({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns } }, 'Deployment', 'apps/v1', deployment, `uid-deploy-${deployment}`);
const job = (ns: string, name: string, cronJob: string) =>
  owned({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns } }, 'CronJob', 'batch/v1', cronJob, `uid-cron-${cronJob}`);

/** shop: a Deployment's three pods, a CronJob's pod, a bare pod, a pod of an unknown ReplicaSet; lab: unlabelled. */
export const CLUSTER: KubeObject[] = [
  namespace('shop', 'enforce'),
  { ...denyAll('shop'), spec: { podSelector: {}, policyTypes: ['Ingress'] } },
  namespace('lab'),
  namespace('kube-system'),
  replicaSet('shop', 'web-7d9f', 'web'),
  job('shop', 'backup-2911', 'backup'),
  ...['web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c'].map((name) => owned(pod('shop', name), 'ReplicaSet', 'apps/v1', 'web-7d9f', 'uid-rs')),
  owned(pod('shop', 'backup-2911-x'), 'Job', 'batch/v1', 'backup-2911', 'uid-job'),
  owned(pod('shop', 'old-5c-z'), 'ReplicaSet', 'apps/v1', 'old-5c', 'uid-old-rs'),
  pod('shop', 'debug'),
  pod('shop', 'api', 'api'),
  owned(pod('lab', 'toy-1'), 'StatefulSet', 'apps/v1', 'toy', 'uid-toy'),
  role('shop', 'netpol-writer', true),
  binding('shop', 'mallory-writes', { kind: 'Role', name: 'netpol-writer' }, [{ kind: 'User', name: 'mallory' }]),
  binding(undefined, 'devs-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'Group', name: 'devs' }]),
];

export const config = compileConfig({ defaultMode: 'disabled', clusterScopedMode: 'enforce', exemptNamespaces: ['kube-system'] }, 'config.yaml');

export function stateDir(objects: KubeObject[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-audit-state-'));
  writeFileSync(join(dir, 'cluster.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

export const STATE = stateDir(CLUSTER);
