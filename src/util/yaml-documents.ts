// Fast YAML reading for manifests (js-yaml), as kubectl reads them: merge keys (`<<`), anchors and
// aliases without a count limit — but never a document whose aliases expand into more nodes than
// any real manifest has ("billion laughs"). Scalars resolve by YAML 1.2's core schema, as netguard
// always read them: a bare `off` stays the text "off" (which a mode label reports as unknown).
//
// A file is cut into documents at its `---` lines first (YAML forbids `---` at the start of a line
// inside any scalar, so the cut is exact): each document is parsed on its own, which gives its line
// number for free and lets a caller find the document's text again to locate a field in it.
import { CORE_SCHEMA, YAMLException, loadAll, mergeTag } from 'js-yaml';

/** Where and why a text is not YAML netguard reads (`reason` is a sentence); callers name the file. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'YamlSyntaxError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/** Expanded size of one document at most: real manifests stay far below, a billion laughs far above. */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface YamlDocument {
  value: unknown;
  /** 1-based line of the document's first content line */
  line: number;
  /** the document's text lies in [start, end) of the file's text, from line startLine */
  start: number;
  end: number;
  startLine: number;
}

const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;

/** Line of the first line in [from, to) that holds content (not blank, comment, marker or directive). */
function contentLine(text: string, from: number, to: number, lineOfFrom: number): number {
  let line = lineOfFrom;
  let at = from;
  while (at < to) {
    const eol = text.indexOf('\n', at);
    const end = eol < 0 || eol > to ? to : eol;
    const content = text.slice(at, end).replace(/^---|^\.\.\./, '').trim();
    if (content !== '' && !content.startsWith('#') && !content.startsWith('%')) return line;
    // `--- value` on the marker line itself is content
    if (eol < 0 || eol >= to) break;
    at = eol + 1;
    line++;
  }
  return lineOfFrom;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Cuts `text` into document chunks: [start, end, line of start]. A chunk of directives joins the next. */
function* chunks(text: string): Generator<[number, number, number]> {
  let start = 0;
  let line = 1;
  DOCUMENT_START.lastIndex = 0;
  for (let match = DOCUMENT_START.exec(text); ; match = DOCUMENT_START.exec(text)) {
    const end = match ? match.index : text.length;
    if (end > start || !match) {
      const directivesOnly = match !== null && /^%/m.test(text.slice(start, end));
      if (!directivesOnly) {
        yield [start, end, line];
        line += countLines(text, start, end);
        start = end;
      }
    }
    if (!match) return;
    DOCUMENT_START.lastIndex = match.index + 3;
  }
}

/**
 * Number of nodes the value has once every alias is written out, stopping at `limit`. Shared
 * subtrees are counted once per use (memoised, so this costs one pass over the distinct nodes).
 * A value that contains itself (a recursive alias) is refused, as kubectl refuses it.
 */
function expandedSize(value: unknown, limit: number, memo = new Map<object, number>(), path = new Set<object>()): number {
  if (typeof value !== 'object' || value === null) return 1;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (path.has(value)) throw new RangeError('an alias refers to a node that contains it');
  path.add(value);
  let size = 1;
  for (const child of Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : []) {
    size += expandedSize(child, limit, memo, path);
    if (size > limit) break;
  }
  path.delete(value);
  memo.set(value, size);
  return size;
}

/** js-yaml's reason without its snippet or file suffix, e.g. "bad indentation of a mapping entry". */
function reasonOf(error: YAMLException): string {
  return (error.reason || error.message.split('\n')[0] || 'cannot be parsed').replace(/[\s:]+$/, '');
}

/** The text offsets refer to: without a byte-order mark. */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** Parses every document of `body` (a text without BOM); throws YamlSyntaxError. */
export function* yamlDocuments(body: string): Generator<YamlDocument> {
  const hasAnchors = body.includes('&');
  for (const [start, end, line] of chunks(body)) {
    const chunk = body.slice(start, end);
    let values: unknown[];
    try {
      values = loadAll(chunk, { schema: SCHEMA, maxTotalMergeKeys: -1 });
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const at = error.mark ? line + error.mark.line : line;
      throw new YamlSyntaxError(at, `not valid YAML: ${reasonOf(error)}`);
    }
    const first = contentLine(body, start, end, line);
    for (const value of values) {
      if (hasAnchors && chunk.includes('&')) {
        let size: number;
        try {
          size = expandedSize(value, MAX_EXPANDED_NODES);
        } catch (error) {
          throw new YamlSyntaxError(first, `not valid YAML: ${(error as Error).message}`);
        }
        if (size > MAX_EXPANDED_NODES) {
          throw new YamlSyntaxError(
            first,
            `YAML aliases expand this document to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes ("billion laughs"); refusing to read it`,
          );
        }
      }
      yield { value, line: first, start, end, startLine: line };
    }
  }
}
