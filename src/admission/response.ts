// The one place that turns a verdict into an AdmissionResponse (SPEC "Modes", "Exceptions").
// Each violation is judged in its own effective mode: the violation's mode (else the request's),
// lowered to its rule's cap (`rules.<id>: warn`):
//
//   enforce  → allowed: false, 403 Forbidden, every violation on its own line; audit annotations
//   warn     → allowed: true, one warning per violation
//   audit    → allowed: true, auditAnnotations keyed by rule id
//   disabled → nothing
//
// Global dry-run never denies: would-be denials become warnings plus audit annotations.
// warningOnly violations are warnings in every evaluated mode and never deny.
// A violation an exception covers is not counted: it becomes a warning naming the exception and its
// expiry, and the audit annotation `exception` lists the exceptions applied (names, comma-separated).
import { cappedMode } from '../config/modes.js';
import type { Config, Mode } from '../config/types.js';
import { exceptionNames, formatExcepted, type ExceptedViolation } from '../exceptions/apply.js';
import { formatViolation } from '../rules/engine.js';
import type { Violation } from '../rules/types.js';
import type { AdmissionResponse, AdmissionReviewResponse, ReviewApiVersion } from './types.js';

/** How a dry-run warning tells itself apart from warn mode's (kubectl prints "Warning: " before it). */
export const DRY_RUN_PREFIX = 'would be denied (dry-run): ';

/** The audit annotation key that names the exceptions applied to a review. */
export const EXCEPTION_ANNOTATION = 'exception';

export interface Verdict {
  /** the request's mode */
  mode: Mode;
  /** global dry-run (config `dryRun` or `serve --dry-run`) */
  dryRun: boolean;
  /** in engine order; none of them excepted */
  violations: readonly Violation[];
  /** violations an exception covers */
  excepted?: readonly ExceptedViolation[];
  /** `rules.<id>` caps (config.ruleCaps) */
  ruleCaps?: Config['ruleCaps'];
  /** from the namespace label (an unknown netguard.io/mode value) */
  modeWarning?: string;
}

export interface Decision {
  response: AdmissionResponse;
  /** enforce refused the request, or would have without global dry-run */
  wouldDeny: boolean;
}

/** kube-apiserver puts warnings in HTTP Warning headers, which cannot hold line breaks. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** `rule-id` → its messages joined with "; " (audit annotation values are single strings). */
function annotationsOf(violations: readonly Violation[]): Record<string, string> {
  // keys are netguard's own rule ids, never "__proto__", so a plain object is safe (and cheap:
  // every denied review builds one)
  const annotations: Record<string, string> = {};
  for (const { rule, message } of violations) {
    const earlier = annotations[rule];
    annotations[rule] = earlier === undefined ? message : `${earlier}; ${message}`;
  }
  return annotations;
}

const NO_CAPS: Config['ruleCaps'] = {};

/**
 * The mode one violation is judged in: its own when the rule set one (a binding's namespace, a
 * namespace's old mode), else the request's — lowered to its rule's cap (`rules.<id>: warn`).
 * Every consumer (answer, logs, metrics) asks here.
 */
export function violationMode(violation: Violation, requestMode: Mode, caps: Config['ruleCaps'] = NO_CAPS): Mode {
  return cappedMode(violation.rule, violation.mode ?? requestMode, caps);
}

export function decide(uid: string, verdict: Verdict): Decision {
  const { mode, dryRun, violations, modeWarning } = verdict;
  const excepted = verdict.excepted ?? [];
  const caps = verdict.ruleCaps ?? NO_CAPS;
  // nothing found and nothing to warn about: allowed in every mode (the common answer, kept cheap)
  if (violations.length === 0 && excepted.length === 0 && (!modeWarning || mode === 'disabled')) return { response: { uid, allowed: true }, wouldDeny: false };

  const warnings: string[] = mode !== 'disabled' && modeWarning ? [modeWarning] : [];
  const denying: Violation[] = [];
  const annotated: Violation[] = [];
  for (const violation of violations) {
    const effective = violationMode(violation, mode, caps);
    if (effective === 'disabled') continue;
    if (violation.warningOnly || effective === 'warn') warnings.push(formatViolation(violation));
    else if (effective === 'audit') annotated.push(violation);
    else {
      denying.push(violation);
      annotated.push(violation);
      // what enforce would have refused is shown as warnings that say so (unlike warn mode's) and
      // recorded for audit
      if (dryRun) warnings.push(`${DRY_RUN_PREFIX}${formatViolation(violation)}`);
    }
  }
  const applied = excepted.filter((e) => violationMode(e.violation, mode, caps) !== 'disabled');
  for (const entry of applied) warnings.push(formatExcepted(entry));

  const annotations = annotated.length > 0 ? annotationsOf(annotated) : undefined;
  const response: AdmissionResponse =
    denying.length > 0 && !dryRun
      ? { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: denying.map(formatViolation).join('\n') } }
      : { uid, allowed: true };
  if (warnings.length > 0) response.warnings = warnings.map(oneLine);
  if (annotations || applied.length > 0) {
    response.auditAnnotations = { ...annotations, ...(applied.length > 0 ? { [EXCEPTION_ANNOTATION]: exceptionNames(applied).join(',') } : {}) };
  }
  return { response, wouldDeny: denying.length > 0 };
}

export interface InternalErrorContext {
  mode: Mode;
  dryRun: boolean;
  kind: string;
  name: string;
  error: string;
  /** the namespace could not be read: `mode` is the one an unlabelled namespace gets */
  modeAssumed?: boolean;
}

/** A throw while judging: refuse in enforce (fail closed, as the namespace asked), else allow and say so. */
export function internalErrorResponse(uid: string, context: InternalErrorContext): Decision {
  const what = `netguard internal error while judging ${context.kind} "${context.name}": ${oneLine(context.error)}.`;
  // an assumed mode is said to be one: the namespace's real label may say otherwise
  const modeIs = (mode: Mode) => (context.modeAssumed ? `the namespace's labels could not be read and an unlabelled namespace's mode (defaultMode) is ${mode}` : `namespace mode is ${mode}`);
  if (context.mode === 'enforce' && !context.dryRun) {
    return {
      response: {
        uid,
        allowed: false,
        status: {
          code: 500,
          reason: 'InternalError',
          message: `${what} The request was refused because ${modeIs('enforce')}; see the netguard logs.`,
        },
      },
      wouldDeny: true,
    };
  }
  const why = context.mode === 'enforce' ? 'netguard runs in dry-run' : modeIs(context.mode);
  return {
    response: { uid, allowed: true, warnings: [`${what} The request was allowed without being judged because ${why}; see the netguard logs.`] },
    wouldDeny: context.mode === 'enforce',
  };
}

/** A review with a uid whose fields netguard cannot use: refused as a bad request. */
export function malformedResponse(uid: string, message: string): AdmissionResponse {
  return { uid, allowed: false, status: { code: 400, reason: 'BadRequest', message } };
}

/** The answer wraps the response in the request's own apiVersion (v1 or v1beta1). */
export function reviewResponse(apiVersion: ReviewApiVersion, response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion, kind: 'AdmissionReview', response };
}
