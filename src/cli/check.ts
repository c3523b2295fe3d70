// `netguard check`: judge manifests offline, as GitOps CI would before they reach the cluster.
// Exit 0: nothing enforce would deny; 1: violations; 2: bad input (thrown as NetguardError).
import { manifestObjects, readManifests } from '../cluster/manifests.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import { countedKinds } from '../cluster/coverage/counted.js';
import { noObjects, usageError } from '../errors.js';
import { checkObjects, keptForCheck, withFieldLines, type CheckResult } from '../check/evaluate.js';
import { expiredNotes, renderJson, renderText } from '../check/report.js';
import { NAMESPACE_NAME } from '../check/request.js';
import type { KubeObject } from '../cluster/objects.js';
import { readProgress } from './read-progress.js';

export type CheckOutput = 'text' | 'json';

export interface CheckOptions {
  config: string;
  as?: string;
  asGroup?: string[];
  namespace?: string;
  output?: CheckOutput;
  paths: string[];
  /** path globs left out (repeatable --exclude) */
  exclude?: string[];
  /** cluster state the manifests build on: a directory of manifests, or a live cluster */
  state?: string;
  kubeconfig?: string;
}

/** The kinds of cluster state the rules read: namespaces, policies, roles and their bindings. */
const STATE_KINDS = ['Namespace', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const;

async function clusterState(opts: CheckOptions, config: Config, note: (text: string) => void): Promise<{ object: KubeObject }[]> {
  if (opts.state !== undefined) return readManifests([opts.state], { onNote: note });
  if (opts.kubeconfig === undefined) return [];
  const { liveFeed } = await import('../audit/live-feed.js');
  // every policy kind the config counts for default-deny coverage, where the API server serves it
  const feed = liveFeed({ kubeconfig: opts.kubeconfig }, { command: 'check', policyKinds: countedKinds(config).kinds });
  const objects: { object: KubeObject }[] = [];
  for (const kind of STATE_KINDS) for await (const page of feed.pages(kind)) for (const object of page) objects.push({ object });
  for await (const page of feed.policyPages()) for (const object of page) objects.push({ object });
  return objects;
}

/** Findings that name a field point at its line, found by re-reading the document with the `yaml` library: loaded only then. */
async function placeFields(result: CheckResult): Promise<CheckResult> {
  if (![...result.violations, ...result.warnings, ...result.excepted].some((f) => f.field !== null)) return result;
  const { FieldLocator } = await import('../cluster/field-lines.js');
  const locator = new FieldLocator();
  return withFieldLines(result, (object, field) => locator.line(object, field));
}

export async function runCheck(
  opts: CheckOptions,
  stdout: (text: string) => void = (t) => process.stdout.write(t),
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const namespace = opts.namespace ?? 'default';
  const groups = opts.asGroup ?? [];
  if (!NAMESPACE_NAME.test(namespace)) {
    throw usageError(`--namespace "${namespace}" is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`);
  }
  if (opts.as === '') throw usageError('--as needs a user name, e.g. --as alice@example.com');
  if (groups.length > 0 && opts.as === undefined) {
    throw usageError('--as-group needs --as: name the user the groups belong to, as with kubectl --as');
  }
  if (opts.paths.length === 0) throw usageError('check needs at least one file or directory of manifests (or - for stdin)');
  if (opts.paths.filter((p) => p === '-').length > 1) throw usageError('stdin (-) can be read only once');

  const config = loadConfigFile(opts.config);
  // `-` reads stdin, as `kubectl apply -f -` does (`kustomize build | netguard check … -`)
  const note = (text: string) => stderr(`note: ${text}\n`);
  const progress = readProgress();
  const objects = Array.from(manifestObjects(opts.paths, { exclude: opts.exclude ?? [], onNote: note, onProgress: progress.update }), keptForCheck);
  progress.stop();
  if (objects.length === 0) throw noObjects(opts.paths);
  const state = await clusterState(opts, config, note);
  const judged = checkObjects({
    objects,
    state,
    config,
    defaultNamespace: namespace,
    now: Date.now(),
    ...(opts.as !== undefined ? { username: opts.as, groups } : {}),
  });
  const result = await placeFields(judged);
  // JSON carries expired exceptions in the document; text says so on stderr, beside the findings
  if (opts.output !== 'json') stderr(expiredNotes(result));
  stdout(opts.output === 'json' ? renderJson(result) : renderText(result));
  return result.violations.length > 0 ? 1 : 0;
}
