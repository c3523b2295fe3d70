// Namespace globs: `*` matches any run of characters, `?` exactly one; everything else is literal.

export interface GlobSet {
  readonly patterns: readonly string[];
  matches(name: string): boolean;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export function compileGlobs(patterns: readonly string[]): GlobSet {
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)));
  const wildcards = patterns.filter((p) => /[*?]/.test(p)).map(globToRegExp);
  const matchesAll = patterns.includes('*');
  return {
    patterns,
    matches: (name) => matchesAll || exact.has(name) || wildcards.some((re) => re.test(name)),
  };
}
