// Every relative link of the README and the guides in docs/ leads somewhere: the file exists and,
// for a `#anchor`, the Markdown file it names has a heading with that anchor (GitHub's rule: lower
// case, punctuation dropped, spaces to hyphens, a repeated heading gets -1, -2…).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const FILES = ['README.md', 'certs/README.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The anchors of a Markdown file's headings (fenced code blocks left out). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Links of a Markdown file outside code: `[text](target)` and `![alt](target)`, web links left out. */
function linksOf(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

describe.each(FILES)('%s', (file) => {
  const path = join(ROOT, file);

  it('links only to files and headings that exist', () => {
    const broken = linksOf(readFileSync(path, 'utf8')).filter((target) => {
      const [to, anchor] = target.split('#') as [string, string | undefined];
      const resolved = to === '' ? path : join(dirname(path), to);
      if (!existsSync(resolved)) return true;
      return anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor);
    });
    expect(broken.map((target) => `${target} (from ${relative(ROOT, path)})`)).toEqual([]);
  });
});
