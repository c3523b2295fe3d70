// Audit objects read from manifests (`audit --state DIR`), grouped by kind; objects without a
// namespace land in "default", as kubectl would put them.
import { manifestObjects } from '../cluster/manifests.js';
import type { KubeObject } from '../cluster/objects.js';
import { policyKindOfObject } from '../cluster/coverage/kinds.js';
import { namespaceFor } from '../check/request.js';
import type { ObjectFeed } from './feed.js';
import { AUDIT_KINDS, type AuditKind } from './types.js';

const PAGE = 500;

export function staticFeed(dir: string, onNote?: (note: string) => void): ObjectFeed {
  const byKind = new Map<AuditKind, KubeObject[]>(AUDIT_KINDS.map((kind) => [kind, []]));
  const policies: KubeObject[] = [];
  for (const { object } of manifestObjects([dir], onNote ? { onNote } : {})) {
    // recognised by group and kind: a projectcalico.org NetworkPolicy is not a networking.k8s.io one
    const policyKind = policyKindOfObject(object);
    const list = policyKind
      ? policyKind.coverage?.id === 'NetworkPolicy'
        ? byKind.get('NetworkPolicy')
        : policyKind.coverage && policies
      : object.kind === 'NetworkPolicy'
        ? undefined
        : byKind.get(object.kind as AuditKind);
    if (!list) continue;
    const namespace = namespaceFor(object, 'default');
    const placed = object.kind === 'Namespace' || namespace === undefined ? object : { ...object, metadata: { ...object.metadata, namespace } };
    list.push(placed);
  }
  return {
    description: `state directory ${dir}`,
    async *pages(kind) {
      const all = byKind.get(kind) ?? [];
      for (let i = 0; i < all.length; i += PAGE) yield all.slice(i, i + PAGE);
    },
    async *policyPages() {
      for (let i = 0; i < policies.length; i += PAGE) yield policies.slice(i, i + PAGE);
    },
  };
}
