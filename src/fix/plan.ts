// What `netguard fix` would change, decided by the rules themselves: the namespaces
// namespace-default-deny finds without default-deny (its own coverage check, on the state the
// manifests form) and the workloads pod-service-account refuses (the rule run on each object's
// CREATE). Pure: manifests and config in, a plan out; writing it is the callers' business.
import { latestVersions } from '../check/latest.js';
import { createRequest, groupVersionOf, isClusterScoped, NAMESPACE_NAME, namespaceFor } from '../check/request.js';
import type { SourcedObject } from '../cluster/manifests.js';
import { isRecord, type KubeObject } from '../cluster/objects.js';
import { storeFromObjects } from '../cluster/static.js';
import { effectiveServiceAccount } from '../cluster/store.js';
import { MODE_LABEL, namespaceMode } from '../config/modes.js';
import { RULE_IDS, type Config, type Direction, type RuleId } from '../config/types.js';
import { Engine } from '../rules/engine.js';
import { podBearingKind, podSpecOf, POD_SPEC_PATHS, type PodBearingKind } from '../rules/kinds.js';
import { missingDirections } from '../rules/namespace-default-deny.js';
import { allowDnsPolicy, defaultDenyPolicy, serviceAccount } from './objects.js';

export interface WorkloadFix {
  /** `file:line` of the document the workload was read from */
  source: string;
  kind: PodBearingKind;
  namespace: string;
  name: string;
  /** the ServiceAccount it runs under now, and the one it gets */
  from: string;
  to: string;
  /** field names from the object to its pod spec */
  specPath: readonly string[];
  /** the workload as it should be: a copy with serviceAccountName set */
  fixed: KubeObject;
}

export interface NamespaceFix {
  namespace: string;
  /** false when the namespace's objects leave metadata.namespace to --namespace: the fixes do too */
  explicit: boolean;
  /** default-deny directions that were missing */
  missing: Direction[];
  /** new objects: NetworkPolicies, then ServiceAccounts */
  created: KubeObject[];
  workloads: WorkloadFix[];
}

export interface FixPlan {
  namespaces: NamespaceFix[];
  /** what fix wants the operator to know (namespaces not governed yet, ServiceAccounts reused) */
  notes: string[];
}

export const DEFAULT_DENY_NAME = 'default-deny';
export const ALLOW_DNS_NAME = 'allow-dns';

const engine = new Engine();
const ONLY_POD_SERVICE_ACCOUNT: ReadonlySet<RuleId> = new Set(RULE_IDS.filter((id) => id !== 'pod-service-account'));

function freeName(wanted: string, fallback: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let i = 0; ; i++) {
    const name = i === 0 ? fallback : `${fallback}-${i + 1}`;
    if (!taken.has(name)) return name;
  }
}

function isProvisionedAccount(namespace: string, name: string, config: Config): boolean {
  return config.provisionerList.some((p) => p.serviceAccounts.includes(`${namespace}/${name}`));
}

/** The workload's name, unless that account is disallowed or provisioned (a Deployment named "default"). */
function accountName(kind: PodBearingKind, name: string, namespace: string, config: Config): string {
  const unusable = (n: string) => config.disallowedServiceAccounts.has(n) || isProvisionedAccount(namespace, n, config);
  if (!unusable(name)) return name;
  const named = `${name}-${kind.toLowerCase()}`;
  return unusable(named) ? `${named}-workload` : named;
}

function withServiceAccount(kind: PodBearingKind, object: KubeObject, account: string): KubeObject | undefined {
  const copy = structuredClone(object);
  const { spec } = podSpecOf(kind, copy);
  if (!isRecord(spec)) return undefined;
  spec['serviceAccountName'] = account;
  // the deprecated field would otherwise still name the old account to anyone reading it
  if ('serviceAccount' in spec) spec['serviceAccount'] = account;
  return copy;
}

interface NamespaceFacts {
  policies: Set<string>;
  accounts: Set<string>;
  /** some object of the namespace names it in metadata.namespace (or is its Namespace) */
  explicit: boolean;
}

