// Reads, validates and compiles the YAML config. Validation errors name the file and the key path.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import schema from './config.schema.json' with { type: 'json' };
import { configInvalid, configUnreadable } from '../errors.js';
import { parseCidr, type Cidr } from '../util/cidr.js';
import { compileGlobs } from '../util/glob.js';
import { compileExceptions } from '../exceptions/compile.js';
import { closest } from '../util/suggest.js';
import { withoutBom, yamlDocuments, YamlSyntaxError, type YamlDocument } from '../util/yaml-documents.js';
import { RULE_IDS, type Config, type ConfigSpec, type PolicyResource, type RuleCap, type RuleId, type RuleSetting } from './types.js';

export const CONFIG_SCHEMA = schema;

// verbose: errors carry the schema and value they are about (known keys for "did you mean", values quoted).
// validateSchema off: checking our own schema against JSON Schema's on every start cost more than
// compiling it; a test checks it once (test/examples/config-reference.test.ts).
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false });
const validateSpec = ajv.compile(schema);

/** The network-policy APIs of Kubernetes sig-network, Cilium, Calico and Antrea (SPEC defaults). */
export const DEFAULT_POLICY_RESOURCES = [
  'policy.networking.k8s.io/clusternetworkpolicies',
  'policy.networking.k8s.io/adminnetworkpolicies',
  'policy.networking.k8s.io/baselineadminnetworkpolicies',
  'cilium.io/ciliumnetworkpolicies',
  'cilium.io/ciliumclusterwidenetworkpolicies',
  'projectcalico.org/networkpolicies',
  'projectcalico.org/globalnetworkpolicies',
  'projectcalico.org/stagednetworkpolicies',
  'projectcalico.org/stagedglobalnetworkpolicies',
  'projectcalico.org/tiers',
  'crd.projectcalico.org/networkpolicies',
  'crd.projectcalico.org/globalnetworkpolicies',
  'crd.antrea.io/networkpolicies',
  'crd.antrea.io/clusternetworkpolicies',
] as const;

export const KUBERNETES_NETWORK_POLICIES: PolicyResource = { group: 'networking.k8s.io', resource: 'networkpolicies' };

function policyResourceList(entries: readonly string[]): PolicyResource[] {
  const seen = new Set<string>();
  const list: PolicyResource[] = [];
  for (const entry of [`${KUBERNETES_NETWORK_POLICIES.group}/${KUBERNETES_NETWORK_POLICIES.resource}`, ...entries]) {
    if (seen.has(entry)) continue;
    seen.add(entry);
    const slash = entry.lastIndexOf('/');
    list.push({ group: entry.slice(0, slash), resource: entry.slice(slash + 1) });
  }
  return list;
}

export function defaultSpec(): ConfigSpec {
  return {
    defaultMode: 'disabled',
    clusterScopedMode: 'warn',
    dryRun: false,
    exemptNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
    // nobody is provisioned until the operator names someone (SPEC: an empty config provisions nobody)
    provisioners: [],
    cleanupAccounts: [
      'system:serviceaccount:kube-system:namespace-controller',
      'system:serviceaccount:kube-system:generic-garbage-collector',
    ],
    defaultDeny: { directions: ['Ingress', 'Egress'] },
    serviceAccounts: { disallowed: ['default'] },
    trustedCidrs: [],
    policyResources: [...DEFAULT_POLICY_RESOURCES],
    exceptions: [],
    rules: Object.fromEntries(RULE_IDS.map((id) => [id, true])) as Record<RuleId, RuleSetting>,
  };
}

