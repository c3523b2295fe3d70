// Path globs for `--exclude`, as .gitignore reads them: a pattern without `/` matches a file or
// directory name anywhere (`values*.yaml`, `charts`); a pattern with `/` matches the path relative
// to the directory given on the command line, or the path as written (`charts/**`, `./ci/*.yaml`).
// `*` and `?` stay within one path segment, `**` crosses segments.

export interface PathGlobs {
  /** `relative`: path below the argument directory; `full`: the path as joined from the argument */
  excludes(name: string, relative: string, full: string): boolean;
}

function toRegExp(glob: string): RegExp {
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (glob.slice(i) === '/**') {
      // `dir/**`: the directory and everything below it
      body += '(?:/.*)?';
      break;
    } else if (ch === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories
      const slash = glob[i + 2] === '/';
      body += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') body += '[^/]*';
    else if (ch === '?') body += '[^/]';
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${body}$`);
}

const clean = (path: string) => path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');

export function compilePathGlobs(patterns: readonly string[]): PathGlobs {
  const byName = patterns.filter((p) => !clean(p).includes('/')).map((p) => toRegExp(clean(p)));
  const byPath = patterns.filter((p) => clean(p).includes('/')).map((p) => toRegExp(clean(p)));
  return {
    excludes(name, relative, full) {
      if (byName.some((re) => re.test(name))) return true;
      const rel = clean(relative);
      const whole = clean(full);
      return byPath.some((re) => re.test(rel) || re.test(whole));
    },
  };
}
