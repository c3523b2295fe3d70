// The engine never throws on hostile objects: every rule guards its reads.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdmissionRequest, Operation, UserInfo } from '../../src/admission/types.js';
import { readManifests } from '../../src/cluster/manifests.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { loadStaticState } from '../../src/cluster/static.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { compileConfig, loadConfigFile } from '../../src/config/load.js';
import { RULE_IDS } from '../../src/config/types.js';
import { Engine } from '../../src/rules/engine.js';
import { makeRequest } from '../support/requests.js';
import { FIXTURES } from '../support/suites.js';
import { hostileObject, hostileRequest } from './arbitraries.js';
import { deepObject, deepValue, dropAt, FIELD_PATHS, fresh, pathsOf, pollution, SEEDS, setAt, unicodeString, wrongValue, type Path } from './reviews.js';

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

// ---- mutated real objects -------------------------------------------------------------------

const ROOT = new URL('../../', import.meta.url).pathname;

/** Valid objects of every judged kind: the example reviews' objects, the example cluster, the rule fixtures. */
const SEED_OBJECTS: KubeObject[] = [
  ...[...SEEDS.values()].flatMap((review) => {
    const request = review['request'] as { object?: KubeObject | null; oldObject?: KubeObject | null };
    return [request.object, request.oldObject].filter((o): o is KubeObject => Boolean(o));
  }),
  ...readManifests([
    `${ROOT}examples/cluster`,
    ...readdirSync(FIXTURES).flatMap((rule) =>
      readdirSync(`${FIXTURES}${rule}`)
        .filter((entry) => entry === 'allowed' || entry === 'disallowed' || entry.startsWith('inventory'))
        .map((entry) => `${FIXTURES}${rule}/${entry}`),
    ),
  ]).map((s) => s.object),
];

const exampleConfig = loadConfigFile(`${ROOT}examples/config.yaml`);
const RULE_ID_SET: ReadonlySet<string> = new Set(RULE_IDS);

/** Something to put in place of a field: wrong types, pollution, 5,000 levels of nesting, 10,000 items. */
const objectReplacement: fc.Arbitrary<() => unknown> = fc.oneof(
  { weight: 6, arbitrary: wrongValue.map((value) => () => fresh(value)) },
  { weight: 2, arbitrary: pollution.map((value) => () => fresh(value)) },
  { weight: 1, arbitrary: deepValue.map((deep) => () => deepObject(deep)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 10_000 }), fc.array(fc.oneof(wrongValue, fc.record({ ipBlock: fc.record({ cidr: unicodeString }) })), { minLength: 1, maxLength: 3 }))
      .map(([size, items]) => () => fresh(Array.from({ length: size }, (_, i) => items[i % items.length]))),
  },
);

/** Where the rules read inside an object (found anywhere else by walking the object). */
const READ_PATHS: readonly Path[] = FIELD_PATHS.filter((p) => p[0] === 'request' && p[1] === 'object' && p.length > 2).map((p) => p.slice(2));

