// `netguard check`: judge manifests offline, as GitOps CI would before they reach the cluster.
// Exit 0: nothing enforce would deny; 1: violations; 2: bad input (thrown as NetguardError).
import { readManifests } from '../cluster/manifests.js';
import { loadConfigFile } from '../config/load.js';
import { noObjects, usageError } from '../errors.js';
import { checkObjects, withFieldLines } from '../check/evaluate.js';
import { FieldLocator } from '../cluster/field-lines.js';
import { expiredNotes, renderJson, renderText } from '../check/report.js';
import { NAMESPACE_NAME } from '../check/request.js';

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
}

export function runCheck(
  opts: CheckOptions,
  stdout: (text: string) => void = (t) => process.stdout.write(t),
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): number {
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
  const objects = readManifests(opts.paths, { exclude: opts.exclude ?? [], onNote: (note) => stderr(`note: ${note}\n`) });
  if (objects.length === 0) throw noObjects(opts.paths);
  const locator = new FieldLocator();
  const judged = checkObjects({
    objects,
    config,
    defaultNamespace: namespace,
    now: Date.now(),
    ...(opts.as !== undefined ? { username: opts.as, groups } : {}),
  });
  const result = withFieldLines(judged, (object, field) => locator.line(object, field));
  // JSON carries expired exceptions in the document; text says so on stderr, beside the findings
  if (opts.output !== 'json') stderr(expiredNotes(result));
  stdout(opts.output === 'json' ? renderJson(result) : renderText(result));
  return result.violations.length > 0 ? 1 : 0;
}
