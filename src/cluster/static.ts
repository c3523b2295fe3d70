// A ClusterSnapshot read once from manifests on disk (`serve --state DIR`, `check`, `audit --state`).
import { readManifests, type SourcedObject } from './manifests.js';
import { ClusterStore } from './store.js';

export function storeFromObjects(objects: readonly SourcedObject[], defaultNamespace = 'default'): ClusterStore {
  const store = new ClusterStore();
  for (const { object } of objects) {
    const meta = object.metadata ?? {};
    const namespaced = object.kind !== 'Namespace' && object.kind !== 'ClusterRole' && object.kind !== 'ClusterRoleBinding';
    store.upsert(namespaced && !meta.namespace ? { ...object, metadata: { ...meta, namespace: defaultNamespace } } : object);
  }
  return store;
}

export function loadStaticState(paths: readonly string[], defaultNamespace = 'default'): ClusterStore {
  return storeFromObjects(readManifests(paths), defaultNamespace);
}
