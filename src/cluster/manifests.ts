// Reads Kubernetes manifests the way kubectl does — files or directories of YAML/JSON (see
// manifest-files.ts), multi-document YAML, `kind: List`, comments and empty documents — one file at
// a time: `manifestObjects` yields each file's objects before the next file is read, so no caller
// holds more text than one file. `-` reads stdin.
//
// YAML that is not a Kubernetes manifest is skipped with a note, never fatal: files whose documents
// have no apiVersion/kind (Helm values, Chart.yaml, CI workflows), kustomization files (pipe
// `kustomize build` instead) and Helm templates (pipe `helm template`).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
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
  /** after each file */
  onProgress?: (progress: { files: number; bytes: number; objects: number }) => void;
}

export const STDIN = '<stdin>';

const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$|^Kustomization$/;
const KUSTOMIZE_NOTE = 'a kustomization, not manifests: skipped; to check what it builds, run `kustomize build DIR | netguard check … -`';

const isObject = (value: unknown): value is KubeObject =>
  isRecord(value) && typeof value['apiVersion'] === 'string' && typeof value['kind'] === 'string';

const isKustomization = (value: KubeObject) => (value.apiVersion ?? '').startsWith('kustomize.config.k8s.io/');

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
 * One file's objects. Returns a note instead when the file is not Kubernetes manifests; throws on
 * YAML errors and on a document without apiVersion/kind among Kubernetes objects (a typo, not
 * another kind of file).
 */
export function fileObjects(text: string, file: string): { objects: SourcedObject[]; note?: string } {
  if (KUSTOMIZATION_FILE.test(basename(file))) return { objects: [], note: `${file}: ${KUSTOMIZE_NOTE}` };
  const body = withoutBom(text);
  const objects: SourcedObject[] = [];
  let stranger: YamlDocument | undefined;
  try {
    for (const doc of yamlDocuments(body)) {
      if (doc.value === null || doc.value === undefined) continue;
      if (!isObject(doc.value)) {
        stranger ??= doc;
        continue;
      }
      if (isKustomization(doc.value)) return { objects: [], note: `${file}: ${KUSTOMIZE_NOTE}` };
      expandLists(doc.value, doc, file, [], objects);
    }
  } catch (error) {
    // `{{ … }}` is Go template syntax: a chart's templates are not YAML until Helm renders them
    if (!(error instanceof YamlSyntaxError)) throw error;
    if (body.includes('{{')) {
      return { objects: [], note: `${file}: a Helm template, not manifests: skipped; to check what it renders, run \`helm template … | netguard check … -\`` };
    }
    throw manifestInvalid(`${file}:${error.line}`, error.reason);
  }
  if (stranger && objects.length > 0) {
    throw manifestInvalid(`${file}:${stranger.line}`, 'document is not a Kubernetes object (no apiVersion or kind) though others in the file are');
  }
  if (stranger) return { objects, note: `${file}: not a Kubernetes manifest (no apiVersion/kind): skipped` };
  return { objects };
}

/** Parses one text (stdin, a test's string) as `file`; skipped content yields nothing. */
export function parseManifestText(text: string, file: string): SourcedObject[] {
  return fileObjects(text, file).objects;
}

function readText(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
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

/** Objects of every file the paths stand for, one file at a time. */
export function* manifestObjects(paths: readonly string[], options: ReadOptions = {}): Generator<SourcedObject> {
  const note = options.onNote ?? (() => undefined);
  const progress = { files: 0, bytes: 0, objects: 0 };
  for (const file of manifestFiles(paths, options.exclude ?? [], note)) {
    const text = readText(file);
    if (file === '-') stdinText = text;
    const read = fileObjects(text, file === '-' ? STDIN : file);
    if (read.note) note(read.note);
    progress.files++;
    progress.bytes += text.length;
    progress.objects += read.objects.length;
    options.onProgress?.(progress);
    yield* read.objects;
  }
}

export function readManifests(paths: readonly string[], options: ReadOptions = {}): SourcedObject[] {
  return [...manifestObjects(paths, options)];
}
