// A ClusterSnapshot read once from manifests on disk (`serve --state DIR`, `check`, `audit --state`).
import { manifestObjects, type ReadOptions } from './manifests.js';
import type { KubeObject } from './objects.js';
import { ClusterStore } from './store.js';

export function storeFromObjects(objects: Iterable<{ object: KubeObject }>, defaultNamespace = 'default'): ClusterStore {
  const store = new ClusterStore();
  for (const { object } of objects) {
    const meta = object.metadata ?? {};
    const namespaced = object.kind !== 'Namespace' && object.kind !== 'ClusterRole' && object.kind !== 'ClusterRoleBinding';
    store.upsert(namespaced && !meta.namespace ? { ...object, metadata: { ...meta, namespace: defaultNamespace } } : object);
  }
  return store;
}

export function loadStaticState(paths: readonly string[], defaultNamespace = 'default', options: ReadOptions = {}): ClusterStore {
  return storeFromObjects(manifestObjects(paths, options), defaultNamespace);
}
