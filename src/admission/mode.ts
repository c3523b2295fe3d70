// Which mode governs a request. Cluster-scoped objects (Namespace, ClusterRole,
// ClusterRoleBinding, cluster-scoped policies) use clusterScopedMode; namespaced objects use their namespace's
// netguard.io/mode label (exempt namespaces are always disabled). A namespace the cache does not
// know yet (just created, watch lagging) is read once from the API server when one is at hand.
import type { ClusterSource, LiveReader } from '../cluster/source.js';
import type { ClusterSnapshot, NamespaceState } from '../cluster/snapshot.js';
import { namespaceMode, type ResolvedMode } from '../config/modes.js';
import type { Config, Mode } from '../config/types.js';
import { isRecord, labelsOf } from '../cluster/objects.js';
import { isClusterScoped, nameOf, namespaceOf } from '../rules/kinds.js';
import type { AdmissionRequest } from './types.js';

export { isClusterScoped };

/**
 * A Namespace review is judged in clusterScopedMode, but a bad netguard.io/mode value on the
 * object itself is worth telling whoever sets it, right when they set it.
 */
function labelWarningOfNamespaceObject(request: AdmissionRequest, config: Config): { warning?: string } {
  if (request.kind.group !== '' || request.kind.kind !== 'Namespace' || !request.object) return {};
  const { warning } = namespaceMode(nameOf(request), labelsOf(request.object), config);
  return warning ? { warning } : {};
}

/**
 * The mode of a review whose fields netguard cannot use, read from whatever is usable in it: its
 * kind (cluster-scoped: clusterScopedMode), else its namespace as the cache knows it; a namespace
 * that is not a usable string gets defaultMode, as an unlabelled namespace would.
 */
export function malformedMode(request: unknown, config: Config, snapshot: ClusterSnapshot): Mode {
  const fields = isRecord(request) ? request : {};
  const kind = isRecord(fields['kind']) ? fields['kind'] : {};
  if (typeof kind['kind'] === 'string' && isClusterScoped({ kind: { group: typeof kind['group'] === 'string' ? kind['group'] : '', kind: kind['kind'] } } as AdmissionRequest)) {
    return config.clusterScopedMode;
  }
  const namespace = typeof fields['namespace'] === 'string' && fields['namespace'] !== '' ? fields['namespace'] : undefined;
  if (namespace === undefined) return config.defaultMode;
  return namespaceMode(namespace, snapshot.namespace(namespace)?.labels, config).mode;
}

export interface RequestMode extends ResolvedMode {
  /** the namespace as read live for this review, when the cache did not have it */
  liveNamespace?: NamespaceState;
}

/**
 * The mode from the cache alone, or undefined when the namespace is not in the cache and a live
 * read should settle it (`readLive`: some rule will judge the request and an API server is at hand;
 * for requests no rule judges a live read would buy nothing). Synchronous, so the common case —
 * the namespace is cached — costs a review no asynchronous step.
 */
export function cachedMode(request: AdmissionRequest, config: Config, source: ClusterSource, readLive: boolean): RequestMode | undefined {
  if (isClusterScoped(request)) return { mode: config.clusterScopedMode, ...labelWarningOfNamespaceObject(request, config) };
  const name = namespaceOf(request);
  if (config.exemptGlobs.matches(name)) return { mode: 'disabled' };
  const cached = source.snapshot.namespace(name);
  if (cached || !readLive || !source.live) return namespaceMode(name, cached?.labels, config);
  return undefined;
}

/** The namespace read from the API server (cachedMode said so). A failed read throws. */
export async function liveMode(request: AdmissionRequest, config: Config, live: LiveReader): Promise<RequestMode> {
  const name = namespaceOf(request);
  const namespace = await live.namespace(name);
  return { ...namespaceMode(name, namespace?.labels, config), ...(namespace ? { liveNamespace: namespace } : {}) };
}
