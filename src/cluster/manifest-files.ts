// Which files a list of manifest paths stands for, as `kubectl apply -R -f` would read them:
// directories recursively (GitOps repositories nest manifests), .yaml/.yml/.json files, in name
// order. Hidden directories (.git, .github, …) are not manifests and are left out; `--exclude`
// globs leave out more. Symbolic links are followed; a directory (or file) reached a second time —
// a symlink loop, or two links to one place — is read once and the skip is reported as a note.
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { manifestUnreadable } from '../errors.js';
import { compilePathGlobs } from '../util/path-glob.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** `-` is stdin: yielded as is, where it stands among the paths. */
export function* manifestFiles(paths: readonly string[], exclude: readonly string[], note: (text: string) => void): Generator<string> {
  const globs = compilePathGlobs(exclude);
  const readDirs = new Map<string, string>();
  const readFiles = new Map<string, string>();
  const open = new Set<string>();

  function real(path: string): string {
    try {
      return realpathSync.native(path);
    } catch (error) {
      throw manifestUnreadable(path, error);
    }
  }

  /** `key`: the file's real path */
  function firstTime(file: string, key = real(file)): boolean {
    const first = readFiles.get(key);
    if (first !== undefined) {
      note(`${file}: skipped, the same file as ${first} (read once)`);
      return false;
    }
    readFiles.set(key, file);
    return true;
  }

  /**
   * `key`: the directory's real path. Below it, an entry that is no link has its real path without
   * asking the system (a realpath call per entry would cost a system call per directory above it).
   */
  function* walk(dir: string, root: string, key = real(dir)): Generator<string> {
    const first = readDirs.get(key);
    if (first !== undefined) {
      note(
        open.has(key)
          ? `${dir}: symbolic link back to ${first}, which is being read (a loop); not followed again`
          : `${dir}: skipped, the same directory as ${first} (read once)`,
      );
      return;
    }
    readDirs.set(key, dir);
    open.add(key);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw manifestUnreadable(dir, error);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = join(dir, entry.name);
      if (exclude.length > 0 && globs.excludes(entry.name, relative(root, child), child)) continue;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      const link = entry.isSymbolicLink();
      if (link) {
        try {
          const target = statSync(child);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch {
          note(`${child}: skipped, a symbolic link to nothing`);
          continue;
        }
      }
      const childKey = () => (link ? real(child) : join(key, entry.name));
      if (isDirectory) {
        if (!entry.name.startsWith('.')) yield* walk(child, root, childKey());
      } else if (isFile && MANIFEST_FILE.test(entry.name) && firstTime(child, childKey())) {
        yield child;
      }
    }
    open.delete(key);
  }

  for (const path of paths) {
    if (path === '-') {
      yield path;
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw manifestUnreadable(path, error);
    }
    if (isDirectory) yield* walk(path, path);
    else if (firstTime(path)) yield path;
  }
}
