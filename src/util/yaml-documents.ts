// Fast YAML reading for manifests (js-yaml), as kubectl reads them: merge keys (`<<`), anchors and
// aliases without a count limit — but never a document whose aliases expand into more nodes than
// any real manifest has ("billion laughs"). Scalars resolve by YAML 1.2's core schema, as netguard
// always read them: a bare `off` stays the text "off" (which a mode label reports as unknown).
//
// The whole file is parsed in one go into js-yaml's event stream (one call per document costs twice
// the time), and each document's value is built from it; the offset of a document's first node in
// that stream gives its line, found by counting newlines once from the top.
import {
  CORE_SCHEMA,
  EVENT_ID,
  YAMLException,
  constructFromEvents,
  mergeTag,
  parseEvents,
  type Event,
} from 'js-yaml';

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
  /** offset of the start of that line in the text (where a re-read of the document can begin) */
  start: number;
}

/** YAML forbids `---` at the start of a line inside any scalar: every such line starts a document. */
export const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/m;

/** Where an event's node begins (its tag or anchor, else its value). */
function eventStart(event: Event): number | undefined {
  if (event.type === EVENT_ID.DOCUMENT || event.type === EVENT_ID.POP) return undefined;
  if (event.type !== EVENT_ID.ALIAS && event.tagStart >= 0) return event.tagStart;
  if (event.anchorStart >= 0) return event.anchorStart;
  return event.type === EVENT_ID.SCALAR ? event.valueStart : event.type === EVENT_ID.ALIAS ? event.anchorStart : event.start;
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
export function yamlDocuments(body: string): YamlDocument[] {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(body, {});
    values = constructFromEvents(events, { source: body, schema: SCHEMA, maxTotalMergeKeys: -1 });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    throw new YamlSyntaxError(error.mark ? error.mark.line + 1 : 1, `not valid YAML: ${reasonOf(error)}`);
  }
  const documents: YamlDocument[] = [];
  const anchors = body.includes('&');
  // offsets grow document by document: count newlines up to each one, once over the whole text
  let line = 1;
  let counted = 0;
  let lineStart = 0;
  for (let i = 0, doc = 0; i < events.length; i++) {
    if (events[i]!.type !== EVENT_ID.DOCUMENT) continue;
    const value = values[doc++];
    const at = events[i + 1] ? eventStart(events[i + 1]!) : undefined;
    if (at !== undefined) {
      for (let nl = body.indexOf('\n', counted); nl >= 0 && nl < at; nl = body.indexOf('\n', nl + 1)) {
        line++;
        lineStart = nl + 1;
      }
      counted = Math.max(counted, at);
    }
    if (anchors && value !== null && typeof value === 'object') {
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
    documents.push({ value, line, start: lineStart });
  }
  return documents;
}
