// Truth tables as the upstream NetworkPolicy e2e tests print them: one per port, rows are sources,
// columns destinations, `X` allowed and `.` denied, tab-separated. Written row by row, so a large
// matrix is never held.
import type { Reachability } from './engine.js';
import { portText, type Table } from './query.js';

const TAB = 9;
const X = 88;
const DOT = 46;

export function renderTables(engine: Reachability, tables: readonly Table[], write: (text: string) => void): void {
  tables.forEach(({ query, from, to }, i) => {
    write(`${i > 0 ? '\n' : ''}port ${portText(query)} (rows from, columns to; X allowed, . denied)\n-\t${to.map((e) => e.id).join('\t')}\n`);
    let allowed = 0;
    let chunk = '';
    const columns = engine.columns(to);
    const cells = Buffer.alloc(to.length * 2);
    for (const source of from) {
      const row = engine.allowedRow(source, query, columns);
      for (let j = 0; j < row.length; j++) {
        cells[2 * j] = TAB;
        cells[2 * j + 1] = row[j] ? X : DOT;
        allowed += row[j]!;
      }
      chunk += `${source.id}${cells.toString('latin1')}\n`;
      if (chunk.length > 65_536) {
        write(chunk);
        chunk = '';
      }
    }
    write(`${chunk}${allowed} of ${from.length * to.length} connections allowed\n`);
  });
}
