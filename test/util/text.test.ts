import { describe, expect, it } from 'vitest';
import { brief, listAtMost } from '../../src/util/text.js';

describe('listAtMost', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b', 'c'], 'a, b, c'],
    [Array.from({ length: 12 }, (_, i) => `p${i + 1}`), 'p1, p2, p3, p4, p5, p6, p7, p8, p9, p10 and 2 more'],
  ])('%j → %s', (items, text) => {
    expect(listAtMost(items)).toBe(text);
  });

  it('takes a bound and a separator', () => {
    expect(listAtMost(['x', 'y', 'z'], 2, '; ')).toBe('x; y and 1 more');
  });
});

describe('brief', () => {
  it('shows short JSON whole and cuts long JSON', () => {
    expect(brief('10.0.0.0/8')).toBe('"10.0.0.0/8"');
    expect(brief(5)).toBe('5');
    expect(brief(undefined)).toBe('undefined');
    expect(brief('x'.repeat(100))).toBe(`"${'x'.repeat(56)}...`);
  });

  it('survives nesting deeper than JSON.stringify can walk', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(brief(deep)).toBe('[...]');
  });
});
