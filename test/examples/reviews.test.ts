// Every example review (examples/reviews/*.json) answered by the real admission handler with the
// example config and cluster state, checked against examples/reviews/expected.yaml. Keeps the
// README's curl and kubectl examples honest.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AdmissionHandler } from '../../src/admission/handler.js';
import type { AdmissionReview, AdmissionReviewResponse } from '../../src/admission/types.js';
import { loadStaticState } from '../../src/cluster/static.js';
import { loadConfigFile } from '../../src/config/load.js';
import { RULE_IDS } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { Engine } from '../../src/rules/engine.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const REVIEWS = `${ROOT}examples/reviews/`;

interface Expected {
  shows: string;
  allowed: boolean;
  denies?: string[];
  warns?: string[];
  audits?: string[];
}

const expected = parse(readFileSync(`${REVIEWS}expected.yaml`, 'utf8')) as Record<string, Expected>;
const files = readdirSync(REVIEWS).filter((f) => f.endsWith('.json')).sort();

const config = loadConfigFile(`${ROOT}examples/config.yaml`);
const snapshot = loadStaticState([`${ROOT}examples/cluster`]);
const handler = new AdmissionHandler({
  engine: new Engine(),
  config: () => config,
  source: { snapshot, ready: () => true, close: async () => {} },
  logger: createLogger({ level: 'silent' }),
});

/** `rule-id: message` lines → the rule ids, in order. */
const ruleIds = (lines: readonly string[]) => lines.map((line) => line.slice(0, line.indexOf(':')));

describe('examples/reviews', () => {
  it('every review has an expectation and every expectation a review', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it('every rule has an allowed and a denied example, plus warn and audit mode', () => {
    const entries = Object.entries(expected);
    for (const rule of RULE_IDS) {
      expect(entries.some(([, e]) => e.shows === rule && e.allowed), `an allowed example for ${rule}`).toBe(true);
      expect(entries.some(([, e]) => e.shows === rule && e.denies?.includes(rule)), `a denied example for ${rule}`).toBe(true);
    }
    for (const [file, e] of entries) expect(file.endsWith(e.allowed ? '-denied.json' : '-allowed.json'), file).toBe(false);
    expect(files.some((f) => f.endsWith('-warn.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('-audit.json'))).toBe(true);
  });

  it.each(files)('%s', async (file) => {
    const review = JSON.parse(readFileSync(`${REVIEWS}${file}`, 'utf8')) as AdmissionReview;
    const want = expected[file]!;
    const { statusCode, body } = await handler.handle(review);
    expect(statusCode).toBe(200);
    const { apiVersion, kind, response } = body as AdmissionReviewResponse;
    expect({ apiVersion, kind, uid: response.uid }).toEqual({ apiVersion: review.apiVersion, kind: 'AdmissionReview', uid: review.request.uid });

    expect(response.allowed).toBe(want.allowed);
    const denies = want.denies ?? [];
    if (want.allowed) {
      expect(response.status).toBeUndefined();
    } else {
      expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
      expect(ruleIds(response.status!.message.split('\n'))).toEqual(denies);
    }
    expect(ruleIds(response.warnings ?? [])).toEqual(want.warns ?? []);
    expect(Object.keys(response.auditAnnotations ?? {}).sort()).toEqual([...(want.audits ?? denies)].sort());
  });
});
