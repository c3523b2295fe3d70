// `--output table` (or `text`): one row per violation (rule, kind, namespace, name, message; a
// workload's message ends with its pods), then what enforcing the unlabelled namespaces would
// refuse (stage 0 of an opt-in rollout), then what the audit covered. Columns are padded to the
// widest cell; the message is last and never cut.
import { coverageLines, exceptedPhrase } from './coverage.js';
import type { AuditFinding, AuditResult } from './types.js';

const HEADER = ['RULE', 'KIND', 'NAMESPACE', 'NAME', 'MESSAGE'] as const;
const PODS_NAMED = 5;

export function podsText(pods: readonly string[]): string {
  const shown = pods.slice(0, PODS_NAMED).join(', ');
  const more = pods.length > PODS_NAMED ? ` and ${pods.length - PODS_NAMED} more` : '';
  return `${pods.length === 1 ? 'Pod' : `${pods.length} pods`}: ${shown}${more}.`;
}

function table(findings: readonly AuditFinding[]): string[] {
  const rows = findings.map((f) => {
    const excepted = exceptedPhrase(f);
    const message = `${excepted ? `(${excepted}) ` : ''}${f.message}${f.pods ? ` ${podsText(f.pods)}` : ''}`;
    return [f.rule, f.kind, f.namespace ?? '-', f.name, message];
  });
  const widths = HEADER.slice(0, 4).map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ');
  return [line(HEADER), ...rows.map(line)];
}

export function optInSentence(result: AuditResult): string {
  const unlabelled = result.namespaces.filter((n) => n.status === 'unlabelled').map((n) => n.name);
  return (
    `Not governed yet: ${unlabelled.length} unlabelled namespace${unlabelled.length === 1 ? '' : 's'} (defaultMode: disabled). ` +
    `Labelled netguard.io/mode=enforce, they would refuse:`
  );
}

export function renderTable(result: AuditResult): string {
  const lines: string[] = [];
  if (result.findings.length === 0) lines.push('No violations found.');
  else lines.push(...table(result.findings));
  if (result.optIn.length > 0) lines.push('', optInSentence(result), ...table(result.optIn));
  lines.push('', ...coverageLines(result), ...result.notes.map((note) => `Note: ${note}`));
  return `${lines.join('\n')}\n`;
}
