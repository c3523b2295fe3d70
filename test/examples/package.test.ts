// What a user installs: the published files, the licence package.json names, an image on a
// supported Node LTS, and no production dependency that refuses the Node 20 netguard supports.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; files: string[]; engines: { node: string } };

/** Whether an engines range lets Node 20 in: ">=18", "^20.19.0 || >=22", "*" do; ">=22" does not. */
function admitsNode20(range: string): boolean {
  return range.split('||').some((alternative) => {
    const first = /^\s*(>=|>|\^|~|=)?\s*v?(\d+)/.exec(alternative);
    if (!first) return /^\s*\*?\s*$/.test(alternative);
    const major = Number(first[2]);
    return first[1] === '>=' || first[1] === '>' ? major <= 20 : major === 20;
  });
}

describe('the package', () => {
  it('lists only files that exist, and publishes the CLI, its config schema and the LICENSE', () => {
    expect(pkg.files.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
      files: { path: string }[];
    }[];
    const paths = packed[0]!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'dist/src/cli/main.js', 'dist/src/config/config.schema.json']));
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('bench/') || p.startsWith('src/'))).toEqual([]);
  });

  it('carries the full Apache-2.0 text its license field names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('has no production dependency that asks for a newer Node than package.json promises (>=20)', () => {
    expect(pkg.engines.node).toBe('>=20');
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } }> };
    const newer = Object.entries(lock.packages)
      .filter(([, entry]) => !entry.dev && entry.engines?.node !== undefined)
      .filter(([, entry]) => !admitsNode20(entry.engines!.node!))
      .map(([name, entry]) => `${name} ${entry.engines!.node}`);
    expect(newer).toEqual([]);
  });

  it('builds its image on a supported Node LTS (22 or 24)', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=(22|24)$/m);
    expect(dockerfile).not.toMatch(/node:20/);
  });
});
