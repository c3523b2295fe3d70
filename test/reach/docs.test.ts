// The reach examples in README.md and docs/reach.md show real output: every block marked
// `<!-- reach-check: COMMAND -->` is the command's stdout and exit code today.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netguardAsync, ROOT } from '../cli/run.js';

function checkedBlocks(file: string): [string, string[]][] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/<!-- reach-check: (.+?) -->\n```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!.split('\n')]);
}

describe.each(['README.md', 'docs/reach.md'])('%s', (file) => {
  const blocks = checkedBlocks(file);

  it('has reach examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks)('shows the real output of `%s`', async (command, lines) => {
    expect(lines[0]).toBe(`$ ${command}`);
    const status = lines.indexOf('$ echo $?');
    const run = await netguardAsync(command.split(' ').slice(1));
    expect(run.stdout.trimEnd().split('\n')).toEqual(lines.slice(1, status));
    expect(String(run.code)).toBe(lines[status + 1]);
  });
});
