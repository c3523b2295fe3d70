// Whole request bodies for the server fuzzer. Seeds are the real example reviews
// (examples/reviews/*.json); each body is a seed with some of its fields dropped or replaced (wrong
// types, unicode, prototype-pollution keys, huge arrays, deep nesting), or raw bytes that are not
// an AdmissionReview at all, sent with a content type that may be wrong.
//
// Deep values are never built as objects here: JSON.stringify recurses and would overflow the
// test's own stack. A marker string stands in for them and is swapped for the nested text after
// serialising, so the server receives thousands of levels the test never had to walk.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hostileValue } from './arbitraries.js';

const REVIEWS = new URL('../../examples/reviews/', import.meta.url).pathname;

export type Key = string | number;
export type Path = readonly Key[];
type Container = Record<string, unknown> | unknown[];

/** The example reviews, by file name. */
export const SEEDS: ReadonlyMap<string, Record<string, unknown>> = new Map(
  readdirSync(REVIEWS)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(`${REVIEWS}${file}`, 'utf8')) as Record<string, unknown>]),
);
const SEED_NAMES = [...SEEDS.keys()];

export function seed(name: string): Record<string, unknown> {
  const value = SEEDS.get(name);
  if (!value) throw new Error(`no example review ${name}`);
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** Every field the SPEC names, and the object fields the rules read. */
export const FIELD_PATHS: readonly Path[] = [
  ['apiVersion'],
  ['kind'],
  ['request'],
  ['request', 'uid'],
  ['request', 'kind'],
  ['request', 'kind', 'group'],
  ['request', 'kind', 'version'],
  ['request', 'kind', 'kind'],
  ['request', 'resource'],
  ['request', 'operation'],
  ['request', 'userInfo'],
  ['request', 'userInfo', 'username'],
  ['request', 'userInfo', 'groups'],
  ['request', 'userInfo', 'groups', 0],
  ['request', 'userInfo', 'extra'],
  ['request', 'object'],
  ['request', 'oldObject'],
  ['request', 'namespace'],
  ['request', 'name'],
  ['request', 'subResource'],
  ['request', 'dryRun'],
  ['request', 'object', 'metadata'],
  ['request', 'object', 'metadata', 'name'],
  ['request', 'object', 'metadata', 'namespace'],
  ['request', 'object', 'metadata', 'labels'],
  ['request', 'object', 'metadata', 'labels', 'netguard.io/mode'],
  ['request', 'object', 'metadata', 'annotations'],
  ['request', 'object', 'spec'],
  ['request', 'object', 'spec', 'serviceAccountName'],
  ['request', 'object', 'spec', 'template', 'spec'],
  ['request', 'object', 'spec', 'podSelector'],
  ['request', 'object', 'spec', 'policyTypes'],
  ['request', 'object', 'spec', 'ingress'],
  ['request', 'object', 'spec', 'egress', 0, 'to', 0, 'ipBlock', 'cidr'],
  ['request', 'object', 'spec', 'ingress', 0, 'from', 0, 'ipBlock', 'cidr'],
  ['request', 'object', 'spec', 'ingress', 0, 'from', 0, 'ipBlock'],
  ['request', 'object', 'spec', 'podSelector', 'matchLabels'],
  ['request', 'object', 'spec', 'policyTypes', 0],
  ['request', 'object', 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'serviceAccountName'],
  ['request', 'object', 'spec', 'serviceAccount'],
  ['request', 'object', 'metadata', 'annotations', 'kubernetes.io/config.mirror'],
  ['request', 'object', 'metadata', 'deletionTimestamp'],
  ['request', 'object', 'status', 'phase'],
  ['request', 'object', 'rules', 0, 'apiGroups'],
  ['request', 'object', 'rules', 0, 'resources'],
  ['request', 'object', 'rules', 0, 'nonResourceURLs'],
  ['request', 'object', 'subjects', 0, 'kind'],
  ['request', 'object', 'subjects', 0, 'namespace'],
  ['request', 'object', 'roleRef', 'kind'],
  ['request', 'object', 'rules'],
  ['request', 'object', 'rules', 0, 'verbs'],
  ['request', 'object', 'subjects'],
  ['request', 'object', 'subjects', 0, 'name'],
  ['request', 'object', 'roleRef'],
  ['request', 'object', 'roleRef', 'name'],
  ['request', 'oldObject', 'metadata', 'labels'],
  ['request', 'oldObject', 'spec'],
];

/** Every path inside a JSON value (root excluded), breadth first, at most `limit` of them. */
export function pathsOf(root: unknown, limit = 2_000): Path[] {
  const paths: Path[] = [];
  const queue: [Path, unknown][] = [[[], root]];
  while (queue.length > 0 && paths.length < limit) {
    const [path, node] = queue.shift()!;
    if (path.length > 0) paths.push(path);
    if (Array.isArray(node)) node.forEach((item, i) => queue.push([[...path, i], item]));
    else if (typeof node === 'object' && node !== null) for (const [key, item] of Object.entries(node)) queue.push([[...path, key], item]);
  }
  return paths;
}

/**
 * A private copy of a generated value: fast-check hands out the same constants (`{}`, `[]`) again
 * and again, and a later mutation inside a shared one could change other runs or make a cycle.
 * (JSON.parse keeps `__proto__` keys as own properties.)
 */
export function fresh<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** An own data property, even for `__proto__` (a plain assignment would set the prototype). */
function define(target: Container, key: Key, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function own(target: Container, key: Key): unknown {
  return Object.prototype.hasOwnProperty.call(target, key) ? (target as Record<Key, unknown>)[key] : undefined;
}

/** Sets `value` at `path`, turning whatever is in the way into containers. */
export function setAt(root: Container, path: Path, value: unknown): void {
  let node: Container = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) return define(node, key, value);
    let next = own(node, key);
    if (typeof next !== 'object' || next === null) {
      next = typeof path[i + 1] === 'number' ? [] : {};
      define(node, key, next);
    }
    node = next as Container;
  });
}

