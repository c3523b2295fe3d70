// When several documents describe the same object (API group, kind, namespace, name), the last one
// read is the one that counts — as `kubectl apply -f manifests -f fixes` leaves the cluster. This is
// how `check manifests fixes` sees the workloads `netguard fix --out` rewrote. Objects without a
// name (generateName) are never the same object.
import type { SourcedObject } from '../cluster/manifests.js';
import { groupVersionOf, namespaceFor } from './request.js';

export function identityOf(object: SourcedObject['object'], defaultNamespace: string): string | undefined {
  const name = object.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  return `${groupVersionOf(object.apiVersion).group}/${object.kind ?? ''}/${namespaceFor(object, defaultNamespace) ?? ''}/${name}`;
}

/** The objects in reading order, each superseded one (a later document for the same object) left out. */
export function latestVersions<T extends SourcedObject>(objects: readonly T[], defaultNamespace: string): { latest: T[]; replaced: number } {
  const ids = objects.map(({ object }) => identityOf(object, defaultNamespace));
  const lastIndex = new Map<string, number>();
  ids.forEach((id, index) => {
    if (id !== undefined) lastIndex.set(id, index);
  });
  const latest = objects.filter((_, index) => ids[index] === undefined || lastIndex.get(ids[index]!) === index);
  return { latest, replaced: objects.length - latest.length };
}
