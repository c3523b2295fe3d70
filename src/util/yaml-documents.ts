// Fast YAML reading for manifests (js-yaml 4: two to four times faster on manifests than 5), as
// kubectl reads them: merge keys (`<<`), anchors and aliases without a count limit — but never a
// document whose aliases expand into more nodes than any real manifest has ("billion laughs"), nor
// a mapping used as a key (JSON, and so a Kubernetes object, has only text keys). Scalars resolve
// by YAML 1.2's core schema, as netguard always read them: a bare `off` stays the text "off" (which
// a mode label reports as unknown).
//
// A text is cut into documents at its document markers first — YAML forbids `---` and `...` at the
// start of a line inside any scalar, so the cut is exact — and each document is parsed on its own,
// when the caller asks for it. That gives each document its line without a parse of the whole
// file, and holds one document's parse at a time: a 24 MB dump is read in the memory its objects need.
import { CORE_SCHEMA, YAMLException, loadAll, types, type Type } from 'js-yaml';

declare module 'js-yaml' {
  /** js-yaml exports its tag types (`merge` among them); @types/js-yaml leaves them out */
  export const types: { merge: Type };
}

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

const SCHEMA = CORE_SCHEMA.extend({ implicit: [types.merge] });

/** Expanded size of one document at most: real manifests stay far below, a billion laughs far above. */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface YamlDocument {
  value: unknown;
  /** 1-based line of the document's first content line */
  line: number;
  /** offset of the start of that line in the text (where a re-read of the document can begin) */
  start: number;
}

/** YAML forbids `---` at the start of a line inside any scalar: every such line starts a document. */
export const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/m;

/** A document start (`---`, the marker begins the next document) or end (`...`, the line ends this one). */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

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

/** What js-yaml makes of a mapping used as a key (`{a: 1}: x`, or `{{ … }}` in a Helm template). */
const MAPPING_KEY = '[object Object]';

/** Whether a mapping in the value has a mapping as a key: JSON, and so a Kubernetes object, cannot hold one. */
function hasMappingKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasMappingKey);
  if (Object.hasOwn(value, MAPPING_KEY)) return true;
  for (const key in value) if (hasMappingKey((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** js-yaml's reason without its snippet or file suffix, e.g. "bad indentation of a mapping entry". */
function reasonOf(error: YAMLException): string {
  return (error.reason || error.message.split('\n')[0] || 'cannot be parsed').replace(/[\s:]+$/, '');
}

/** The text offsets refer to: without a byte-order mark. */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** A document's text: [start, end) of the whole text. */
interface Piece {
  start: number;
  end: number;
  /** 1-based line of `start` */
  line: number;
  /** the first line holding content (not blank, a comment, a directive or a bare marker), and where it starts */
  content: { line: number; start: number } | undefined;
  /** whether a directive (`%YAML 1.2`) comes before the content */
  directive: boolean;
}

function pieceAt(text: string, start: number, end: number, line: number): Piece {
  let directive = false;
  for (let at = start, n = line; at < end; n++) {
    const eol = text.indexOf('\n', at);
    const next = eol < 0 || eol >= end ? end : eol + 1;
    // `--- value` holds content on the marker line itself
    const content = text.slice(at, next).replace(/^---|^\.\.\./, '').trim();
    if (content.startsWith('%')) directive = true;
    else if (content !== '' && !content.startsWith('#')) return { start, end, line, content: { line: n, start: at }, directive };
    at = next;
  }
  return { start, end, line, content: undefined, directive };
}

const countLines = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** The text's documents, cut at every marker, in order; a piece of only directives joins the next. */
function* pieces(text: string): Generator<Piece> {
  let start = 0;
  let line = 1;
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(text); ; match = MARKER.exec(text)) {
    // `---` begins the next piece; `...` ends this one with its line
    let cut = text.length;
    if (match) cut = match[0] === '---' ? match.index : text.indexOf('\n', match.index) + 1 || text.length;
    if (cut > start) {
      const found = pieceAt(text, start, cut, line);
      if (!match || found.content || !found.directive) {
        yield found;
        line += countLines(text, start, cut);
        start = cut;
      }
    }
    if (!match) return;
    MARKER.lastIndex = match.index + 3;
  }
}

function refuseBillionLaughs(value: unknown, line: number): void {
  let size: number;
  try {
    size = expandedSize(value, MAX_EXPANDED_NODES);
  } catch (error) {
    throw new YamlSyntaxError(line, `not valid YAML: ${(error as Error).message}`);
  }
  if (size > MAX_EXPANDED_NODES) {
    throw new YamlSyntaxError(
      line,
      `YAML aliases expand this document to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes ("billion laughs"); refusing to read it`,
    );
  }
}

/** Parses the documents of `body` (a text without BOM) one by one as they are asked for; throws YamlSyntaxError. */
export function* yamlDocuments(body: string): Generator<YamlDocument> {
  for (const piece of pieces(body)) {
    const source = body.slice(piece.start, piece.end);
    let values: unknown[];
    try {
      values = loadAll(source, null, { schema: SCHEMA });
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      throw new YamlSyntaxError(piece.line + (error.mark?.line ?? 0), `not valid YAML: ${reasonOf(error)}`);
    }
    const { line, start } = piece.content ?? piece;
    // only a flow mapping, an explicit key or an alias can put a mapping in a key
    const keysToCheck = /[{?*]/.test(source);
    for (const value of values) {
      if (value !== null && typeof value === 'object') {
        if (source.includes('&')) refuseBillionLaughs(value, line);
        if (keysToCheck && hasMappingKey(value)) throw new YamlSyntaxError(line, 'not valid YAML: a mapping is used as a key (a Kubernetes object, like JSON, has only text keys)');
      }
      yield { value, line, start };
    }
  }
}
