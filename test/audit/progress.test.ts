// The audit's progress line: stderr only, terminals only, only after 2 s.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine } from '../../src/audit/progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream, written };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress line', () => {
  it('prints nothing when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const { stream, written } = fakeStream(false);
    const line = progressLine(stream);
    line.update({ kind: 'Pod', objects: 10, findings: 1 });
    vi.advanceTimersByTime(10_000);
    line.stop();
    expect(written).toEqual([]);
  });

  it('prints nothing for an audit shorter than 2 s, then a line that is cleared at the end', () => {
    vi.useFakeTimers();
    let now = 0;
    const { stream, written } = fakeStream(true);
    const line = progressLine(stream, () => now);
    line.update({ kind: 'NetworkPolicy', objects: 500, findings: 0 });
    now = 1_500;
    vi.advanceTimersByTime(1_500);
    expect(written).toEqual([]);
    now = 2_500;
    line.update({ kind: 'Pod', objects: 12_000, findings: 3 });
    vi.advanceTimersByTime(400);
    expect(written.at(-1)).toMatch(/reading pods… 12000 objects, 3 violations/);
    line.stop();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });
});
