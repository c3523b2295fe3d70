// A ClusterSnapshot read once from manifests on disk (`serve --state DIR`, `check`, `audit --state`).
import { manifestObjects, type ReadOptions } from './manifests.js';
import type { KubeObject } from './objects.js';
import { ClusterStore, isNamespacedKind, storedKindOf } from './store.js';

export function storeFromObjects(objects: Iterable<{ object: KubeObject }>, defaultNamespace = 'default'): ClusterStore {
  const store = new ClusterStore();
  for (const { object } of objects) {
    const kind = storedKindOf(object);
    if (kind === undefined) continue;
    const meta = object.metadata ?? {};
    store.put(kind, isNamespacedKind(kind) && !meta.namespace ? { ...object, metadata: { ...meta, namespace: defaultNamespace } } : object);
  }
  return store;
}

export function loadStaticState(paths: readonly string[], defaultNamespace = 'default', options: ReadOptions = {}): ClusterStore {
  return storeFromObjects(manifestObjects(paths, options), defaultNamespace);
}
