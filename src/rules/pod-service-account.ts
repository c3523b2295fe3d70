// pod-service-account — Pod CREATE; CREATE/UPDATE of Deployment, ReplicaSet, StatefulSet,
// DaemonSet, Job, CronJob, ReplicationController.
// Reads the pod spec's serviceAccountName, else the deprecated serviceAccount, else "default".
// Violation: that effective ServiceAccount is in serviceAccounts.disallowed. Mirror pods
// (annotation kubernetes.io/config.mirror) are exempt: the kubelet creates them from static files.
// An UPDATE that scales and keeps the pod template is not judged (as the scale subresource is not).
import { annotationOf, asString, isRecord } from '../cluster/objects.js';
import { effectiveServiceAccount } from '../cluster/store.js';
import { nameOf, namespaceOf, podBearingKind, podSpecOf, POD_SPEC_PATHS, WORKLOAD_KINDS } from './kinds.js';
import type { Rule, Violation } from './types.js';
import { isScaleKeepingTemplate } from './updates.js';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** A value that is not a name, as a person would call it (JSON has no "object" in YAML terms). */
function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a map';
  return typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : `"${String(value)}"`;
}

/** Which field the effective ServiceAccount comes from, and why "default" when it does. */
function whereFrom(spec: unknown, path: string): string {
  const name = isRecord(spec) ? spec['serviceAccountName'] : undefined;
  if (asString(name)) return `${path}.serviceAccountName`;
  if (isRecord(spec) && asString(spec['serviceAccount'])) return `${path}.serviceAccount (deprecated)`;
  if (name !== undefined && name !== null && name !== '') return `${path}.serviceAccountName is ${typeOf(name)}, not a ServiceAccount name, so "default" is used`;
  return `${path}.serviceAccountName, unset so "default" is used`;
}

export const podServiceAccount: Rule = {
  id: 'pod-service-account',
  summary: 'Every Pod and pod template runs under its own, non-default ServiceAccount.',
  intercepts: [
    { group: '', kind: 'Pod', operations: ['CREATE'] },
    ...WORKLOAD_KINDS.map((kind) => ({ group: POD_SPEC_PATHS[kind].group, kind, operations: ['CREATE', 'UPDATE'] as const })),
  ],
  needs: [],
  evaluate({ request, config }): Violation[] {
    const kind = podBearingKind(request);
    // a scale changes no pod template: refusing it would only stop a rollout or a scale-down
    if (!kind || !request.object || isScaleKeepingTemplate(request)) return [];
    if (kind === 'Pod' && annotationOf(request.object, MIRROR_ANNOTATION) !== undefined) return [];
    const { spec, path } = podSpecOf(kind, request.object);
    const serviceAccount = effectiveServiceAccount(spec);
    if (!config.disallowedServiceAccounts.has(serviceAccount)) return [];
    const field = whereFrom(spec, path);
    return [
      {
        rule: 'pod-service-account',
        // the field that names the account, or the pod spec where one is missing
        field: isRecord(spec) && asString(spec['serviceAccountName'])
          ? `${path}.serviceAccountName`
          : isRecord(spec) && asString(spec['serviceAccount']) ? `${path}.serviceAccount` : path,
        message:
          `${kind} "${nameOf(request)}" runs under ServiceAccount "${serviceAccount}", which is disallowed ` +
          `(namespace "${namespaceOf(request)}", ${field}). ` +
          `Create a dedicated ServiceAccount with only the permissions this workload needs and set ${path}.serviceAccountName to it.`,
      },
    ];
  },
};
