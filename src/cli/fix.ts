// `netguard fix`: the remedy for what check would report under namespace-default-deny and
// pod-service-account, as manifests. Exit 0 (fixed, or nothing to fix), 2 bad input.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readManifests } from '../cluster/manifests.js';
import { loadConfigFile } from '../config/load.js';
import { manifestUnreadable, noObjects, usageError } from '../errors.js';
import { fileChanges, type FileChange } from '../fix/files.js';
import { planFixes } from '../fix/plan.js';
import { FILE_HEADER, renderNamespace } from '../fix/render.js';
import { NAMESPACE_NAME } from '../check/request.js';

export interface FixOptions {
  config: string;
  namespace?: string;
  out?: string;
  write?: boolean;
  paths: string[];
}

type Print = (text: string) => void;

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw manifestUnreadable(file, error);
  }
}

/** Never overwrite a file fix did not write itself (an --out DIR pointed at the manifests). */
function refuseForeign(change: FileChange): void {
  if (change.created && existsSync(change.path) && !readText(change.path).startsWith(FILE_HEADER)) {
    throw usageError(`${change.path} exists and was not written by netguard fix; choose another --out directory`);
  }
}

/** Each file goes in whole or not at all: written beside itself, then renamed over. */
function writeChange(change: FileChange): void {
  const temporary = `${change.path}.netguard-fix-tmp`;
  try {
    mkdirSync(dirname(change.path), { recursive: true });
    writeFileSync(temporary, change.content);
    renameSync(temporary, change.path);
  } catch (error) {
    throw manifestUnreadable(change.path, error);
  }
}

export function runFix(opts: FixOptions, stdout: Print = (t) => process.stdout.write(t), stderr: Print = (t) => process.stderr.write(t)): number {
  const namespace = opts.namespace ?? 'default';
  if (!NAMESPACE_NAME.test(namespace)) {
    throw usageError(`--namespace "${namespace}" is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`);
  }
  if (opts.paths.length === 0) throw usageError('fix needs at least one file or directory of manifests');
  if (opts.write && opts.paths.includes('-')) throw usageError('--write edits files in place; stdin (-) cannot be edited, pass the files');
  if (opts.paths.filter((p) => p === '-').length > 1) throw usageError('stdin (-) can be read only once');
  if (opts.out === '') throw usageError('--out needs a directory');

  const config = loadConfigFile(opts.config);
  const objects = readManifests(opts.paths, { onNote: (note) => stderr(`note: ${note}\n`) });
  if (objects.length === 0) throw noObjects(opts.paths);
  const plan = planFixes(objects, config, namespace);
  for (const note of plan.notes) stderr(`note: ${note}\n`);
  if (plan.namespaces.length === 0) {
    stdout('nothing to fix\n');
    return 0;
  }
  if (opts.out === undefined && !opts.write) {
    stdout(plan.namespaces.map((fix) => renderNamespace(fix)).join(''));
    return 0;
  }
  const changes = fileChanges(plan, objects, {
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    write: opts.write === true,
    defaultNamespace: namespace,
    read: readText,
  });
  changes.forEach(refuseForeign);
  for (const change of changes) {
    writeChange(change);
    stdout(`${change.created ? 'wrote' : 'edited'} ${change.path}\n${change.what.map((line) => `  ${line}\n`).join('')}`);
  }
  return 0;
}
