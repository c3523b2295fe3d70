// Reads Kubernetes manifests the way kubectl does: files or directories of .yaml/.yml/.json
// (with their subdirectories, as `kubectl -R`: GitOps repositories nest manifests), multi-document
// YAML, `kind: List`, comments and empty documents.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { manifestInvalid, manifestUnreadable } from '../errors.js';
import { isRecord, type KubeObject } from './objects.js';

export interface SourcedObject {
  object: KubeObject;
  /** `file:line` of the document the object came from */
  source: string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function listFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw manifestUnreadable(path, error);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return listFiles(child);
      return MANIFEST_FILE.test(entry.name) ? [child] : [];
    });
}

function expandLists(value: unknown, source: string): SourcedObject[] {
  if (value === null || value === undefined) return [];
  if (!isRecord(value)) throw manifestInvalid(source, 'a document must be a Kubernetes object (a mapping with apiVersion and kind)');
  if (typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items'])) {
    return value['items'].flatMap((item) => expandLists(item, source));
  }
  if (typeof value['kind'] !== 'string' || typeof value['apiVersion'] !== 'string') {
    throw manifestInvalid(source, 'object has no apiVersion or kind');
  }
  return [{ object: value as KubeObject, source }];
}

/** Parses one file's text; `file` labels errors and sources. */
export function parseManifestText(text: string, file: string): SourcedObject[] {
  // line numbers by binary search over the line starts the parser records (counting from the top
  // for every document made large multi-document files quadratic: minutes for a few MB)
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: true, lineCounter: lines });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.flatMap((doc) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line;
      throw manifestInvalid(`${file}:${line}`, `not valid YAML: ${error.message.split('\n')[0]}`);
    }
    const start = doc.contents?.range?.[0] ?? 0;
    return expandLists(doc.toJS({ maxAliasCount: 100 }), `${file}:${lines.linePos(start).line}`);
  });
}

export function readManifests(paths: readonly string[]): SourcedObject[] {
  return paths.flatMap(listFiles).flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw manifestUnreadable(file, error);
    }
    return parseManifestText(text, file);
  });
}
