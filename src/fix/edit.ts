// In-place edits of one manifest file for `netguard fix --write`: the yaml library's parse tree
// says where each workload's pod spec is, and only the bytes of `serviceAccountName` change (a new
// line before the spec's first key, or the old value replaced). Everything else — comments, key
// order, quoting, indentation, blank lines — stays byte for byte, which re-serialising a document
// cannot promise.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';
import { identityOf } from '../check/latest.js';
import type { KubeObject } from '../cluster/objects.js';
import { manifestInvalid } from '../errors.js';
import type { WorkloadFix } from './plan.js';

export interface Edit {
  offset: number;
  remove: number;
  insert: string;
}

const YAML_11_WORDS = /^(y|yes|n|no|on|off|true|false|null|~)$/i;

/**
 * A ServiceAccount name as a YAML scalar that every parser (YAML 1.1 included) reads as that
 * string: plain where that is safe, double-quoted where the file quotes (JSON) or it must.
 */
export function scalarText(value: string, quoted: boolean): string {
  const plain = /^[a-z][a-z0-9.-]*$/.test(value) && !YAML_11_WORDS.test(value);
  return plain && !quoted ? value : JSON.stringify(value);
}

const isQuoted = (node: unknown) => isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');

function field(map: YAMLMap, key: string): string | undefined {
  const value = map.get(key, true);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/** apiVersion, kind and metadata of a mapping: enough for the object's identity. */
function headerOf(map: YAMLMap): KubeObject {
  const metadata = map.get('metadata', true);
  const meta = isMap(metadata) ? { name: field(metadata, 'name'), namespace: field(metadata, 'namespace') } : {};
  return { apiVersion: field(map, 'apiVersion'), kind: field(map, 'kind'), metadata: meta } as KubeObject;
}

function candidates(doc: Document): YAMLMap[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const items = root.get('items', true);
  if ((field(root, 'kind') ?? '').endsWith('List') && isSeq(items)) return items.items.filter((item): item is YAMLMap => isMap(item));
  return [root];
}

function setAccount(text: string, spec: YAMLMap, account: string, location: string): Edit[] {
  const edits: Edit[] = [];
  let named = false;
  for (const pair of spec.items) {
    if (!isScalar(pair.key) || (pair.key.value !== 'serviceAccountName' && pair.key.value !== 'serviceAccount')) continue;
    const value = pair.value as Node | null;
    if (!isScalar(value) || !value.range || value.range[1] <= value.range[0]) {
      throw manifestInvalid(location, `${String(pair.key.value)} has no plain value to replace; set it to "${account}" by hand`);
    }
    if (pair.key.value === 'serviceAccountName') named = true;
    edits.push({ offset: value.range[0], remove: value.range[1] - value.range[0], insert: scalarText(account, isQuoted(value)) });
  }
  if (named) return edits;
  if (spec.flow) {
    const open = spec.range?.[0] ?? -1;
    if (text[open] !== '{') throw manifestInvalid(location, 'the pod spec is not a mapping fix can edit; set serviceAccountName by hand');
    // quoted keys: JSON (or JSON-like YAML), which only takes quoted strings
    const json = isQuoted(spec.items[0]?.key);
    const entry = `${json ? '"serviceAccountName"' : 'serviceAccountName'}: ${scalarText(account, json)}`;
    edits.push({ offset: open + 1, remove: 0, insert: spec.items.length > 0 ? `${entry}, ` : entry });
    return edits;
  }
  const first = spec.items[0]?.key as Node | undefined;
  const offset = first?.range?.[0];
  if (offset === undefined) throw manifestInvalid(location, 'the pod spec is empty; set serviceAccountName by hand');
  const column = offset - (text.lastIndexOf('\n', offset - 1) + 1);
  edits.push({ offset, remove: 0, insert: `serviceAccountName: ${scalarText(account, false)}\n${' '.repeat(column)}` });
  return edits;
}

/**
 * The edits that move the workloads of `fixes` (by identity) onto their new ServiceAccounts in this
 * file's text. Every document of the file that is one of those objects is edited.
 */
export function serviceAccountEdits(text: string, file: string, fixes: ReadonlyMap<string, WorkloadFix>, defaultNamespace: string): Edit[] {
  const edits: Edit[] = [];
  for (const doc of parseAllDocuments(text)) {
    for (const map of candidates(doc)) {
      const id = identityOf(headerOf(map), defaultNamespace);
      const fix = id === undefined ? undefined : fixes.get(id);
      if (!fix) continue;
      const location = `${file}: ${fix.kind} "${fix.name}"`;
      let node: unknown = map;
      for (const key of fix.specPath) {
        node = isMap(node) ? node.get(key, true) : undefined;
        if (isAlias(node)) throw manifestInvalid(location, `${fix.specPath.join('.')} is a YAML alias; set serviceAccountName by hand`);
      }
      if (!isMap(node)) throw manifestInvalid(location, `no ${fix.specPath.join('.')} mapping to set serviceAccountName in`);
      edits.push(...setAccount(text, node, fix.to, location));
    }
  }
  return edits;
}

/** Applies edits from the end of the text backwards, so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) {
    out = out.slice(0, edit.offset) + edit.insert + out.slice(edit.offset + edit.remove);
  }
  return out;
}
