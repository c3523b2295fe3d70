// The YAML `netguard fix` prints and writes: per namespace, a comment saying what is fixed and
// why, then one document per object.
import { stringify } from 'yaml';
import type { KubeObject } from '../cluster/objects.js';
import { objectsOf, type NamespaceFix } from './plan.js';

/** First line of every file fix writes itself: files that do not start with it are never overwritten. */
export const FILE_HEADER = '# Written by netguard fix.';

export function yamlDocuments(objects: readonly KubeObject[]): string {
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per fixed concern, for headers and the summary. */
export function describeFix(fix: NamespaceFix, includeWorkloads = true): string[] {
  const lines: string[] = [];
  const policies = fix.created.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata?.name);
  if (fix.missing.length > 0) {
    lines.push(`namespace "${fix.namespace}" had no default-deny for ${fix.missing.join(' and ')}: NetworkPolicy ${policies.join(', ')}`);
  }
  const accounts = fix.created.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata?.name);
  if (accounts.length > 0) lines.push(`${plural(accounts.length, 'ServiceAccount')} without a mounted token: ${accounts.join(', ')}`);
  if (includeWorkloads) {
    for (const w of fix.workloads) lines.push(`${w.kind} "${w.name}" ran under ServiceAccount "${w.from}": now "${w.to}"`);
  }
  return lines;
}

/** A namespace's fix as one multi-document YAML text. */
export function renderNamespace(fix: NamespaceFix, objects: readonly KubeObject[] = objectsOf(fix), includeWorkloads = true): string {
  const header = describeFix(fix, includeWorkloads).map((line) => `# ${line}.`);
  return `${[FILE_HEADER, ...header].join('\n')}\n${yamlDocuments(objects)}`;
}
