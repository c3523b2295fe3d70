// Progress of a long manifest read on stderr: only on a terminal (never in pipes, CI logs or
// files), only once reading has taken 2 s, and cleared before the results are printed. Reading is
// synchronous, so the line is drawn from the reader's callback (after each object), not from a timer.
import type { ReadOptions } from '../cluster/manifests.js';

const SHOW_AFTER_MS = 2_000;
const REFRESH_MS = 200;

type Progress = Parameters<NonNullable<ReadOptions['onProgress']>>[0];

export interface ReadProgress {
  update(progress: Progress): void;
  stop(): void;
}

export function readProgress(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'> = process.stderr, now: () => number = Date.now): ReadProgress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = now();
  let drawn = -Infinity;
  let shown = false;
  return {
    update({ files, objects, bytes }) {
      const t = now();
      if (t - started < SHOW_AFTER_MS || t - drawn < REFRESH_MS) return;
      drawn = t;
      shown = true;
      const mb = (bytes / 1024 / 1024).toFixed(1);
      stream.write(`\r\x1b[Knetguard: reading manifests… ${files} files, ${objects} objects, ${mb} MB (${Math.round((t - started) / 1000)}s)`);
    },
    stop() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
