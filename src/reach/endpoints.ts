// Endpoints of a reachability question (SPEC "Reachability"): every Pod (`NAMESPACE/NAME`), every
// workload's pod template (`NAMESPACE/KIND/NAME`, kind in lower case) and external addresses.
// Reads: Namespace metadata.labels (plus the `kubernetes.io/metadata.name` label the API server
// always sets), Pod metadata.labels / spec.containers[].ports / status.podIP(s), and the pod
// template of Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob
// (except those a controller owns, whose template is their owner's).
import { asArray, asString, isRecord, labelsOf, metaOf, type KubeObject } from '../cluster/objects.js';
import type { Labels } from '../cluster/selectors.js';
import { parseAddress, type Address } from './ip.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface ContainerPort {
  name: string | undefined;
  port: number;
  protocol: string;
}

export interface Endpoint {
  /** `ns/name`, `ns/kind/name`, or the address of an external endpoint */
  id: string;
  /** undefined for an external address */
  namespace: string | undefined;
  labels: Labels;
  namespaceLabels: Labels;
  addresses: readonly Address[];
  ports: readonly ContainerPort[];
}

const WORKLOAD_KINDS: Readonly<Record<string, (spec: Record<string, unknown>) => unknown>> = {
  Deployment: (spec) => spec['template'],
  StatefulSet: (spec) => spec['template'],
  DaemonSet: (spec) => spec['template'],
  ReplicaSet: (spec) => spec['template'],
  ReplicationController: (spec) => spec['template'],
  Job: (spec) => spec['template'],
  CronJob: (spec) => {
    const job = spec['jobTemplate'];
    return isRecord(job) && isRecord(job['spec']) ? job['spec']['template'] : undefined;
  },
};

const APPS_GROUPS: Readonly<Record<string, string>> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  ReplicationController: '',
  Job: 'batch',
  CronJob: 'batch',
  Pod: '',
  Namespace: '',
};

/** The API group of an object (`''` for the core group). */
export function groupOf(object: KubeObject): string {
  const apiVersion = asString(object.apiVersion) ?? '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether the object is the built-in kind of that name (group and kind, never kind alone). */
function isBuiltin(object: KubeObject, kind: string): boolean {
  return object.kind === kind && groupOf(object) === APPS_GROUPS[kind];
}

function containerPorts(podSpec: unknown): ContainerPort[] {
  if (!isRecord(podSpec)) return [];
  return asArray(podSpec['containers']).flatMap((container) =>
    isRecord(container)
      ? asArray(container['ports']).flatMap((p): ContainerPort[] => {
          if (!isRecord(p) || typeof p['containerPort'] !== 'number') return [];
          return [{ name: asString(p['name']), port: p['containerPort'], protocol: asString(p['protocol']) ?? 'TCP' }];
        })
      : [],
  );
}

function podAddresses(status: unknown): Address[] {
  if (!isRecord(status)) return [];
  const texts = new Set<string>();
  if (typeof status['podIP'] === 'string') texts.add(status['podIP']);
  for (const entry of asArray(status['podIPs'])) if (isRecord(entry) && typeof entry['ip'] === 'string') texts.add(entry['ip']);
  return [...texts].flatMap((t) => parseAddress(t) ?? []);
}

export function namespaceLabels(name: string, labels: Labels | undefined): Labels {
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

/**
 * Namespaces (name → labels) and endpoints of the given objects; objects without a namespace belong
 * to `defaultNamespace`. A namespace without a Namespace object is unlabelled but for its name.
 */
export function endpointsOf(objects: Iterable<KubeObject>, defaultNamespace: string): Endpoint[] {
  const labelsByNamespace = new Map<string, Labels>();
  const found: { namespace: string; id: string; labels: Labels; addresses: Address[]; ports: ContainerPort[] }[] = [];
  for (const object of objects) {
    const meta = metaOf(object);
    const name = meta.name;
    if (typeof name !== 'string' || name === '') continue;
    if (isBuiltin(object, 'Namespace')) {
      labelsByNamespace.set(name, labelsOf(object));
      continue;
    }
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
    if (isBuiltin(object, 'Pod')) {
      found.push({ namespace, id: `${namespace}/${name}`, labels: labelsOf(object), addresses: podAddresses(object['status']), ports: containerPorts(object['spec']) });
      continue;
    }
    // a ReplicaSet of a Deployment or a Job of a CronJob repeats its owner's template
    const owned = asArray(meta['ownerReferences']).some((ref) => isRecord(ref) && ref['controller'] === true);
    const template = !owned && object.kind && isBuiltin(object, object.kind) && isRecord(object['spec']) ? WORKLOAD_KINDS[object.kind]?.(object['spec']) : undefined;
    if (!isRecord(template)) continue;
    found.push({
      namespace,
      id: `${namespace}/${object.kind!.toLowerCase()}/${name}`,
      labels: labelsOf(template),
      addresses: [],
      ports: containerPorts(template['spec']),
    });
  }
  return found.map((e) => ({ ...e, namespaceLabels: namespaceLabels(e.namespace, labelsByNamespace.get(e.namespace)) }));
}

/** An address outside the cluster state, named with --from/--to or in an expectation. */
export function externalEndpoint(address: Address, id: string): Endpoint {
  return { id, namespace: undefined, labels: {}, namespaceLabels: {}, addresses: [address], ports: [] };
}
