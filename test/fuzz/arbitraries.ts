// fast-check generators for hostile AdmissionReview content: wrong types in every field, missing
// fields, huge arrays, deep nesting, unicode and prototype-pollution keys.
import fc from 'fast-check';
import type { AdmissionRequest } from '../../src/admission/types.js';
import { RULES } from '../../src/rules/registry.js';

/** Every group/kind some rule judges. */
export const JUDGED_KINDS = [
  ...new Map(RULES.flatMap((rule) => rule.intercepts).map(({ group, kind }) => [`${group}/${kind}`, { group, kind }])).values(),
];

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''),
  fc.constantFrom('spec', 'metadata', 'podSelector', 'policyTypes', 'ingress', 'egress', 'from', 'to', 'ipBlock', 'cidr', 'rules', 'subjects', 'roleRef', 'labels', 'serviceAccountName', 'serviceAccount', 'template', 'jobTemplate'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('default', '*', 'networking.k8s.io', 'networkpolicies', 'create', 'Ingress', 'Egress', '10.0.0.0/8', '::/0', 'enforce', 'disabled', 'Role', 'ClusterRole', 'ServiceAccount', 'User', 'Group'),
);

/** Any JSON-ish value whose keys lean towards the fields rules read. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 6 }),
})).value;

/** A Kubernetes-shaped object with hostile content at every level. */
export const hostileObject = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1'), hostileValue),
    kind: fc.oneof(fc.constantFrom(...JUDGED_KINDS.map((k) => k.kind)), hostileValue),
    metadata: fc.oneof(
      fc.record({ name: fc.oneof(fc.string(), hostileValue), namespace: fc.oneof(fc.string(), hostileValue), labels: hostileValue, annotations: hostileValue }, { requiredKeys: [] }),
      hostileValue,
    ),
    spec: hostileValue,
    rules: hostileValue,
    subjects: hostileValue,
    roleRef: hostileValue,
    status: hostileValue,
  },
  { requiredKeys: [] },
);

/** Requests with a valid envelope (what reaches the engine) and hostile objects. */
export const hostileRequest: fc.Arbitrary<AdmissionRequest> = fc
  .record({
    kind: fc.constantFrom(...JUDGED_KINDS),
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT' as const),
    namespace: fc.oneof(fc.constantFrom('shop', 'payments', 'kube-system', ''), fc.string({ maxLength: 10 })),
    name: fc.string({ maxLength: 10 }),
    object: fc.oneof(hostileObject, fc.constant(null)),
    oldObject: fc.oneof(hostileObject, fc.constant(null)),
    username: fc.oneof(fc.constantFrom('alice@example.com', 'system:serviceaccount:gitops:argocd-application-controller', 'bob'), fc.string()),
    groups: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
  })
  .map(({ kind, operation, namespace, name, object, oldObject, username, groups }) => ({
    uid: 'fuzz',
    kind: { group: kind.group, version: 'v1', kind: kind.kind },
    operation,
    namespace,
    name,
    userInfo: { username, groups },
    object: object as AdmissionRequest['object'],
    oldObject: oldObject as AdmissionRequest['oldObject'],
  }));