function keyPath(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  const extra =
    error.keyword === 'additionalProperties'
      ? `.${String(error.params['additionalProperty'])}`
      : error.keyword === 'required'
      ? `.${String(error.params['missingProperty'])}`
      : '';
  return `${path}${extra}`.replace(/^\./, '') || '(top level)';
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(String(error.params['additionalProperty']), known);
      return guess ? `unknown key (did you mean "${guess}"?)` : 'unknown key';
    }
    case 'required':
      return 'is required';
    case 'enum': {
      const allowed = error.params['allowedValues'] as unknown[];
      // YAML 1.1 tools (kubectl, Helm) read a bare `off` as false: the mode is spelled `disabled`
      const off = (error.data === 'off' || error.data === false) && allowed.includes('disabled');
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${off ? '; write "disabled" to switch netguard off ("off" reads as false in YAML 1.1)' : got(error.data)}`;
    }
    case 'pattern':
      return error.instancePath.includes('trustedCidrs') ? describePattern(error.instancePath, error.data) : `${describePattern(error.instancePath, error.data)}${got(error.data)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** ` (got "x")` for a short scalar value, so the user can find the line. */
function got(value: unknown): string {
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? JSON.stringify(value) : undefined;
  return text !== undefined && text.length <= 80 ? ` (got ${text})` : '';
}

/** Patterns are regular expressions; a user is told what the value must look like instead. */
function describePattern(path: string, value: unknown): string {
  if (path.startsWith('/exceptions/')) {
    const key = path.split('/')[3];
    if (key === 'expires') return 'must be an RFC 3339 date or date-time (e.g. "2027-03-31" or "2027-03-31T18:00:00Z")';
    if (key === 'name') return 'must be letters, digits, "-", "_" or "." (at most 63, starting and ending with a letter or digit)';
    if (key === 'kinds') return 'must be a Kind (e.g. "Deployment") or group/Kind (e.g. "cilium.io/CiliumNetworkPolicy")';
    if (key === 'reason') return 'must say why the exception exists (e.g. a ticket and a plan)';
  }
  return path.includes('serviceAccounts')
    ? 'must be "namespace/name" of a ServiceAccount'
    : path.includes('trustedCidrs')
    ? `"${String(value)}" is not a valid IPv4 or IPv6 CIDR`
    : path.includes('policyResources')
    ? 'must be "group/resource" in lower case, e.g. "cilium.io/ciliumnetworkpolicies"'
    : 'must be a namespace name or glob (lowercase letters, digits, "-", "*", "?")';
}

function ruleCaps(rules: Record<RuleId, RuleSetting>): Partial<Record<RuleId, RuleCap>> {
  const caps: Partial<Record<RuleId, RuleCap>> = {};
  for (const id of RULE_IDS) {
    const setting = rules[id];
    if (typeof setting === 'string') caps[id] = setting;
  }
  return caps;
}

/** Validates a parsed document; `file` only labels the errors. */
export function compileConfig(raw: unknown, file: string): Config {
  if (!validateSpec(raw)) {
    const problems = (validateSpec.errors ?? []).map((e) => `${keyPath(e)}: ${describe(e)}`);
    throw configInvalid(file, `invalid config:\n  - ${[...new Set(problems)].join('\n  - ')}`);
  }
  const given = (raw ?? {}) as Partial<ConfigSpec>;
  const defaults = defaultSpec();
  const spec: ConfigSpec = {
    ...defaults,
    ...given,
    provisioners: (given.provisioners ?? defaults.provisioners).map((p) => ({
      name: p.name,
      users: p.users ?? [],
      groups: p.groups ?? [],
      serviceAccounts: p.serviceAccounts ?? [],
      namespaces: p.namespaces ?? ['*'],
    })),
    defaultDeny: { ...defaults.defaultDeny, ...given.defaultDeny },
    serviceAccounts: { ...defaults.serviceAccounts, ...given.serviceAccounts },
    rules: { ...defaults.rules, ...given.rules },
  };
  const badCidrs = spec.trustedCidrs.flatMap((text, i) => (parseCidr(text) ? [] : [`trustedCidrs[${i}]: "${text}" is not a valid IPv4 or IPv6 CIDR`]));
  const exceptions = compileExceptions(spec.exceptions);
  const problems = [...badCidrs, ...exceptions.problems];
  if (problems.length > 0) throw configInvalid(file, `invalid config:\n  - ${problems.join('\n  - ')}`);

  return {
    ...spec,
    provisionerList: spec.provisioners.map((p) => ({
      ...p,
      namespaceGlobs: compileGlobs(p.namespaces),
      clusterWide: p.namespaces.includes('*'),
    })),
    exemptGlobs: compileGlobs(spec.exemptNamespaces),
    trustedCidrList: spec.trustedCidrs.map((text) => parseCidr(text) as Cidr),
    disallowedServiceAccounts: new Set(spec.serviceAccounts.disallowed),
    cleanupAccountSet: new Set(spec.cleanupAccounts),
    policyResourceList: policyResourceList(spec.policyResources),
    ruleCaps: ruleCaps(spec.rules),
    exceptionList: exceptions.exceptions,
  };
}

/** Parses YAML text as manifests are read (anchors as kubectl allows them); errors name file:line. */
export function parseConfigText(text: string, file: string): Config {
  const documents: YamlDocument[] = [];
  try {
    for (const doc of yamlDocuments(withoutBom(text))) if (doc.value !== null && doc.value !== undefined) documents.push(doc);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw configInvalid(`${file}:${error.line}`, error.reason);
    throw error;
  }
  if (documents.length > 1) throw configInvalid(`${file}:${documents[1]!.line}`, 'a second YAML document; the config is one document');
  return compileConfig(documents[0]?.value ?? null, file);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configUnreadable(file, error);
  }
  return parseConfigText(text, file);
}