export function planFixes(input: readonly SourcedObject[], config: Config, defaultNamespace: string): FixPlan {
  const { latest: objects } = latestVersions(input, defaultNamespace);
  const snapshot = storeFromObjects(objects, defaultNamespace);
  const notes: string[] = [];
  const facts = new Map<string, NamespaceFacts>();
  const factsOf = (namespace: string) => {
    let entry = facts.get(namespace);
    if (!entry) facts.set(namespace, (entry = { policies: new Set(), accounts: new Set(), explicit: namespace !== defaultNamespace }));
    return entry;
  };
  for (const { object, source } of objects) {
    const namespace = namespaceFor(object, defaultNamespace);
    if (namespace === undefined) continue;
    if (!NAMESPACE_NAME.test(namespace)) {
      // the API server would refuse it; and its name must never become a path under --out
      notes.push(`${source}: "${namespace}" is not a valid namespace name: ${object.kind ?? 'object'} left alone.`);
      continue;
    }
    const entry = factsOf(namespace);
    const name = object.metadata?.name;
    if (object.kind === 'Namespace' || (typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '')) entry.explicit = true;
    if (typeof name !== 'string') continue;
    const group = groupVersionOf(object.apiVersion).group;
    if (object.kind === 'NetworkPolicy' && group === 'networking.k8s.io') entry.policies.add(name);
    if (object.kind === 'ServiceAccount' && group === '') entry.accounts.add(name);
  }

  const fixes = new Map<string, NamespaceFix>();
  const fixOf = (namespace: string) => {
    let fix = fixes.get(namespace);
    if (!fix) fixes.set(namespace, (fix = { namespace, explicit: factsOf(namespace).explicit, missing: [], created: [], workloads: [] }));
    return fix;
  };

  if (config.rules['namespace-default-deny']) {
    for (const namespace of [...facts.keys()].sort()) {
      if (config.exemptGlobs.matches(namespace)) continue;
      const missing = missingDirections(namespace, snapshot, config);
      if (missing.length === 0) continue;
      const labels = snapshot.namespace(namespace)?.labels;
      // check judges every non-exempt namespace as if enforced, so fix covers the same ones (after
      // a fix, check reports neither rule); a namespace not governed yet is named, because the
      // policy isolates its pods the moment it is applied, whatever netguard's mode
      if (namespaceMode(namespace, labels, config).mode === 'disabled') {
        const why = labels?.[MODE_LABEL] !== undefined ? `labelled ${MODE_LABEL}=disabled` : 'unlabelled, and defaultMode is disabled';
        notes.push(
          `namespace "${namespace}" is not governed yet (${why}); its default-deny is written all the same, as check judges it. ` +
            `Applying it isolates the namespace's pods at once: add the allows they need in the same change.`,
        );
      }
      const fix = fixOf(namespace);
      const { policies } = factsOf(namespace);
      fix.missing = missing;
      const denyName = freeName(DEFAULT_DENY_NAME, `${DEFAULT_DENY_NAME}-${missing.map((d) => d.toLowerCase()).join('-')}`, policies);
      policies.add(denyName);
      fix.created.push(defaultDenyPolicy(denyName, namespace, missing, fix.explicit));
      // a policy already named allow-dns is taken to be the namespace's own DNS allow
      if (missing.includes('Egress') && !policies.has(ALLOW_DNS_NAME)) {
        policies.add(ALLOW_DNS_NAME);
        fix.created.push(allowDnsPolicy(ALLOW_DNS_NAME, namespace, fix.explicit));
      }
    }
  }

  objects.forEach(({ object, source }, index) => {
    const namespace = namespaceFor(object, defaultNamespace);
    if (namespace === undefined || !facts.has(namespace) || isClusterScoped(object.kind) || config.exemptGlobs.matches(namespace)) return;
    const request = createRequest(object, defaultNamespace, {}, `netguard-fix-${index + 1}`);
    const kind = podBearingKind(request);
    if (!kind || !request.name) return;
    const violations = engine.evaluate(request, snapshot, config, { skip: ONLY_POD_SERVICE_ACCOUNT });
    if (!violations.some((v) => v.rule === 'pod-service-account')) return;
    const specPath = POD_SPEC_PATHS[kind].path;
    const account = accountName(kind, request.name, namespace, config);
    const fixed = withServiceAccount(kind, object, account);
    if (!fixed) {
      notes.push(`${source}: ${kind} "${request.name}" has no ${specPath.join('.')} to set serviceAccountName in: left alone.`);
      return;
    }
    const from = effectiveServiceAccount(podSpecOf(kind, object).spec);
    const fix = fixOf(namespace);
    const { accounts } = factsOf(namespace);
    if (!accounts.has(account)) {
      accounts.add(account);
      fix.created.push(serviceAccount(account, namespace, fix.explicit));
    } else if (!fix.created.some((o) => o.kind === 'ServiceAccount' && o.metadata?.name === account)) {
      notes.push(`ServiceAccount "${namespace}/${account}" exists among the manifests: ${kind} "${request.name}" uses it as it is.`);
    }
    fix.workloads.push({ source, kind, namespace, name: request.name, from, to: account, specPath, fixed });
  });

  return { namespaces: [...fixes.values()].sort((a, b) => a.namespace.localeCompare(b.namespace)), notes };
}

/** Every object the plan writes, per namespace: new policies and ServiceAccounts, then the rewritten workloads. */
export function objectsOf(fix: NamespaceFix): KubeObject[] {
  return [...fix.created, ...fix.workloads.map((w) => w.fixed)];
}
