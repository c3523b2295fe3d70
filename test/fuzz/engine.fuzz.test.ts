// The engine never throws on hostile objects: every rule guards its reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig } from '../../src/config/load.js';
import { Engine } from '../../src/rules/engine.js';
import { hostileObject, hostileRequest } from './arbitraries.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 400);
const config = compileConfig({ defaultMode: 'enforce', trustedCidrs: ['10.0.0.0/8', 'fd00::/8'] }, 'fuzz');
const engine = new Engine();

describe('engine under hostile input', () => {
  it('judges any request without throwing, and every violation names its rule', () => {
    const store = new ClusterStore();
    fc.assert(
      fc.property(hostileRequest, fc.array(hostileObject, { maxLength: 5 }), (request, inventory) => {
        for (const object of inventory) store.upsert(object as KubeObject);
        const violations = engine.evaluate(request, store, config);
        for (const v of violations) expect(typeof v.message).toBe('string');
      }),
      { numRuns: runs },
    );
  });

  it('keeps Object.prototype clean', () => {
    fc.assert(
      fc.property(hostileRequest, (request) => {
        engine.evaluate(request, new ClusterStore(), config);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: Math.ceil(runs / 4) },
    );
  });
});
