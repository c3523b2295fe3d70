// Which files `netguard fix` writes, and with what text — decided before anything is written, so a
// failure leaves every file as it was.
//   (no flag)        the fix is printed; nothing is written
//   --out DIR        DIR/<namespace>.yaml per namespace: the new objects and the rewritten workloads
//   --write          workloads edited in place; new objects appended, as new documents, to the file
//                    that holds the namespace's Namespace object, else its first YAML file
//   --write --out    workloads edited in place; new objects in DIR/<namespace>.yaml
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { identityOf } from '../check/latest.js';
import { namespaceFor } from '../check/request.js';
import type { SourcedObject } from '../cluster/manifests.js';
import { applyEdits, serviceAccountEdits } from './edit.js';
import type { FixPlan, NamespaceFix, WorkloadFix } from './plan.js';
import { describeFix, renderNamespace, yamlDocuments } from './render.js';

export interface FileChange {
  path: string;
  content: string;
  /** false: an existing file edited or appended to */
  created: boolean;
  /** one line per change, for the summary */
  what: string[];
}

export interface FileOptions {
  out?: string;
  write: boolean;
  defaultNamespace: string;
  read(file: string): string;
}

function outFile(out: string, fix: NamespaceFix, includeWorkloads: boolean): FileChange {
  const objects = includeWorkloads ? undefined : fix.created;
  return {
    path: join(out, `${fix.namespace}.yaml`),
    content: renderNamespace(fix, objects, includeWorkloads),
    created: true,
    what: describeFix(fix, includeWorkloads),
  };
}

/** The YAML file new objects of a namespace go into: its Namespace object's, else its first. */
function hostFile(namespace: string, input: readonly SourcedObject[], defaultNamespace: string): { file: string; exists: boolean } {
  const files = input.filter(({ object }) => namespaceFor(object, defaultNamespace) === namespace).map(({ file }) => file);
  const home = input.find(({ object }) => object.kind === 'Namespace' && object.metadata?.name === namespace);
  const yaml = (file: string) => /\.ya?ml$/i.test(file);
  const chosen = [...(home ? [home.file] : []), ...files].find(yaml);
  if (chosen) return { file: chosen, exists: true };
  // only JSON (or nothing) holds the namespace: a YAML file beside its first file
  const beside = files[0] ?? input[0]?.file ?? 'netguard-fix.yaml';
  return { file: join(dirname(beside), `${namespace}.netguard-fix.yaml`), exists: false };
}

function appended(existing: string, fix: NamespaceFix): string {
  const lines = describeFix(fix, false).map((line) => `# ${line}.`);
  const [first, ...rest] = fix.created;
  const body = `---\n# Added by netguard fix:\n${lines.join('\n')}\n${stringify(first, { lineWidth: 0 })}${yamlDocuments(rest)}`;
  return existing === '' || existing.endsWith('\n') ? `${existing}${body}` : `${existing}\n${body}`;
}

export function fileChanges(plan: FixPlan, input: readonly SourcedObject[], options: FileOptions): FileChange[] {
  const { out, write, defaultNamespace } = options;
  if (!write) return out === undefined ? [] : plan.namespaces.map((fix) => outFile(out, fix, true));

  const changes = new Map<string, FileChange>();
  const byIdentity = new Map<string, WorkloadFix>();
  for (const fix of plan.namespaces) for (const w of fix.workloads) byIdentity.set(identityOf(w.fixed, defaultNamespace)!, w);
  const touched = new Map<string, WorkloadFix[]>();
  for (const { object, file } of input) {
    const workload = byIdentity.get(identityOf(object, defaultNamespace) ?? '');
    if (!workload) continue;
    const list = touched.get(file) ?? [];
    if (!list.includes(workload)) list.push(workload);
    touched.set(file, list);
  }
  for (const [file, workloads] of touched) {
    const text = options.read(file);
    const content = applyEdits(text, serviceAccountEdits(text, file, byIdentity, defaultNamespace));
    const what = workloads.map((w) => `${w.kind} "${w.name}" in namespace "${w.namespace}": serviceAccountName ${w.to} (was ${w.from})`);
    changes.set(file, { path: file, content, created: false, what });
  }

  for (const fix of plan.namespaces) {
    if (fix.created.length === 0) continue;
    if (out !== undefined) {
      const change = outFile(out, fix, false);
      changes.set(change.path, change);
      continue;
    }
    const host = hostFile(fix.namespace, input, defaultNamespace);
    const previous = changes.get(host.file);
    const existing = previous?.content ?? (host.exists ? options.read(host.file) : '');
    changes.set(host.file, {
      path: host.file,
      content: appended(existing, fix),
      created: previous?.created ?? !host.exists,
      what: [...(previous?.what ?? []), ...describeFix(fix, false)],
    });
  }
  return [...changes.values()];
}

