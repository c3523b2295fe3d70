// Whether a request is about a policy resource of the config (SPEC "Policy resources"): by the
// request's resource (group + resource, as the API server routes it), or by group + kind for a
// known policy kind (requests built offline, or by clients that leave `resource` out).
import type { AdmissionRequest } from '../admission/types.js';
import { policyKindOf, policyKindOfResource, type PolicyKind } from '../cluster/coverage/kinds.js';
import type { Config } from '../config/types.js';

const guardedSets = new WeakMap<Config, ReadonlySet<string>>();

function guarded(config: Config): ReadonlySet<string> {
  let set = guardedSets.get(config);
  if (!set) {
    set = new Set(config.policyResourceList.map((r) => `${r.group}/${r.resource}`));
    guardedSets.set(config, set);
  }
  return set;
}

export function isPolicyRequest(request: AdmissionRequest, config: Config): boolean {
  const set = guarded(config);
  const resource = request.resource;
  if (resource && set.has(`${resource.group}/${resource.resource}`)) return true;
  const kind = policyKindOf(request.kind.group, request.kind.kind);
  return kind !== undefined && set.has(`${kind.group}/${kind.resource}`);
}

/** What a policy request is about: the known kind (by resource, else group + kind), if any. */
export function policyKindOfRequest(request: AdmissionRequest): PolicyKind | undefined {
  const resource = request.resource;
  return (resource && policyKindOfResource(resource.group, resource.resource)) || policyKindOf(request.kind.group, request.kind.kind);
}
