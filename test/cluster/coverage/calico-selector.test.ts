import { describe, expect, it } from 'vitest';
import { calicoMatches, CalicoSelectorError, parseCalicoSelector, tokenize } from '../../../src/cluster/coverage/calico-selector.js';

const LABELS = { env: 'prod', 'projectcalico.org/name': 'team-a', tier: 'web-frontend', 'kubernetes.io/metadata.name': 'team-a' };

describe('Calico selector expressions', () => {
  it.each<[string, boolean]>([
    ['', true],
    ['all()', true],
    ['global()', false],
    ["env == 'prod'", true],
    ['env == "prod"', true],
    ["env == 'dev'", false],
    ["env != 'dev'", true],
    ["missing != 'x'", true],
    ['has(env)', true],
    ['!has(env)', false],
    ['has(missing)', false],
    ['!has(missing)', true],
    ["env in {'dev', 'prod'}", true],
    ["env in {}", false],
    ["missing in {'a'}", false],
    ["env not in {'dev', 'prod'}", false],
    ["missing not in {'a'}", true],
    ["projectcalico.org/name == 'team-a'", true],
    ["tier contains 'front'", true],
    ["tier starts with 'web'", true],
    ["tier ends with 'end'", true],
    ["missing contains ''", false],
    ["env == 'prod' && has(tier)", true],
    ["env == 'dev' || has(tier)", true],
    ["env == 'dev' || has(nope)", false],
    ["!(env == 'dev' || has(nope))", true],
    ["env == 'prod' && (has(nope) || tier == 'web-frontend')", true],
    ["!!has(env)", true],
    // && binds tighter than ||
    ["has(nope) && has(env) || has(tier)", true],
    ["has(nope) && (has(env) || has(tier))", false],
    ['  all( )  ', true],
    ["kubernetes.io/metadata.name in {'team-a','team-b'}", true],
  ])('%j on the labels is %s', (text, expected) => {
    expect(calicoMatches(parseCalicoSelector(text), LABELS)).toBe(expected);
  });

  it.each<[string, number, string]>([
    ["env == 'prod", 7, 'unterminated string'],
    ['env ==', 6, 'expected a quoted string, found the end of the selector'],
    ['env = "x"', 4, 'unexpected character "="'],
    ["env in {'a' 'b'}", 12, 'expected , or }'],
    ["env in 'a'", 7, 'expected {'],
    ['has(env', 7, 'expected )'],
    ['all() all()', 6, 'expected && or || or the end'],
    ["env not 'a'", 8, 'expected "in"'],
    ["env starts 'a'", 11, 'expected "with"'],
    ['(has(a)', 7, 'expected )'],
    ['&& has(a)', 0, 'expected a label key'],
    ['env', 3, 'expected ==, !=, in, not in'],
    ['has()', 4, 'expected a label key inside has(…)'],
    ["env == 'a' & has(b)", 11, 'unexpected character "&"'],
  ])('%j is refused at position %i (%s)', (text, position, detail) => {
    let caught: unknown;
    try {
      parseCalicoSelector(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CalicoSelectorError);
    expect((caught as CalicoSelectorError).position).toBe(position);
    expect((caught as Error).message).toContain(`position ${position}`);
    expect((caught as Error).message).toContain(detail);
  });

  it('tokenizes keys with dots, slashes and dashes as one word', () => {
    expect(tokenize("a.b/c-d_e == 'x'").map((t) => t.type)).toEqual(['word', '==', 'string', 'end']);
  });
});
