// `--expect FILE`: a YAML list of {from, to, port, protocol?, allowed}; from/to are endpoints,
// `NAMESPACE/*`, `*` or globs. Each connection an expectation covers is checked (but an endpoint
// to itself, unless named so on both sides); a failure carries the verdict and the policies that
// decide it.
import { parse } from 'yaml';
import { isRecord } from '../cluster/objects.js';
import { manifestInvalid } from '../errors.js';
import type { Reachability, Verdict } from './engine.js';
import type { Endpoint } from './endpoints.js';
import type { PortQuery } from './policies.js';
import { matchEndpoints, PROTOCOLS } from './query.js';

export interface Expectation {
  from: string;
  to: string;
  query: PortQuery;
  allowed: boolean;
  /** `FILE: item N` */
  where: string;
}

export interface Failure {
  expectation: Expectation;
  from: Endpoint;
  to: Endpoint;
  verdict: Verdict;
}

const FIELDS = new Set(['from', 'to', 'port', 'protocol', 'allowed']);

export function parseExpectations(text: string, file: string): Expectation[] {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: -1 });
  } catch (error) {
    throw manifestInvalid(file, `not valid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw manifestInvalid(file, 'expectations must be a non-empty YAML list of {from, to, port, protocol?, allowed}');
  }
  return value.map((item, i): Expectation => {
    const where = `${file}: item ${i + 1}`;
    const bad = (what: string) => manifestInvalid(where, what);
    if (!isRecord(item)) throw bad('an expectation is a mapping {from, to, port, protocol?, allowed}');
    const unknown = Object.keys(item).find((k) => !FIELDS.has(k));
    if (unknown) throw bad(`unknown field "${unknown}" (fields: from, to, port, protocol, allowed)`);
    const { from, to, port, allowed } = item;
    const protocol = item['protocol'] ?? 'TCP';
    if (typeof from !== 'string' || from === '') throw bad('"from" must name an endpoint, NAMESPACE/*, * or a glob');
    if (typeof to !== 'string' || to === '') throw bad('"to" must name an endpoint, NAMESPACE/*, * or a glob');
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw bad('"port" must be a port number from 1 to 65535');
    if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) throw bad('"protocol" must be TCP, UDP or SCTP');
    if (typeof allowed !== 'boolean') throw bad('"allowed" must be true or false');
    return { from, to, query: { port, protocol }, allowed, where };
  });
}

export interface ExpectResult {
  connections: number;
  failures: Failure[];
}

export function checkExpectations(engine: Reachability, expectations: readonly Expectation[]): ExpectResult {
  let connections = 0;
  const failures: Failure[] = [];
  for (const expectation of expectations) {
    const sources = matchEndpoints(engine.endpoints, expectation.from);
    const destinations = matchEndpoints(engine.endpoints, expectation.to);
    if (!sources) throw manifestInvalid(expectation.where, `"from: ${expectation.from}" matches no endpoint`);
    if (!destinations) throw manifestInvalid(expectation.where, `"to: ${expectation.to}" matches no endpoint`);
    const columns = engine.columns(destinations);
    for (const from of sources) {
      const row = engine.allowedRow(from, expectation.query, columns);
      destinations.forEach((to, j) => {
        // a pattern never pairs an endpoint with itself (that is always allowed); naming it on both sides does
        if (from.id === to.id && (from.id !== expectation.from || to.id !== expectation.to)) return;
        connections++;
        if ((row[j] === 1) !== expectation.allowed) failures.push({ expectation, from, to, verdict: engine.explain(from, to, expectation.query) });
      });
    }
  }
  return { connections, failures };
}
