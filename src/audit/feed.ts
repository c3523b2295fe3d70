// Where an audit's objects come from, one page at a time: a live cluster (paged LISTs) or the
// manifests of a state directory. A page is a plain array of objects with kind and apiVersion set.
import type { KubeObject } from '../cluster/objects.js';
import type { AuditKind } from './types.js';

export interface ObjectFeed {
  /** for reports: where the objects came from */
  readonly description: string;
  /** namespace given: the feed may leave out (need not) namespaced objects of other namespaces */
  pages(kind: AuditKind, namespace?: string): AsyncIterable<KubeObject[]>;
  /** what the feed could not read, once the pages are read (e.g. ReplicaSets forbidden) */
  readonly notes?: readonly string[];
  /** objects of the other network-policy APIs read for default-deny coverage (CRDs; none when not served) */
  policyPages(): AsyncIterable<KubeObject[]>;
}
