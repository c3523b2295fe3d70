// Small builders for the rule table tests: objects in code, a store holding them, a config.
import type { AdmissionRequest } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { ClusterSnapshot } from '../../src/cluster/snapshot.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { Rule, Violation } from '../../src/rules/types.js';
import { makeRequest, type RequestOptions } from '../support/requests.js';

export const PROVISIONERS = [
  {
    name: 'platform-team',
    users: ['alice@example.com'],
    groups: ['netpol-admins'],
    serviceAccounts: ['gitops/argocd-application-controller'],
    namespaces: ['*'],
  },
  { name: 'team-leads', users: ['carol@example.com'], groups: ['team-leads'], serviceAccounts: ['team-a/deployer'], namespaces: ['team-*'] },
];

export function config(overrides: Record<string, unknown> = {}): Config {
  return compileConfig({ provisioners: PROVISIONERS, ...overrides }, 'test');
}

export function store(...objects: KubeObject[]): ClusterStore {
  const s = new ClusterStore();
  for (const o of objects) s.upsert(o);
  return s;
}

export const BOB = { username: 'bob@example.com', groups: ['system:authenticated'] };
export const ALICE = { username: 'alice@example.com', groups: ['system:authenticated'] };

export function namespace(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...extra } };
}

export function netpol(ns: string, name: string, spec: unknown): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec } as KubeObject;
}

export const DENY_ALL = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };

export { pod } from '../support/kube-objects.js';

export function role(kind: 'Role' | 'ClusterRole', ns: string | undefined, name: string, rules: unknown[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    rules,
  } as KubeObject;
}

export function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  ns: string | undefined,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: unknown[],
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  } as KubeObject;
}

export const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
export const group = (name: string) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
export const serviceAccount = (name: string, ns?: string) => ({ kind: 'ServiceAccount', name, ...(ns ? { namespace: ns } : {}) });

/** Runs one rule directly (not through the engine: intercepts and rule switches are the engine's). */
export function run(rule: Rule, request: AdmissionRequest, snapshot: ClusterSnapshot = store(), cfg: Config = config()): Violation[] {
  return rule.evaluate({ request, snapshot, config: cfg });
}

export function request(object: KubeObject | undefined, options: RequestOptions = {}): AdmissionRequest {
  return makeRequest(object, options);
}

/** Every message follows `<what is wrong> (<where>). <how to fix>.` */
export function wellFormed(violation: Violation): boolean {
  return /^\S.* \(.+\)\. .+\.$/s.test(violation.message) && !violation.message.includes('..');
}

/** Freezes an object graph so a rule that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Malformed shapes a fuzzer sends, to put anywhere in an object. */
export const GARBAGE: unknown[] = [null, undefined, 'x', 5, true, [], [1, 'a', null], {}, { a: 1 }, [{}], [[]]];
