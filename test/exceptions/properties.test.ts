// Properties over hostile requests and arbitrary exceptions and caps: exceptions split the rules'
// violations (nothing lost, nothing invented), never throw on hostile objects, and neither an
// exception nor a cap ever turns an allowed answer into a denial.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/admission/response.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig } from '../../src/config/load.js';
import { MODES, RULE_IDS } from '../../src/config/types.js';
import { applyExceptions } from '../../src/exceptions/apply.js';
import { Engine } from '../../src/rules/engine.js';
import { hostileObject, hostileRequest } from '../fuzz/arbitraries.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 300);
const engine = new Engine();
const NOW = Date.parse('2027-01-01T00:00:00Z');

const exception = fc.record(
  {
    rules: fc.oneof(fc.constant([...RULE_IDS]), fc.subarray([...RULE_IDS], { minLength: 1 })),
    // leaning towards exceptions that match, so the properties see many excepted violations
    namespaces: fc.constantFrom(['*'], ['*'], ['shop', 'pay*'], ['kube-?ystem', 'default']),
    kinds: fc.constantFrom([], [], [], ['Pod', 'Deployment'], ['NetworkPolicy', 'RoleBinding', 'Namespace'], ['cilium.io/CiliumNetworkPolicy']),
    names: fc.constantFrom([], [], ['*'], ['web*', '?']),
    requesters: fc.constantFrom([], [], [], ['alice@example.com', 'bob'], ['developers']),
    expires: fc.constantFrom('2026-12-31', '2027-01-01', '2027-06-30T12:00:00Z'),
  },
  { requiredKeys: ['rules', 'namespaces', 'expires'] },
);

const configOf = fc
  .record({
    exceptions: fc.array(exception, { minLength: 1, maxLength: 6 }),
    caps: fc.dictionary(fc.constantFrom(...RULE_IDS), fc.constantFrom(true, 'enforce', 'warn', 'audit') as fc.Arbitrary<boolean | string>),
  })
  .map(({ exceptions, caps }) =>
    compileConfig(
      {
        defaultMode: 'enforce',
        trustedCidrs: ['10.0.0.0/8'],
        exceptions: exceptions.map((e, i) => ({ ...e, name: `e${i}`, reason: `reason ${i}` })),
        rules: caps,
      },
      'fuzz',
    ),
  );

describe('exceptions and caps under hostile input', () => {
  it('split the violations without losing or inventing any, and only ever loosen the answer', () => {
    fc.assert(
      fc.property(hostileRequest, fc.array(hostileObject, { maxLength: 4 }), configOf, fc.constantFrom(...MODES), fc.boolean(), (request, inventory, config, mode, dryRun) => {
        const store = new ClusterStore();
        for (const object of inventory) store.upsert(object as KubeObject);
        const violations = engine.evaluate(request, store, config);
        const { violations: kept, excepted } = applyExceptions(request, violations, config, NOW);
        expect([...kept, ...excepted.map((e) => e.violation)].sort((a, b) => a.message.localeCompare(b.message))).toEqual(
          [...violations].sort((a, b) => a.message.localeCompare(b.message)),
        );
        for (const { exception } of excepted) expect(exception.expiresAt).toBeGreaterThan(NOW);

        const plain = decide('u', { mode, dryRun, violations });
        const judged = decide('u', { mode, dryRun, violations: kept, excepted, ruleCaps: config.ruleCaps });
        if (plain.response.allowed) expect(judged.response.allowed).toBe(true);
        if (excepted.length > 0 && mode !== 'disabled') expect(judged.response.auditAnnotations?.['exception']).toBeTruthy();
      }),
      { numRuns: runs },
    );
  });
});
