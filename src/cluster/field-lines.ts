// The line of a field inside a manifest object, for findings that name one
// (`spec.template.spec.serviceAccountName`). Reading keeps no positions (that is what makes it
// fast); only an object with a finding has its one document parsed again, by the `yaml` library,
// which records where every key starts. A field that is absent points at its nearest parent.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { DOCUMENT_START } from '../util/yaml-documents.js';
import { sourceText, type SourcedObject } from './manifests.js';

const NEXT_DOCUMENT = new RegExp(DOCUMENT_START.source, 'gm');

export type FieldPath = (string | number)[];

const SEGMENT = /\.?([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/gy;

/** `spec.ingress[0].from[1]`, `metadata.labels["netguard.io/mode"]` → segments. */
export function parseFieldPath(field: string): FieldPath {
  const path: FieldPath = [];
  SEGMENT.lastIndex = 0;
  for (let match = SEGMENT.exec(field); match; match = SEGMENT.exec(field)) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push(JSON.parse(`"${match[3]!}"`) as string);
    if (SEGMENT.lastIndex === field.length) break;
  }
  return path;
}

/** Offset (in the document text) of the deepest key or item of `path` that exists. */
function deepestOffset(root: unknown, path: FieldPath): number | undefined {
  let node = root as Node | null | undefined;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/** Finds field lines; keeps the last file's text, as findings come file by file. */
export class FieldLocator {
  private file: string | undefined;
  private text = '';

  line(sourced: SourcedObject, field: string | undefined): number {
    if (!field) return sourced.line;
    if (this.file !== sourced.file) {
      this.text = sourceText(sourced.file);
      this.file = sourced.file;
    }
    const { start, path } = sourced.origin;
    NEXT_DOCUMENT.lastIndex = start + 1;
    const end = NEXT_DOCUMENT.exec(this.text)?.index ?? this.text.length;
    const lines = new LineCounter();
    const doc = parseDocument(this.text.slice(start, end), { lineCounter: lines, uniqueKeys: false });
    const offset = deepestOffset(doc.contents, [...path, ...parseFieldPath(field)]);
    return offset === undefined ? sourced.line : sourced.line + lines.linePos(offset).line - 1;
  }
}
