// docs/configuration.md is generated from the config schema and defaults (scripts/config-reference.ts):
// a key added, renamed or re-described without `npm run docs:config` fails here.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PATH, renderReference } from '../../scripts/config-reference.js';
import { CONFIG_SCHEMA } from '../../src/config/load.js';

describe('docs/configuration.md', () => {
  it('is what the schema and the defaults render (run `npm run docs:config` after changing them)', () => {
    expect(readFileSync(REFERENCE_PATH, 'utf8')).toBe(renderReference());
  });

  it('has a row for every top-level key of the schema', () => {
    const doc = readFileSync(REFERENCE_PATH, 'utf8');
    for (const key of Object.keys(CONFIG_SCHEMA.properties)) expect(doc).toContain(`| \`${key}\` |`);
  });

  it('documents a schema that is itself valid JSON Schema (netguard skips that check when it starts)', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(CONFIG_SCHEMA), ajv.errorsText()).toBe(true);
  });
});
