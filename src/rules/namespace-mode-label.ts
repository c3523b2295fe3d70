// namespace-mode-label — Namespace CREATE/UPDATE.
// Reads metadata.labels["netguard.io/mode"] of the new and the old Namespace, and the requester.
// Mode before: the old object's label (UPDATE), else defaultMode (CREATE); mode after: the new
// label, else defaultMode. An unknown value counts as enforce; exempt namespaces are always
// disabled, so relabelling them never loosens anything.
// Allowed: the namespace stays as strict or becomes stricter (open to anyone), or the requester is
// provisioned for that namespace. Order: disabled < audit < warn < enforce.
import type { UserInfo } from '../admission/types.js';
import { asString, isRecord, labelsOf, metaOf } from '../cluster/objects.js';
import { MODE_LABEL, namespaceMode, strictness } from '../config/modes.js';
import type { Mode } from '../config/types.js';
import { nameOf } from './kinds.js';
import { describeRequester, isProvisionedRequester } from './provisioning.js';
import type { Rule, Violation } from './types.js';

export const namespaceModeLabel: Rule = {
  id: 'namespace-mode-label',
  summary: `Only provisioned accounts may make a namespace less strict through the ${MODE_LABEL} label.`,
  intercepts: [{ group: '', kind: 'Namespace', operations: ['CREATE', 'UPDATE'] }],
  needs: ['Namespace'],
  judgesRequester: true,
  evaluate({ request, snapshot, config }): Violation[] {
    const object = request.object;
    if (!isRecord(object)) return [];
    const name = asString(metaOf(object).name) || nameOf(request);
    const updating = request.operation === 'UPDATE';
    const oldLabels = updating
      ? isRecord(request.oldObject)
        ? labelsOf(request.oldObject)
        : snapshot.namespace(name)?.labels
      : {};
    const before: Mode = namespaceMode(name, oldLabels, config).mode;
    const newLabels = labelsOf(object);
    const after: Mode = namespaceMode(name, newLabels, config).mode;
    if (strictness(after) >= strictness(before)) return [];
    const user = isRecord(request.userInfo) ? (request.userInfo as UserInfo) : {};
    if (isProvisionedRequester(user, { namespace: name }, config)) return [];

    const value = newLabels[MODE_LABEL];
    const action =
      value === undefined
        ? updating
          ? `removing the ${MODE_LABEL} label (defaultMode is ${config.defaultMode})`
          : `creating it without the ${MODE_LABEL} label (defaultMode is ${config.defaultMode})`
        : updating
          ? `setting ${MODE_LABEL}="${value}"`
          : `creating it with ${MODE_LABEL}="${value}" (defaultMode is ${config.defaultMode})`;
    const covering = config.provisionerList.filter((p) => p.namespaceGlobs.matches(name)).map((p) => `"${p.name}"`);
    const who = covering.length > 0 ? ` (${covering.join(', ')})` : '';
    return [
      {
        rule: 'namespace-mode-label',
        field: `metadata.labels[${JSON.stringify(MODE_LABEL)}]`,
        message:
          `${describeRequester(user)} is not provisioned for namespace "${name}" and may not loosen it from ${before} to ${after} ` +
          `(Namespace "${name}", ${action}). Ask a provisioner for "${name}"${who} to change the label, ` +
          `or keep ${MODE_LABEL} at "${before}" or stricter.`,
      },
    ];
  },
};