export function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = own(node as Container, key);
  }
  return node;
}

export function dropAt(root: Container, path: Path): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = own(node as Container, key);
  }
  if (typeof node !== 'object' || node === null) return;
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete (node as Record<Key, unknown>)[last];
}

// ---- values --------------------------------------------------------------------------------

const ZERO_WIDTH = '\u200b\u200c\u200d\u2060\ufeff';
export const unicodeString = fc.oneof(
  fc.constantFrom(
    '\ud800', // lone high surrogate
    '\udfff', // lone low surrogate
    'a\ud83dz', // a surrogate pair cut in half
    `def${ZERO_WIDTH}ault`, // looks like "default"
    '\u202eyltnuocca', // right-to-left override
    'שלום-עולם', // right to left
    'مرحبا',
    'default\u0000',
    'e\u0301\u0301\u0301', // combining marks
    '🛡️👩‍👩‍👧‍👦',
    '\r\nX-Injected: yes',
    '"quoted" \\ backslash',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Values of every JSON type, many of them the wrong type for any given field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, '', 'CREATE', 'admission.k8s.io/v1', 'AdmissionReview', [], {}, [null], [''], { '': '' }),
  fc.integer(),
  fc.double(),
  unicodeString,
  hostileValue,
);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** `{"__proto__": {"polluted": …}}`-style payloads. */
export const pollution: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(...PROTO_KEYS, 'polluted', 'toString', 'valueOf', 'hasOwnProperty'), wrongValue)
  .map(([outer, inner, value]) => {
    const payload: Record<string, unknown> = {};
    const nested: Record<string, unknown> = {};
    define(nested, inner, value);
    define(nested, 'polluted', 'yes');
    define(payload, outer, nested);
    return payload;
  });

/** Opening and closing text of one nesting level. */
const LEVELS: readonly (readonly [string, string])[] = [
  ['[', ']'],
  ['{"a":', '}'],
  ['{"__proto__":', '}'],
  ['{"spec":', '}'],
  ['[{"metadata":', '}]'],
  ['{"labels":{"netguard.io/mode":', '}}'],
];

export interface Deep {
  depth: number;
  level: number;
  leaf: string;
}

export const deepValue: fc.Arbitrary<Deep> = fc.record({
  // JSON.stringify overflows the stack somewhere between 1,000 and 5,000 levels: lean on the deep end
  depth: fc.oneof(fc.constantFrom(5_000, 10_000), fc.integer({ min: 100, max: 5_000 })),
  level: fc.nat(LEVELS.length - 1),
  leaf: fc.constantFrom('null', '0', '"x"', '{}', '[]', '"\\ud800"', '{"__proto__":{"polluted":"yes"}}'),
});