/** A seed object with one to four fields (anywhere, found by walking it) dropped or replaced. */
const mutatedObject: fc.Arbitrary<KubeObject> = fc
  .record({
    seed: fc.nat(SEED_OBJECTS.length - 1),
    mutations: fc.array(
      fc.record({ at: fc.oneof(fc.nat(), fc.constantFrom(...READ_PATHS)), what: fc.option(objectReplacement, { freq: 4 }) }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ seed, mutations }) => {
    const object = JSON.parse(JSON.stringify(SEED_OBJECTS[seed])) as KubeObject;
    for (const { at, what } of mutations) {
      const paths = typeof at === 'number' ? pathsOf(object, 500) : [at];
      if (paths.length === 0) break;
      const path: Path = typeof at === 'number' ? paths[at % paths.length]! : at;
      if (what === null) dropAt(object, path);
      else setAt(object, path, what());
    }
    return object;
  });

const OPERATIONS: Operation[] = ['CREATE', 'UPDATE', 'DELETE'];
const USERS: UserInfo[] = [
  { username: 'alice@example.com', groups: ['system:authenticated'] },
  { username: 'bob@example.com', groups: ['developers'] },
  { username: 'system:serviceaccount:gitops:argocd-application-controller' },
  { username: 'carol@example.com', groups: ['netpol-admins'] },
];

/** A request for the mutated object's own kind, as kube-apiserver would address it. */
const mutatedRequest: fc.Arbitrary<AdmissionRequest> = fc
  .record({
    object: mutatedObject,
    old: fc.option(mutatedObject),
    operation: fc.constantFrom(...OPERATIONS),
    user: fc.constantFrom(...USERS),
  })
  .map(({ object, old, operation, user }) => {
    const source = typeof object.kind === 'string' && typeof object.apiVersion === 'string' ? object : SEED_OBJECTS[0]!;
    const shaped: KubeObject = { ...object, kind: source.kind, apiVersion: source.apiVersion };
    const request = makeRequest(shaped, { operation: operation === 'DELETE' ? 'UPDATE' : operation, user });
    // the mutated object itself (kind/apiVersion possibly wrong too), and an unrelated old version
    return { ...request, operation, object: operation === 'DELETE' ? null : object, oldObject: operation === 'CREATE' ? null : (old ?? object) };
  });

describe('engine on mutated real objects', () => {
  it('every rule judges mutated example and fixture objects without throwing', { timeout: 30_000 + runs * 20 }, () => {
    const store = loadStaticState([`${ROOT}examples/cluster`]);
    fc.assert(
      fc.property(mutatedRequest, fc.array(mutatedObject, { maxLength: 3 }), (request, inventory) => {
        // the cluster state itself is hostile too: mutated objects go into the store
        for (const object of inventory) store.upsert(object);
        for (const judgedBy of [exampleConfig, config]) {
          for (const violation of engine.evaluate(request, store, judgedBy)) {
            expect(RULE_ID_SET.has(violation.rule)).toBe(true);
            expect(typeof violation.message).toBe('string');
            expect(violation.message.length).toBeGreaterThan(0);
          }
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: runs },
    );
  });
});

describe('engine on each field a rule reads, in each hostile shape', () => {
  const polluted = {};
  Object.defineProperty(polluted, '__proto__', { value: { polluted: 'yes' }, enumerable: true });
  const SHAPES: [string, unknown][] = [
    ['null', null],
    ['a number', 7],
    ['true', true],
    ['a string', 'x'],
    ['a lone surrogate', '\ud800'],
    ['{}', {}],
    ['[]', []],
    ['an own __proto__ key', polluted],
    ...[0, 1, 2, 3, 4, 5].map((level): [string, unknown] => [`10,000 levels (kind ${level})`, deepObject({ depth: 10_000, level, leaf: '"x"' })]),
    ['10,000 nulls', Array.from({ length: 10_000 }, () => null)],
    ['10,000 strings', Array.from({ length: 10_000 }, (_, i) => `item-${i}`)],
    ['10,000 bad ipBlocks', Array.from({ length: 10_000 }, () => ({ ipBlock: { cidr: 'nope' } }))],
    ['a megabyte string', 'x'.repeat(1 << 20)],
  ];
  const byKind = new Map<string, KubeObject>();
  for (const object of SEED_OBJECTS) if (typeof object.kind === 'string' && !byKind.has(object.kind)) byKind.set(object.kind, object);

  it.each([...byKind.keys()])('%s: no rule throws, whatever a field holds', (kind) => {
    const store = loadStaticState([`${ROOT}examples/cluster`]);
    const seedObject = byKind.get(kind)!;
    for (const path of READ_PATHS) {
      for (const [shape, value] of SHAPES) {
        const object = JSON.parse(JSON.stringify(seedObject)) as KubeObject;
        setAt(object, path, value);
        for (const operation of ['CREATE', 'UPDATE'] as const) {
          const request = makeRequest(object, { operation, oldObject: seedObject, user: { username: 'bob@example.com' } });
          let violations;
          try {
            violations = engine.evaluate(request, store, exampleConfig);
          } catch (error) {
            throw new Error(`${kind} ${operation} with ${shape} at ${path.join('.')}: ${(error as Error).message}`, { cause: error });
          }
          for (const violation of violations) expect(typeof violation.message).toBe('string');
        }
      }
    }
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

