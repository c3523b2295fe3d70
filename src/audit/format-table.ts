// `--output table`: one row per violation (rule, kind, namespace, name, message), then what the
// audit covered. Columns are padded to the widest cell; the message is last and never cut.
import { coverageLines, exceptedPhrase } from './coverage.js';
import type { AuditResult } from './types.js';

const HEADER = ['RULE', 'KIND', 'NAMESPACE', 'NAME', 'MESSAGE'] as const;

export function renderTable(result: AuditResult): string {
  const lines: string[] = [];
  if (result.findings.length === 0) {
    lines.push('No violations found.');
  } else {
    const rows = result.findings.map((f) => {
      const excepted = exceptedPhrase(f);
      return [f.rule, f.kind, f.namespace ?? '-', f.name, excepted ? `(${excepted}) ${f.message}` : f.message];
    });
    const widths = HEADER.slice(0, 4).map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ');
    lines.push(line(HEADER));
    for (const row of rows) lines.push(line(row));
  }
  lines.push('', ...coverageLines(result));
  return `${lines.join('\n')}\n`;
}
