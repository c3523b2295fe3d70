// `--output json` (SPEC): {"endpoints": [...], "connections": [...]}, written one connection at a
// time so the output of a large matrix is streamed.
import type { Reachability } from './engine.js';
import type { Table } from './query.js';
import { connectionRecords, endpointIds } from './report.js';

export function renderJson(engine: Reachability, tables: readonly Table[], write: (text: string) => void): void {
  write(`{"endpoints":${JSON.stringify(endpointIds(tables))},"connections":[`);
  let first = true;
  let chunk = '';
  for (const record of connectionRecords(engine, tables)) {
    chunk += `${first ? '\n' : ',\n'}${JSON.stringify(record)}`;
    first = false;
    if (chunk.length > 65_536) {
      write(chunk);
      chunk = '';
    }
  }
  write(`${chunk}\n]}\n`);
}
