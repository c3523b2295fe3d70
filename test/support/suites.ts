// Loads fixture suites: test/fixtures/<rule-id>/suite.yaml (and suite-*.yaml: one per policy API,
// say) plus the manifests they name.
//
// suite.yaml:
//   rule: <rule-id>
//   config: {...}              # optional, merged over the defaults for every case
//   inventory: [inventory.yaml] # optional, files or dirs (relative) forming the cluster state
//   cases:
//     - name: what the case shows
//       object: allowed/pod.yaml   # a file (one document) or an inline object
//       oldObject: ...             # same, for UPDATE/DELETE
//       operation: CREATE          # default CREATE
//       user: {username: bob, groups: [dev]}
//       namespace: shop            # default: the object's namespace
//       subResource: status
//       inventory: [...]           # replaces the suite's inventory for this case
//       config: {...}              # merged over the suite's config
//       expect: allowed | violation | warning
//       messageIncludes: ["..."]   # substrings of the violation message
//       judgedIn: warn             # the mode the violations carry (Violation.mode)
//       filedUnder: <rule-id>      # the id the finding carries, when another rule's (default: the suite's)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { AdmissionRequest, Operation, UserInfo } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { loadStaticState } from '../../src/cluster/static.js';
import type { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig } from '../../src/config/load.js';
import type { Config, Mode, RuleId } from '../../src/config/types.js';
import { makeRequest } from './requests.js';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

interface RawCase {
  name: string;
  object?: string | KubeObject;
  oldObject?: string | KubeObject;
  operation?: Operation;
  user?: UserInfo;
  namespace?: string;
  subResource?: string;
  inventory?: string[];
  config?: Record<string, unknown>;
  expect: 'allowed' | 'violation' | 'warning';
  messageIncludes?: string[];
  filedUnder?: RuleId;
  judgedIn?: Mode;
}

interface RawSuite {
  rule: RuleId;
  config?: Record<string, unknown>;
  inventory?: string[];
  cases: RawCase[];
}

export interface SuiteCase {
  name: string;
  rule: RuleId;
  request: AdmissionRequest;
  snapshot: ClusterStore;
  config: Config;
  expect: RawCase['expect'];
  messageIncludes: string[];
  judgedIn?: Mode;
}

function objectFrom(dir: string, ref: string | KubeObject | undefined): KubeObject | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref !== 'string') return ref;
  return parse(readFileSync(join(dir, ref), 'utf8')) as KubeObject;
}

/** The suite files of a rule: suite.yaml first, then suite-*.yaml. */
export function suiteFiles(rule: string): string[] {
  return readdirSync(join(FIXTURES, rule))
    .filter((f) => /^suite(-[a-z0-9-]+)?\.yaml$/.test(f))
    .sort((a, b) => (a === 'suite.yaml' ? -1 : b === 'suite.yaml' ? 1 : a.localeCompare(b)));
}

export function loadSuite(rule: string, file = 'suite.yaml'): SuiteCase[] {
  const dir = join(FIXTURES, rule);
  const suite = parse(readFileSync(join(dir, file), 'utf8')) as RawSuite;
  return suite.cases.map((c) => {
    const inventory = (c.inventory ?? suite.inventory ?? []).map((p) => join(dir, p));
    const object = objectFrom(dir, c.object);
    const oldObject = objectFrom(dir, c.oldObject);
    return {
      name: c.name,
      rule: c.filedUnder ?? suite.rule,
      request: makeRequest(object, {
        ...(c.operation ? { operation: c.operation } : {}),
        ...(oldObject ? { oldObject } : {}),
        ...(c.user ? { user: c.user } : {}),
        ...(c.namespace ? { namespace: c.namespace } : {}),
        ...(c.subResource ? { subResource: c.subResource } : {}),
      }),
      snapshot: loadStaticState(inventory),
      config: compileConfig({ ...suite.config, ...c.config }, `${rule}/${file}`),
      expect: c.expect,
      messageIncludes: c.messageIncludes ?? [],
      ...(c.judgedIn ? { judgedIn: c.judgedIn } : {}),
    };
  });
}