export function deepText({ depth, level, leaf }: Deep): string {
  const [open, close] = LEVELS[level]!;
  return `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
}

/** The same nesting as a value, built bottom-up without recursion (for fuzzing the engine directly). */
export function deepObject({ depth, level, leaf }: Deep): unknown {
  let value: unknown = JSON.parse(leaf);
  for (let i = 0; i < depth; i++) {
    switch (level) {
      case 0:
        value = [value];
        break;
      case 1:
        value = { a: value };
        break;
      case 2: {
        const wrapper = {};
        define(wrapper, '__proto__', value);
        value = wrapper;
        break;
      }
      case 3:
        value = { spec: value };
        break;
      case 4:
        value = [{ metadata: value }];
        break;
      default:
        value = { labels: { 'netguard.io/mode': value } };
    }
  }
  return value;
}

const DEEP_MARKER = (i: number) => `\u0001netguard-fuzz-deep-${i}\u0001`;

/** A value to put somewhere: a plain (often wrong) value, a pollution payload, or deep nesting. */
export type Replacement = { value: unknown } | { deep: Deep };

export const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 5, arbitrary: wrongValue.map((value) => ({ value })) },
  { weight: 2, arbitrary: pollution.map((value) => ({ value })) },
  { weight: 2, arbitrary: deepValue.map((deep) => ({ deep })) },
);

/** Serialises `root` with the deep replacements spliced in where their markers are. */
export function serialise(root: unknown, deeps: readonly Deep[]): string {
  let text = JSON.stringify(root) ?? 'undefined';
  deeps.forEach((deep, i) => {
    text = text.split(JSON.stringify(DEEP_MARKER(i))).join(deepText(deep));
  });
  return text;
}

// ---- bodies --------------------------------------------------------------------------------

export interface Body {
  /** what the body is, for failure messages */
  label: string;
  body: string | Buffer;
  /** undefined: no Content-Type header */
  contentType: string | undefined;
}

/** A Body that fast-check prints by its label and size, not by megabytes of brackets. */
export function makeBody(label: string, body: string | Buffer, contentType: string | undefined): Body {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  const preview = text.length > 300 ? `${text.slice(0, 150)}…${text.slice(-150)} (${Buffer.byteLength(body)} bytes)` : text;
  return {
    label,
    body,
    contentType,
    [fc.toStringMethod]: () => `${label} [${JSON.stringify(contentType)}]: ${JSON.stringify(preview)}`,
  } as Body;
}

export const JSON_TYPE = 'application/json';

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(JSON_TYPE) },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'text/json',
      'application/yaml',
      'application/jsonx',
      'application/json-patch+json',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=xyz',
      'application/json, text/plain',
    ),
  },
  // any printable header value
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 }) },
);

/** A seed with one to four fields replaced or dropped; `paths` lean on the fields rules read. */
export const mutatedReview: fc.Arbitrary<Body> = fc
  .record({
    name: fc.constantFrom(...SEED_NAMES),
    mutations: fc.array(
      fc.record({
        where: fc.oneof(fc.constantFrom(...FIELD_PATHS).map((path) => ({ path })), fc.nat().map((index) => ({ index }))),
        what: fc.oneof(
          { weight: 1, arbitrary: fc.constant('drop' as const) },
          { weight: 4, arbitrary: replacement },
          { weight: 1, arbitrary: fc.record({ protoKey: fc.constantFrom(...PROTO_KEYS), value: fc.oneof(wrongValue, pollution) }) },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    contentType,
  })
  .map(({ name, mutations, contentType }) => {
    const root = seed(name);
    const deeps: Deep[] = [];
    const labels: string[] = [];
    for (const { where, what } of mutations) {
      let path: Path;
      if ('path' in where) {
        path = where.path;
      } else {
        const all = pathsOf(root);
        if (all.length === 0) continue;
        path = all[where.index % all.length]!;
      }
      if (what === 'drop') {
        dropAt(root, path);
        labels.push(`drop ${path.join('.')}`);
      } else if ('deep' in what) {
        setAt(root, path, DEEP_MARKER(deeps.length));
        deeps.push(what.deep);
        labels.push(`deep(${what.deep.depth}) at ${path.join('.')}`);
      } else if ('protoKey' in what) {
        // an own `__proto__`/`constructor`/`prototype` key inside the object at `path`, or beside it
        const node = getAt(root, path);
        const at = typeof node === 'object' && node !== null ? path : path.slice(0, -1);
        const target = getAt(root, at);
        if (typeof target === 'object' && target !== null) define(target as Container, what.protoKey, fresh(what.value));
        labels.push(`${what.protoKey} key in ${at.join('.') || 'the body'}`);
      } else {
        setAt(root, path, fresh(what.value));
        labels.push(`set ${path.join('.')}`);
      }
    }
    return makeBody(`${name}: ${labels.join(', ')}`, serialise(root, deeps), contentType);
  });

/** One named field given a wrong type (or dropped) — every field the SPEC lists gets its turn. */
export const wrongTypedField: fc.Arbitrary<Body> = fc
  .record({
    name: fc.constantFrom(...SEED_NAMES),
    path: fc.constantFrom(...FIELD_PATHS),
    what: fc.oneof(fc.constant('drop' as const), replacement),
  })
  .map(({ name, path, what }) => {
    const root = seed(name);
    const deeps: Deep[] = [];
    if (what === 'drop') dropAt(root, path);
    else if ('deep' in what) {
      setAt(root, path, DEEP_MARKER(0));
      deeps.push(what.deep);
    } else setAt(root, path, fresh(what.value));
    return makeBody(`${name}: ${what === 'drop' ? 'drop' : 'replace'} ${path.join('.')}`, serialise(root, deeps), JSON_TYPE);
  });

/** Bodies that are not JSON, cut-off JSON, JSON scalars, binary noise, nothing at all. */
export const rawBody: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ text: fc.string({ unit: 'binary', maxLength: 200 }), contentType }).map(({ text, contentType }) => makeBody('random text', text, contentType)),
  fc.record({ bytes: fc.uint8Array({ maxLength: 300 }), contentType }).map(({ bytes, contentType }) => makeBody('random bytes', Buffer.from(bytes), contentType)),
  fc.record({ name: fc.constantFrom(...SEED_NAMES), cut: fc.nat(), contentType }).map(({ name, cut, contentType }) => {
    const text = JSON.stringify(SEEDS.get(name));
    const at = cut % text.length;
    return makeBody(`${name} cut at ${at}`, text.slice(0, at), contentType);
  }),
  fc.record({ name: fc.constantFrom(...SEED_NAMES), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }).map(({ name, at, byte }) => {
    const bytes = Buffer.from(JSON.stringify(SEEDS.get(name)));
    bytes[at % bytes.length] = byte;
    return makeBody(`${name} with byte ${at % bytes.length} set to ${byte}`, bytes, JSON_TYPE);
  }),
  fc.record({
    text: fc.constantFrom('', ' ', '\n', 'null', 'true', '0', '"AdmissionReview"', '[]', '{}', '[{}]', '{"request":{"uid":"x"}}', '\ufeff{}', 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n', '<xml/>', 'NaN', '{"a":1,}', "{'a':1}"),
    contentType,
  }).map(({ text, contentType }) => makeBody(`literal ${JSON.stringify(text)}`, text, contentType)),
);

/** Thousands of subjects, ipBlocks, rules, groups or labels, around a valid review. */
export const hugeReview: fc.Arbitrary<Body> = fc
  .record({
    size: fc.integer({ min: 1_000, max: 10_000 }),
    target: fc.constantFrom(
      { seed: 'rolebinding-edit-unprovisioned-denied.json', path: ['request', 'object', 'subjects'] },
      { seed: 'netpol-untrusted-cidr-denied.json', path: ['request', 'object', 'spec', 'egress', 0, 'to'] },
      { seed: 'netpol-untrusted-cidr-denied.json', path: ['request', 'object', 'spec', 'egress'] },
      { seed: 'role-add-netpol-write-denied.json', path: ['request', 'object', 'rules'] },
      { seed: 'pod-default-sa-denied.json', path: ['request', 'userInfo', 'groups'] },
      { seed: 'pod-default-sa-denied.json', path: ['request', 'object', 'spec', 'containers'] },
      { seed: 'netpol-unprovisioned-denied.json', path: ['request', 'userInfo', 'groups'] },
    ),
    items: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constantFrom('User', 'Group', 'ServiceAccount'), name: fc.oneof(fc.string({ maxLength: 12 }), unicodeString), namespace: fc.constantFrom('shop', 'gitops') }),
        fc.record({ ipBlock: fc.record({ cidr: fc.oneof(fc.constantFrom('10.1.0.0/16', '0.0.0.0/0', 'fd00::/64', '::/0', '300.0.0.0/8', '10.0.0.0/33'), unicodeString) }) }),
        fc.record({ apiGroups: fc.constant(['networking.k8s.io']), resources: fc.constant(['networkpolicies']), verbs: fc.constantFrom(['get'], ['create'], ['*']) }),
        fc.string({ maxLength: 16 }),
        hostileValue,
      ),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ size, target, items }) => {
    const root = seed(target.seed);
    const huge = Array.from({ length: size }, (_, i) => items[i % items.length]);
    setAt(root, target.path, huge);
    return makeBody(`${target.seed}: ${size} items at ${target.path.join('.')}`, JSON.stringify(root), JSON_TYPE);
  });

/** Labels with thousands of keys, some of them prototype keys, around a valid review. */
export function labelsBomb(count: number): Body {
  const root = seed('namespace-tighten-allowed.json');
  const labels: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) labels[`key-${i}`] = `value-${i}`;
  for (const key of PROTO_KEYS) define(labels, key, 'enforce');
  setAt(root, ['request', 'object', 'metadata', 'labels'], labels);
  return makeBody(`${count} labels`, JSON.stringify(root), JSON_TYPE);
}
