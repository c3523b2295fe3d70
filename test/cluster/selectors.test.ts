import { describe, expect, it } from 'vitest';
import { compileSelector, isEmptySelector } from '../../src/cluster/selectors.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    ['null selects all', null, {}, true],
    ['empty selects all', {}, labels, true],
    ['empty lists select all', { matchLabels: {}, matchExpressions: [] }, labels, true],
    ['matchLabels hit', { matchLabels: { app: 'web' } }, labels, true],
    ['matchLabels miss', { matchLabels: { app: 'db' } }, labels, false],
    ['matchLabels AND', { matchLabels: { app: 'web', tier: 'back' } }, labels, false],
    ['In hit', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] }, labels, true],
    ['In missing key', { matchExpressions: [{ key: 'x', operator: 'In', values: ['a'] }] }, labels, false],
    ['NotIn missing key holds', { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] }, labels, true],
    ['NotIn hit fails', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels, false],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels, false],
    ['labels AND expressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels, false],
    ['malformed operator selects nothing', { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, labels, false],
    ['In without values selects nothing', { matchExpressions: [{ key: 'app', operator: 'In' }] }, labels, false],
    ['Exists with values selects nothing', { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }, labels, false],
    ['non-string label value selects nothing', { matchLabels: { app: 1 } }, labels, false],
    ['array selects nothing', [], labels, false],
  ])('%s', (_name, selector, input, expected) => {
    expect(compileSelector(selector).matches(input)).toBe(expected);
  });

  it('knows the empty selector', () => {
    expect(isEmptySelector(undefined)).toBe(true);
    expect(isEmptySelector({ matchLabels: {} })).toBe(true);
    expect(isEmptySelector({ matchLabels: { a: 'b' } })).toBe(false);
    expect(isEmptySelector('x')).toBe(false);
  });
});
