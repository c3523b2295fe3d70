// The one place that turns a verdict into an AdmissionResponse (SPEC "Modes"):
//
//   enforce  → allowed: false, 403 Forbidden, every violation on its own line; audit annotations
//   warn     → allowed: true, one warning per violation
//   audit    → allowed: true, auditAnnotations keyed by rule id
//   disabled → allowed: true, nothing evaluated
//
// Global dry-run never denies: would-be denials become warnings plus audit annotations.
// warningOnly violations are warnings in every evaluated mode and never deny.
// A violation that carries its own mode (Violation.mode) is placed in that mode's row, so one
// answer can refuse for one binding and only warn about another.
import type { Mode } from '../config/types.js';
import { formatViolation } from '../rules/engine.js';
import type { Violation } from '../rules/types.js';
import type { AdmissionResponse, AdmissionReviewResponse, ReviewApiVersion } from './types.js';

/** How a dry-run warning tells itself apart from warn mode's (kubectl prints "Warning: " before it). */
export const DRY_RUN_PREFIX = 'would be denied (dry-run): ';

export interface Verdict {
  mode: Mode;
  /** global dry-run (config `dryRun` or `serve --dry-run`) */
  dryRun: boolean;
  /** in engine order */
  violations: readonly Violation[];
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
function annotationsOf(violations: readonly Violation[]): Record<string, string> | undefined {
  if (violations.length === 0) return undefined;
  // keys are netguard's own rule ids, never "__proto__", so a plain object is safe (and cheap:
  // every denied review builds one)
  const annotations: Record<string, string> = {};
  for (const { rule, message } of violations) {
    const earlier = annotations[rule];
    annotations[rule] = earlier === undefined ? message : `${earlier}; ${message}`;
  }
  return annotations;
}

function withOptional(response: AdmissionResponse, warnings: string[], annotations: Record<string, string> | undefined): AdmissionResponse {
  if (warnings.length > 0) response.warnings = warnings.map(oneLine);
  if (annotations) response.auditAnnotations = annotations;
  return response;
}

/**
 * The mode one violation is judged in: its own when the rule set one (a binding's namespace, a
 * namespace's old mode), else the request's. Every consumer (answer, logs, metrics) asks here.
 */
export function violationMode(violation: Violation, requestMode: Mode): Mode {
  return violation.mode ?? requestMode;
}

export function decide(uid: string, verdict: Verdict): Decision {
  const { mode, dryRun, violations, modeWarning } = verdict;
  // nothing found and nothing to warn about: allowed in every mode (the common answer, kept cheap)
  if (violations.length === 0 && (!modeWarning || mode === 'disabled')) return { response: { uid, allowed: true }, wouldDeny: false };

  // Each violation lands by its own mode: enforce refuses (or, under global dry-run, warns and is
  // annotated), warn warns, audit annotates, disabled is dropped; warningOnly ones warn in every
  // evaluated mode and never deny.
  const warnings = mode !== 'disabled' && modeWarning ? [modeWarning] : [];
  const refusing: Violation[] = [];
  const annotated: Violation[] = [];
  for (const violation of violations) {
    const judged = violationMode(violation, mode);
    if (judged === 'disabled') continue;
    if (violation.warningOnly) {
      warnings.push(formatViolation(violation));
    } else if (judged === 'warn') {
      warnings.push(formatViolation(violation));
    } else {
      annotated.push(violation);
      if (judged === 'enforce') {
        refusing.push(violation);
        // under global dry-run the warning says it would have been refused (unlike warn mode's)
        if (dryRun) warnings.push(`${DRY_RUN_PREFIX}${formatViolation(violation)}`);
      }
    }
  }
  const annotations = annotationsOf(annotated);
  if (refusing.length === 0 || dryRun) {
    return { response: withOptional({ uid, allowed: true }, warnings, annotations), wouldDeny: refusing.length > 0 };
  }
  const response: AdmissionResponse = {
    uid,
    allowed: false,
    status: { code: 403, reason: 'Forbidden', message: refusing.map(formatViolation).join('\n') },
  };
  return { response: withOptional(response, warnings, annotations), wouldDeny: true };
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
