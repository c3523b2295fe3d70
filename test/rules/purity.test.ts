// Rules are pure functions of (request, snapshot, config): no clock, no network, no file system,
// no logger — checked on the sources of the rules and of everything they import.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../src/config/types.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** The rule files and, transitively, the project modules they import. */
function closure(entries: string[]): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const [, spec] of text.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
      if (spec!.startsWith('.')) queue.push(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
    }
  }
  return seen;
}

const ruleFiles = RULE_IDS.map((id) => join(SRC, 'rules', `${id}.ts`));
const sources = closure([...ruleFiles, join(SRC, 'rules/engine.ts')]);

describe('rule purity', () => {
  it('reaches only pure project modules', () => {
    const outside = [...sources.keys()].filter((f) => !/\/src\/(rules|rbac|exceptions\/apply|cluster\/(facts|objects|store|snapshot|selectors|coverage\/[a-z-]+)|config\/(modes|types)|util)\b/.test(f));
    expect(outside.map((f) => f.slice(SRC.length))).toEqual([]);
  });

  it.each([...sources.entries()].map(([file, text]) => [file.slice(SRC.length), text] as const))('%s reads no clock, network, file system or logger', (_file, text) => {
    const runtimeImports = [...text.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    const external = runtimeImports.filter((spec) => !spec.startsWith('.'));
    // node:net only for its pure address parsers (isIPv4/isIPv6), node:util only for isDeepStrictEqual
    expect(external.filter((spec) => !/^node:(net|util)$/.test(spec))).toEqual([]);
    if (external.includes('node:net')) expect(text).toMatch(/import \{ isIPv4, isIPv6 \} from 'node:net'/);
    if (external.includes('node:util')) expect(text).toMatch(/import \{ isDeepStrictEqual \} from 'node:util'/);
    expect(text).not.toMatch(/\b(Date\.now|new Date\(|performance\.|process\.|setTimeout|setInterval|fetch\(|console\.|Math\.random)/);
  });
});
