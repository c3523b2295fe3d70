// UPDATEs that Kubernetes' own controllers must always be able to make, whatever the object says.
// Refusing them would not protect anything (nothing a rule reads changes) but would wedge the
// cluster: a Deployment controller that cannot scale the old ReplicaSet down never finishes the
// rollout that fixes it; a garbage collector that cannot remove a finalizer leaves the object
// Terminating forever.
import { isDeepStrictEqual } from 'node:util';
import type { AdmissionRequest } from '../admission/types.js';
import { isRecord } from '../cluster/objects.js';

/** Deep equality; input nested too deep to compare counts as changed (so it is judged), never a throw. */
function same(a: unknown, b: unknown): boolean {
  try {
    return isDeepStrictEqual(a, b);
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** Metadata the API server and controllers change without changing what the object asks for. */
const BOOKKEEPING_METADATA = new Set(['finalizers', 'resourceVersion', 'managedFields', 'generation']);

/** The object without status and bookkeeping metadata: what the rules can read. */
function substance(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'status') continue;
    if (key === 'metadata' && isRecord(value)) {
      const metadata: Record<string, unknown> = {};
      for (const [field, content] of Object.entries(value)) if (!BOOKKEEPING_METADATA.has(field)) metadata[field] = content;
      copy[key] = metadata;
    } else copy[key] = value;
  }
  return copy;
}

/**
 * An UPDATE of an object already being deleted (deletionTimestamp set) that changes nothing but
 * finalizers and bookkeeping: how the garbage collector and other controllers let a deletion finish.
 * The deletion itself was judged (or is not judged) when it was asked for.
 */
export function onlyReleasesADeletion(request: AdmissionRequest): boolean {
  if (request.operation !== 'UPDATE') return false;
  const { object, oldObject } = request;
  if (!isRecord(oldObject) || !isRecord(object) || !isRecord(oldObject.metadata)) return false;
  if (!oldObject.metadata.deletionTimestamp) return false;
  return same(substance(object), substance(oldObject));
}

/**
 * An UPDATE that changes spec.replicas and leaves the pod template as it was: a scale, as through
 * the scale subresource (never judged). The Deployment controller scales its ReplicaSets this way.
 */
export function isScaleKeepingTemplate(request: AdmissionRequest): boolean {
  if (request.operation !== 'UPDATE') return false;
  const spec = isRecord(request.object) ? request.object['spec'] : undefined;
  const oldSpec = isRecord(request.oldObject) ? request.oldObject['spec'] : undefined;
  if (!isRecord(spec) || !isRecord(oldSpec) || !('template' in spec)) return false;
  return spec['replicas'] !== oldSpec['replicas'] && same(spec['template'], oldSpec['template']);
}
