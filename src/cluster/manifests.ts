// Reads Kubernetes manifests the way kubectl does — files or directories of YAML/JSON (see
// manifest-files.ts), multi-document YAML, `kind: List`, comments and empty documents — one file at
// a time, each object as soon as its document is parsed: no caller holds more text than one file,
// nor more of the objects than it keeps. `-` reads stdin.
//
// YAML that is not a Kubernetes manifest is skipped with a note, never fatal: files whose documents
// have no apiVersion/kind (Helm values, Chart.yaml, CI workflows), kustomization files (pipe
// `kustomize build` instead) and Helm templates (pipe `helm template`).
import { isAscii } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { manifestInvalid, manifestUnreadable } from '../errors.js';
import { manifestFiles } from './manifest-files.js';
import { isRecord, type KubeObject } from './objects.js';
import { withoutBom, yamlDocuments, YamlSyntaxError, type YamlDocument } from '../util/yaml-documents.js';

export interface SourcedObject {
  object: KubeObject;
  /** the file as named on the command line or found below a directory; `<stdin>` for `-` */
  file: string;
  /** 1-based line of the object's document */
  line: number;
  /** `file:line` */
  source: string;
  /** where the document's text begins in the file (the start of line `line`), and the object's path inside it (List items) */
  origin: { start: number; path: readonly (string | number)[] };
}

export interface ReadOptions {
  /** path globs left out (see util/path-glob.ts) */
  exclude?: readonly string[];
  /** what was skipped and why, one sentence each, naming the file */
  onNote?: (note: string) => void;
  /** after each object and each file (a big file takes a while) */
  onProgress?: (progress: { files: number; bytes: number; objects: number }) => void;
}

export const STDIN = '<stdin>';

const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$|^Kustomization$/;
const KUSTOMIZE_NOTE = 'a kustomization, not manifests: skipped; to check what it builds, run `kustomize build DIR | netguard check … -`';

const isObject = (value: unknown): value is KubeObject =>
  isRecord(value) && typeof value['apiVersion'] === 'string' && typeof value['kind'] === 'string';

const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';
const isKustomization = (value: KubeObject) => (value.apiVersion ?? '').startsWith(KUSTOMIZE_GROUP);

/** Go template syntax: a chart's templates are not YAML until Helm renders them. */
const HELM_SYNTAX = '{{';
const HELM_HINT = 'to check what it renders, run `helm template … | netguard check … -`';

/**
 * Helm's own rule for what a template is: a file below a chart's templates/ directory (the chart
 * has a Chart.yaml). Only such a file is skipped for not parsing; anywhere else a stray `{{` and a
 * YAML error would hide from check the documents before the break, which kubectl may still apply.
 */
function isChartTemplate(file: string): boolean {
  for (let dir = dirname(resolve(file)); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === 'templates' && existsSync(join(dirname(dir), 'Chart.yaml'))) return true;
  }
  return false;
}

function expandLists(value: KubeObject, doc: YamlDocument, file: string, path: (string | number)[], out: SourcedObject[]): void {
  const items = value['items'];
  if (value.kind!.endsWith('List') && Array.isArray(items)) {
    items.forEach((item, i) => {
      if (!isObject(item)) throw manifestInvalid(`${file}:${doc.line}`, `items[${i}] of the ${value.kind} has no apiVersion or kind`);
      expandLists(item, doc, file, [...path, 'items', i], out);
    });
    return;
  }
  out.push({ object: value, file, line: doc.line, source: `${file}:${doc.line}`, origin: { start: doc.start, path } });
}

/**
 * One file's objects, each yielded as its document is parsed, so a caller that keeps little of each
 * object holds little. `note` hears why a file is skipped when it is not Kubernetes manifests.
 * Throws on YAML errors and on a document without apiVersion/kind among Kubernetes objects (a typo,
 * not another kind of file).
 *
 * A file that may turn out not to be manifests only at its end — a chart's template, which may be
 * YAML up to the line it breaks, or a kustomization among other documents — is read whole before
 * any of its objects is yielded: skipped, it yields none.
 */
