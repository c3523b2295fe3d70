// Runs every fixture suite through the engine: each rule's allowed, disallowed and inventory cases.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../src/config/types.js';
import { Engine, formatViolation } from '../../src/rules/engine.js';
import { FIXTURES, loadSuite, suiteFiles } from '../support/suites.js';

const engine = new Engine();

describe('fixture suites', () => {
  it('every rule has a suite', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(expect.arrayContaining([...RULE_IDS].sort()));
  });

  for (const rule of RULE_IDS) for (const file of suiteFiles(rule)) {
    describe(`${rule} (${file})`, () => {
      const cases = loadSuite(rule, file);
      it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const found = engine.evaluate(c.request, c.snapshot, c.config).filter((v) => v.rule === c.rule);
        const denying = found.filter((v) => !v.warningOnly);
        const warnings = found.filter((v) => v.warningOnly);
        if (c.expect === 'allowed') expect(found.map(formatViolation)).toEqual([]);
        if (c.expect === 'violation') expect(denying.length).toBeGreaterThan(0);
        if (c.expect === 'warning') {
          expect(denying).toEqual([]);
          expect(warnings.length).toBeGreaterThan(0);
        }
        if (c.judgedIn) expect(denying.map((v) => v.mode)).toEqual(denying.map(() => c.judgedIn));
        const text = found.map(formatViolation).join('\n');
        for (const part of c.messageIncludes) expect(text).toContain(part);
      });
    });
  }
});
