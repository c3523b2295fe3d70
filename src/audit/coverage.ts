// The sentences every output format carries about what the audit did not judge: the rules it
// cannot judge after the fact, rules switched off, and the namespaces it skipped.
import type { AuditFinding, AuditResult } from './types.js';

const NAMED = 10;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function someNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMED).join(', ');
  return names.length > NAMED ? `${shown} and ${names.length - NAMED} more` : shown;
}

export function notAuditedSentence(result: AuditResult): string | undefined {
  if (result.notAudited.length === 0) return undefined;
  const ids = result.notAudited.map((n) => n.rule).join(', ');
  return `Not audited: ${ids} — ${result.notAudited.length === 1 ? 'it judges' : 'they judge'} who makes a request, which cannot be known for objects that already exist; the webhook enforces ${result.notAudited.length === 1 ? 'it' : 'them'} at apply time.`;
}

export function skippedSentence(result: AuditResult): string | undefined {
  const { exempt, disabled, clusterScoped } = result.skipped;
  const parts: string[] = [];
  if (exempt.length > 0) parts.push(`${plural(exempt.length, 'namespace')} exempt (${someNames(exempt)})`);
  if (disabled.length > 0) parts.push(`${plural(disabled.length, 'namespace')} with mode disabled (${someNames(disabled)})`);
  if (clusterScoped) parts.push('cluster-scoped objects (clusterScopedMode: disabled)');
  return parts.length > 0 ? `Skipped: ${parts.join('; ')}.` : undefined;
}

export function rulesOffSentence(result: AuditResult): string | undefined {
  return result.rulesOff.length > 0 ? `Switched off in the config: ${result.rulesOff.join(', ')}.` : undefined;
}

/** Findings that count (for the exit code and totals): those no exception covers. */
export function countedFindings(result: AuditResult): AuditFinding[] {
  return result.findings.filter((f) => f.exception === undefined);
}

export function totalsSentence(result: AuditResult): string {
  const { counts, governedNamespaces } = result;
  const counted = countedFindings(result).length;
  const excepted = result.findings.length - counted;
  return (
    `${plural(counted, 'violation')}${excepted > 0 ? ` (and ${excepted} excepted)` : ''} in ${result.source}: ${plural(counts.judged, 'object')} judged ` +
    `in ${plural(governedNamespaces.length, 'governed namespace')}, ${counts.skipped} skipped, ${counts.objects} read.`
  );
}

export function expiredSentence(result: AuditResult): string | undefined {
  if (result.expiredExceptions.length === 0) return undefined;
  const list = result.expiredExceptions.map((e) => `"${e.name}" (expires: ${e.expires})`).join(', ');
  return `Expired exceptions, which cover nothing: ${list}. Remove them from the config or extend expires.`;
}

/** `excepted by "<name>" until <expires>` for a finding an exception covers. */
export function exceptedPhrase(finding: AuditFinding): string | undefined {
  return finding.exception && `excepted by "${finding.exception.name}" until ${finding.exception.expires}`;
}

/** The coverage sentences in their fixed order (absent ones left out). */
export function coverageLines(result: AuditResult): string[] {
  return [totalsSentence(result), notAuditedSentence(result), skippedSentence(result), rulesOffSentence(result), expiredSentence(result)].filter(
    (line): line is string => line !== undefined,
  );
}
