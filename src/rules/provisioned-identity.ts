// provisioned-identity — Pod CREATE; CREATE/UPDATE of Deployment, ReplicaSet, StatefulSet,
// DaemonSet, Job, CronJob, ReplicationController.
// Reads the pod spec's effective ServiceAccount (serviceAccountName, else serviceAccount, else
// "default") and the requester. Violation: that ServiceAccount is provisioned (listed in a
// provisioner's serviceAccounts) and the requester is not provisioned for the namespace — running
// a pod as the identity that may write network policy is as good as holding that right.
// Requests from Kubernetes' own workload controllers (system:serviceaccount:kube-system:*-controller:
// the ReplicaSet a Deployment rolls out, the pods of a ReplicaSet or Job) are not judged: the
// workload they come from was judged when someone created or changed it. A scale that keeps the
// pod template is not judged (as the scale subresource is not).
import type { UserInfo } from '../admission/types.js';
import { isRecord } from '../cluster/objects.js';
import { effectiveServiceAccount } from '../cluster/store.js';
import { isProvisionedServiceAccount } from '../rbac/identities.js';
import { nameOf, namespaceOf, podBearingKind, podSpecOf, POD_INTERCEPTS } from './kinds.js';
import { describeRequester, isProvisionedRequester } from './provisioning.js';
import type { Rule, Violation } from './types.js';
import { isScaleKeepingTemplate } from './updates.js';

const WORKLOAD_CONTROLLER = /^system:serviceaccount:kube-system:[^:]+-controller$/;

export const provisionedIdentity: Rule = {
  id: 'provisioned-identity',
  summary: 'Only provisioned requesters may run a pod (or pod template) as a provisioned ServiceAccount.',
  intercepts: POD_INTERCEPTS,
  needs: [],
  judgesRequester: true,
  evaluate({ request, config }): Violation[] {
    const kind = podBearingKind(request);
    if (!kind || !isRecord(request.object) || isScaleKeepingTemplate(request)) return [];
    const user: UserInfo = isRecord(request.userInfo) ? request.userInfo : {};
    if (typeof user.username === 'string' && WORKLOAD_CONTROLLER.test(user.username)) return [];
    const namespace = namespaceOf(request);
    const { spec, path } = podSpecOf(kind, request.object);
    const serviceAccount = effectiveServiceAccount(spec);
    if (!isProvisionedServiceAccount(namespace, serviceAccount, config)) return [];
    if (isProvisionedRequester(user, { namespace }, config)) return [];
    return [
      {
        rule: 'provisioned-identity',
        message:
          `${describeRequester(user)} is not provisioned for namespace "${namespace}" and may not run ${kind} "${nameOf(request)}" ` +
          `as the provisioned ServiceAccount "${namespace}/${serviceAccount}", which may write network policy ` +
          `(${path}.serviceAccountName). Use a ServiceAccount of its own, or have a provisioner for "${namespace}" apply it.`,
      },
    ];
  },
};
