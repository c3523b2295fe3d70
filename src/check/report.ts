// Renders a CheckResult: a line per finding for people and CI logs, or one stable JSON document.
import type { CheckResult, Finding } from './evaluate.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function subject(f: Finding): string {
  return `${f.kind} ${f.namespace === null ? f.name : `${f.namespace}/${f.name}`}`;
}

export function renderText(result: CheckResult): string {
  const lines: string[] = [];
  for (const f of result.violations) lines.push(`${f.source} ${subject(f)}: ${f.rule}: ${f.message}`);
  for (const f of result.warnings) {
    const cap = f.cappedAt ? ` (rules.${f.rule}: ${f.cappedAt})` : '';
    lines.push(`${f.source} ${subject(f)}: warning: ${f.rule ? `${f.rule}: ` : ''}${f.message}${cap}`);
  }
  for (const f of result.excepted) {
    const { name, expires, reason } = f.exception!;
    lines.push(`${f.source} ${subject(f)}: excepted by "${name}" until ${expires} (${reason}): ${f.rule}: ${f.message}`);
  }
  if (result.skippedRules.length > 0) {
    const ids = result.skippedRules.map((s) => s.rule).join(', ');
    lines.push(
      `skipped rules: ${ids} (they judge the requester; run check with --as USER and --as-group GROUP to evaluate them as that requester)`,
    );
  }
  const s = result.summary;
  const notJudged = [
    ...(s.exempt > 0 ? [`${s.exempt} in exempt namespaces`] : []),
    ...(s.ignored > 0 ? [`${s.ignored} of kinds netguard does not judge`] : []),
    ...(s.replaced > 0 ? [`${s.replaced} given again by a later document, judged in that version`] : []),
  ];
  lines.push(
    `${plural(s.checked, 'object')} checked, ${plural(s.violations, 'violation')}, ${plural(s.warnings, 'warning')}` +
      (s.excepted > 0 ? `, ${s.excepted} excepted` : '') +
      (notJudged.length > 0 ? ` (not judged: ${notJudged.join(', ')})` : ''),
  );
  return `${lines.join('\n')}\n`;
}

/** For stderr (check text output): each expired exception, which covers nothing any more. */
export function expiredNotes(result: CheckResult): string {
  return result.expiredExceptions
    .map((e) => `note: exception "${e.name}" expired (expires: ${e.expires}) and covers nothing; remove it from the config or extend expires\n`)
    .join('');
}

/** Key order is fixed so the document diffs cleanly between runs. */
export function renderJson(result: CheckResult): string {
  const finding = (f: Finding) => ({
    file: f.file,
    line: f.line,
    field: f.field,
    source: f.source,
    kind: f.kind,
    namespace: f.namespace,
    name: f.name,
    rule: f.rule,
    message: f.message,
    ...(f.cappedAt ? { cappedAt: f.cappedAt } : {}),
    ...(f.exception ? { exception: f.exception } : {}),
  });
  const document = {
    requester: result.requester,
    violations: result.violations.map(finding),
    warnings: result.warnings.map(finding),
    excepted: result.excepted.map(finding),
    expiredExceptions: result.expiredExceptions,
    skippedRules: result.skippedRules.map((s) => ({ rule: s.rule, reason: s.reason })),
    summary: {
      objects: result.summary.objects,
      checked: result.summary.checked,
      exempt: result.summary.exempt,
      ignored: result.summary.ignored,
      violations: result.summary.violations,
      warnings: result.summary.warnings,
      excepted: result.summary.excepted,
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
