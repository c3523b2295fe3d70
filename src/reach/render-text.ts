// Truth tables as the upstream NetworkPolicy e2e tests print them: one per port, rows are sources,
// columns destinations, `X` allowed and `.` denied, tab-separated. Written row by row, so a large
// matrix is never held.
import type { Reachability } from './engine.js';
import { portText, type Table } from './query.js';

export function renderTables(engine: Reachability, tables: readonly Table[], write: (text: string) => void): void {
  tables.forEach(({ query, from, to }, i) => {
    write(`${i > 0 ? '\n' : ''}port ${portText(query)} (rows from, columns to; X allowed, . denied)\n-\t${to.map((e) => e.id).join('\t')}\n`);
    let allowed = 0;
    let chunk = '';
    for (const source of from) {
      const reaches = engine.allowedFrom(source, query);
      let row = source.id;
      for (const destination of to) {
        const yes = reaches(destination);
        if (yes) allowed++;
        row += yes ? '\tX' : '\t.';
      }
      chunk += `${row}\n`;
      if (chunk.length > 65_536) {
        write(chunk);
        chunk = '';
      }
    }
    write(`${chunk}${allowed} of ${from.length * to.length} connections allowed\n`);
  });
}
