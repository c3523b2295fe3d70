// Where an audit's objects come from, one page at a time: a live cluster (paged LISTs) or the
// manifests of a state directory. A page is a plain array of objects with kind and apiVersion set.
import type { KubeObject } from '../cluster/objects.js';
import type { AuditKind } from './types.js';

export interface ObjectFeed {
  /** for reports: where the objects came from */
  readonly description: string;
  pages(kind: AuditKind): AsyncIterable<KubeObject[]>;
  /** objects of the other network-policy APIs read for default-deny coverage (CRDs; none when not served) */
  policyPages(): AsyncIterable<KubeObject[]>;
}
