// The connections of a question as records (the JSON shape of SPEC), produced one at a time so a
// large matrix is streamed, never held.
import type { Reachability, SideVerdict } from './engine.js';
import type { Table } from './query.js';

export interface ConnectionRecord {
  from: string;
  to: string;
  port: number;
  protocol: string;
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
}

export function* connectionRecords(engine: Reachability, tables: readonly Table[]): Generator<ConnectionRecord> {
  for (const { query, from, to } of tables) {
    for (const source of from) {
      for (const destination of to) {
        const verdict = engine.explain(source, destination, query);
        yield { from: source.id, to: destination.id, port: query.port, protocol: query.protocol, ...verdict };
      }
    }
  }
}

/** Endpoint ids of the tables, sources and destinations, each once, sorted. */
export function endpointIds(tables: readonly Table[]): string[] {
  const ids = new Set<string>();
  for (const t of tables) for (const e of [...t.from, ...t.to]) ids.add(e.id);
  return [...ids].sort();
}
