// `mkdir -p` for directories users name (--out). Node 20's mkdirSync({ recursive: true }) never
// returns where mkdir fails with ENOENT under a parent that exists (/proc/x: it retries the parent
// forever, at 100 % CPU), so the path is walked up here and each missing level made once.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (error) {
    // made meanwhile by someone else: that is what was asked for
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
