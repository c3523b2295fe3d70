// Which workload runs a pod: its controller ownerReference, followed one step further where the
// audit has read the owner — Pod → ReplicaSet → Deployment, Pod → Job → CronJob. The finding then
// points at the object a person edits to fix it.
import { asArray, asString, isRecord, metaOf, type KubeObject } from '../cluster/objects.js';
import { POD_SPEC_PATHS, WORKLOAD_KINDS, type PodBearingKind } from '../rules/kinds.js';

export interface OwnerRef {
  apiVersion: string;
  kind: PodBearingKind;
  name: string;
  uid: string | undefined;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** The controller owner of an object, when it is a workload kind netguard knows. */
export function controllerOf(object: KubeObject): OwnerRef | undefined {
  for (const ref of asArray(metaOf(object)['ownerReferences'])) {
    if (!isRecord(ref) || ref['controller'] !== true) continue;
    const kind = asString(ref['kind']) as PodBearingKind | undefined;
    const apiVersion = asString(ref['apiVersion']) ?? '';
    const name = asString(ref['name']);
    if (!kind || !name || !(WORKLOAD_KINDS as string[]).includes(kind) || POD_SPEC_PATHS[kind].group !== groupOf(apiVersion)) return undefined;
    return { apiVersion, kind, name, uid: asString(ref['uid']) };
  }
  return undefined;
}

/** ReplicaSets and Jobs read so far, each with its own controller (Deployment, CronJob). */
export class OwnerIndex {
  private readonly owners = new Map<string, OwnerRef>();

  add(object: KubeObject, namespace: string): void {
    const owner = controllerOf(object);
    const name = metaOf(object).name;
    if (owner && name) this.owners.set(`${namespace}/${object.kind}/${name}`, owner);
  }

  /** The workload a pod belongs to, as far up as the index knows; undefined for a bare pod. */
  workloadOf(pod: KubeObject, namespace: string): OwnerRef | undefined {
    const direct = controllerOf(pod);
    if (!direct) return undefined;
    if (direct.kind !== 'ReplicaSet' && direct.kind !== 'Job') return direct;
    return this.owners.get(`${namespace}/${direct.kind}/${direct.name}`) ?? direct;
  }
}

/** A stand-in for the workload carrying the pod's spec in its template, for the rules to judge. */
export function workloadWithPodSpec(owner: OwnerRef, namespace: string, podSpec: unknown): KubeObject {
  const path = POD_SPEC_PATHS[owner.kind].path;
  let node: unknown = podSpec;
  for (let i = path.length - 1; i >= 0; i--) node = { [path[i]!]: node };
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    metadata: { name: owner.name, namespace, ...(owner.uid ? { uid: owner.uid } : {}) },
    ...(node as Record<string, unknown>),
  };
}
