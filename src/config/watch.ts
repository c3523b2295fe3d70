// Reloading the files `serve` is configured by (the config, and the TLS files through
// server/tls.ts) without a restart.
//
// Files change in three ways, all of which must be seen:
//  - written in place (echo >, most tools): the file's own change event;
//  - replaced by rename (vim, sed -i, atomic writers): the directory sees the new name appear;
//  - a Kubernetes ConfigMap/Secret volume: `config.yaml` is a symlink into `..data`, and the
//    kubelet swaps the `..data` symlink to a new timestamped directory, so only the directory
//    changes and the file's own watcher never fires.
// So each file's directory is watched (fs.watch, fast) and each path is also polled with stat
// (fs.watchFile follows symlinks: catches what fs.watch misses on some filesystems). Bursts of
// events are debounced into one reload; a reload whose content did not change does nothing.
import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher, type StatsListener } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { configUnreadable, errorText } from '../errors.js';
import type { Logger } from '../log.js';
import { parseConfigText } from './load.js';
import type { Config } from './types.js';

export interface WatchHandle {
  close(): void;
}

export interface WatchOptions {
  /** quiet period after the last event before reacting (ms) */
  debounceMs?: number;
  /** stat polling interval (ms) */
  pollMs?: number;
}

/** Calls `onChange` (debounced) whenever any of `paths` may have changed. */
export function watchPaths(paths: readonly string[], onChange: () => void, options: WatchOptions = {}): WatchHandle {
  const debounceMs = options.debounceMs ?? 200;
  const pollMs = options.pollMs ?? 2000;
  const files = [...new Set(paths.map((p) => resolve(p)))];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const trigger = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set(files.map((f) => dirname(f)))) {
    try {
      // any entry in the directory: the kubelet's `..data` swap changes no watched name
      const watcher = watch(dir, { persistent: false }, trigger);
      watcher.on('error', () => undefined); // the directory went away; polling still covers the file
      watchers.push(watcher);
    } catch {
      // no inotify (or no directory yet): polling alone still notices changes
    }
  }
  const poll: StatsListener = (current, previous) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) trigger();
  };
  for (const file of files) watchFile(file, { persistent: false, interval: pollMs }, poll);

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const file of files) unwatchFile(file, poll);
    },
  };
}

export type ReloadResult = 'success' | 'failure';

export interface ConfigWatcherOptions extends WatchOptions {
  logger: Logger;
  /** counts reloads (netguard_config_reloads_total{result}) */
  onReload?: (result: ReloadResult) => void;
}

export interface ConfigWatcher extends WatchHandle {
  /** the config in force; reviews call this once each, so a swap never splits a review */
  current(): Config;
  /** re-reads the file now; true when a new config took effect */
  reload(): boolean;
}

/**
 * Keeps `current()` up to date with `file`. An invalid new version (bad YAML, schema error,
 * unreadable) is refused: the old config stays, the error is logged naming the file and key path.
 */
export function watchConfig(file: string, initial: Config, options: ConfigWatcherOptions): ConfigWatcher {
  const { logger, onReload } = options;
  let config = initial;
  let lastText: string | undefined = readText(file);

  const reload = (): boolean => {
    let text: string;
    try {
      text = readText(file, true) as string;
    } catch (error) {
      if (lastText === undefined) return false; // still unreadable: already reported
      lastText = undefined;
      return refuse(error);
    }
    // editors and the kubelet fire several events per change; only new content counts
    if (text === lastText) return false;
    lastText = text;
    try {
      config = parseConfigText(text, file);
    } catch (error) {
      return refuse(error);
    }
    logger.info({ file }, 'config reloaded');
    onReload?.('success');
    return true;
  };

  const refuse = (error: unknown): boolean => {
    logger.error({ file, problem: errorText(error) }, 'config change refused; the previous config stays in force');
    onReload?.('failure');
    return false;
  };

  const handle = watchPaths([file], reload, options);
  return {
    current: () => config,
    reload,
    close: handle.close,
  };
}

function readText(file: string, strict = false): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (strict) throw configUnreadable(file, error);
    return undefined;
  }
}
