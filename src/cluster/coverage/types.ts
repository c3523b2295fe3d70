// What a policy object contributes to default-deny coverage (SPEC "Default-deny for a direction"),
// derived once when the object enters a snapshot. A namespaced policy covers its own namespace; a
// cluster-scoped one covers every namespace its selectors pick out, which depends on the
// namespace's labels, so it is kept as selector parts evaluated per namespace.
import type { Direction } from '../../config/types.js';
import type { Labels } from '../selectors.js';

export const DIRECTIONS: readonly Direction[] = ['Ingress', 'Egress'];

/** A namespace as the cluster-scoped selectors see it. */
export interface NamespaceView {
  name: string;
  labels: Labels;
}

export interface ClusterPart {
  /** true when this part puts every pod of the namespace under its deny */
  selects(namespace: NamespaceView): boolean;
  directions: readonly Direction[];
}

export type Coverage =
  | { scope: 'namespace'; directions: readonly Direction[] }
  | { scope: 'cluster'; parts: readonly ClusterPart[] };

export const NO_NAMESPACE_COVERAGE: Coverage = { scope: 'namespace', directions: [] };
export const NO_CLUSTER_COVERAGE: Coverage = { scope: 'cluster', parts: [] };

/** Directions a coverage denies for one namespace (a namespaced coverage: for its own namespace only). */
export function directionsFor(coverage: Coverage, namespace: NamespaceView, ownNamespace?: string): Direction[] {
  if (coverage.scope === 'namespace') return ownNamespace === namespace.name ? [...coverage.directions] : [];
  const found = new Set<Direction>();
  for (const part of coverage.parts) if (part.selects(namespace)) for (const d of part.directions) found.add(d);
  return DIRECTIONS.filter((d) => found.has(d));
}

/** True when the coverage can cover anything at all (worth indexing). */
export function coversAnything(coverage: Coverage): boolean {
  return coverage.scope === 'namespace' ? coverage.directions.length > 0 : coverage.parts.some((p) => p.directions.length > 0);
}

/** The name label the API server puts on every Namespace: selectors may rely on it. */
export const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Labels with the namespace's name label, as the API server stores every Namespace. */
export function withNameLabel(namespace: NamespaceView): Labels {
  return namespace.labels[NAME_LABEL] === namespace.name ? namespace.labels : { ...namespace.labels, [NAME_LABEL]: namespace.name };
}
