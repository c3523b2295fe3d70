import { describe, expect, it } from 'vitest';
import { readProgress } from '../../src/cli/read-progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => (writes.push(text), true) };
}

describe('manifest read progress', () => {
  it('says nothing during the first 2 s, then a line at most every 200 ms, cleared at the end', () => {
    let clock = 0;
    const stream = fakeStream(true);
    const progress = readProgress(stream, () => clock);
    clock = 1_900;
    progress.update({ files: 10, objects: 100, bytes: 1024 * 1024 });
    expect(stream.writes).toEqual([]);
    clock = 2_100;
    progress.update({ files: 20, objects: 300, bytes: 3 * 1024 * 1024 });
    clock = 2_200;
    progress.update({ files: 21, objects: 310, bytes: 3 * 1024 * 1024 });
    progress.stop();
    expect(stream.writes).toEqual(['\r\x1b[Knetguard: reading manifests… 20 files, 300 objects, 3.0 MB (2s)', '\r\x1b[K']);
  });

  it('never writes when stderr is not a terminal', () => {
    let clock = 0;
    const stream = fakeStream(false);
    const progress = readProgress(stream, () => clock);
    clock = 10_000;
    progress.update({ files: 1, objects: 1, bytes: 1 });
    progress.stop();
    expect(stream.writes).toEqual([]);
  });
});