export function* fileObjects(text: string, file: string, note: (note: string) => void = () => undefined): Generator<SourcedObject> {
  if (KUSTOMIZATION_FILE.test(basename(file))) {
    note(`${file}: ${KUSTOMIZE_NOTE}`);
    return;
  }
  const body = withoutBom(text);
  const helm = body.includes(HELM_SYNTAX);
  const held: SourcedObject[] | undefined = helm || body.includes(KUSTOMIZE_GROUP) ? [] : undefined;
  let objects = 0;
  let stranger: YamlDocument | undefined;
  try {
    for (const doc of yamlDocuments(body)) {
      if (doc.value === null || doc.value === undefined) continue;
      if (!isObject(doc.value)) {
        stranger ??= doc;
        continue;
      }
      if (isKustomization(doc.value)) {
        note(`${file}: ${KUSTOMIZE_NOTE}`);
        return;
      }
      const found: SourcedObject[] = [];
      expandLists(doc.value, doc, file, [], found);
      objects += found.length;
      // after a stranger, any object makes the file an error (thrown once the whole file has parsed)
      if (held) held.push(...found);
      else if (!stranger) yield* found;
    }
  } catch (error) {
    if (!(error instanceof YamlSyntaxError)) throw error;
    if (!helm) throw manifestInvalid(`${file}:${error.line}`, error.reason);
    if (!isChartTemplate(file)) throw manifestInvalid(`${file}:${error.line}`, `${error.reason}; if it is a Helm template, ${HELM_HINT}`);
    note(`${file}: a Helm template, not manifests: skipped; ${HELM_HINT}`);
    return;
  }
  if (stranger && objects > 0) {
    throw manifestInvalid(`${file}:${stranger.line}`, 'document is not a Kubernetes object (no apiVersion or kind) though others in the file are');
  }
  if (stranger) note(`${file}: not a Kubernetes manifest (no apiVersion/kind): skipped`);
  else if (held) yield* held;
}

/** Parses one text (stdin, a test's string) as `file`; skipped content yields nothing. */
export function parseManifestText(text: string, file: string): SourcedObject[] {
  return [...fileObjects(text, file)];
}

function readText(file: string): string {
  try {
    const bytes = file === '-' ? readFileSync(0) : readFileSync(file);
    // all ASCII (as manifests nearly always are): Latin-1 decodes it to the same text, several times faster than UTF-8
    return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch (error) {
    throw manifestUnreadable(file === '-' ? STDIN : file, error);
  }
}

/** Texts of stdin, kept because stdin cannot be read twice (see sourceText). */
let stdinText = '';

/** The text an object's `origin` refers to (for field lines). */
export function sourceText(file: string): string {
  return withoutBom(file === STDIN ? stdinText : readText(file));
}

/** Objects of every file the paths stand for, one file at a time, each as soon as it is parsed. */
export function* manifestObjects(paths: readonly string[], options: ReadOptions = {}): Generator<SourcedObject> {
  const note = options.onNote ?? (() => undefined);
  const progress = { files: 0, bytes: 0, objects: 0 };
  for (const file of manifestFiles(paths, options.exclude ?? [], note)) {
    const text = readText(file);
    if (file === '-') stdinText = text;
    const before = progress.bytes;
    for (const sourced of fileObjects(text, file === '-' ? STDIN : file, note)) {
      progress.objects++;
      progress.bytes = before + sourced.origin.start;
      options.onProgress?.(progress);
      yield sourced;
    }
    progress.files++;
    progress.bytes = before + text.length;
    options.onProgress?.(progress);
  }
}

export function readManifests(paths: readonly string[], options: ReadOptions = {}): SourcedObject[] {
  return [...manifestObjects(paths, options)];
}
