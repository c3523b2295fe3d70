// Judges one AdmissionReview: parse → mode → (live reads this review needs) → engine →
// (read-through of denials resting on absences) → response. No HTTP types: the transport passes
// the body in and writes { statusCode, body } out. Every review gets one log line (info with a
// finding, debug for a clean allow), without object contents; a throw anywhere while judging
// becomes that review's internal-error answer.
import { performance } from 'node:perf_hooks';
import { labelsOf } from '../cluster/objects.js';
import type { ClusterSource, LiveReader } from '../cluster/source.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { namespaceMode, strictness } from '../config/modes.js';
import type { Config, Mode } from '../config/types.js';
import { errorText } from '../errors.js';
import type { Logger } from '../log.js';
import type { Engine } from '../rules/engine.js';
import { applyExceptions, exceptionNames, type ExceptedViolation } from '../exceptions/apply.js';
import { nameOf, namespaceOf } from '../rules/kinds.js';
import type { Rule, Violation } from '../rules/types.js';
import { cachedMode, isClusterScoped, liveMode, malformedMode, type RequestMode } from './mode.js';
import { SnapshotOverlay, type OverlayData } from './overlay.js';
import { confirmAbsences } from './readThrough.js';
import { decide, internalErrorResponse, malformedResponse, reviewResponse, violationMode, type Decision } from './response.js';
import { logReview } from './review-log.js';
import { parseReview } from './review.js';
import type { AdmissionRequest } from './types.js';

/** Pod listing bounds for the opt-in warnings, as Pod Security Admission bounds its label check. */
export const OPT_IN_POD_LIMITS = { maxPods: 3000, timeoutMs: 1000 } as const;

export type ReviewDecision = 'allowed' | 'denied';

/** What the handler reports; the server implements it with prom-client. */
export interface AdmissionMetrics {
  review(labels: { kind: string; operation: string; mode: Mode | 'none'; decision: ReviewDecision }, seconds: number): void;
  violation(rule: string, mode: Mode): void;
  /** an exception covered a violation of this review (counted once per review and exception) */
  exceptionApplied(exception: string): void;
  error(type: 'internal' | 'malformed' | 'invalid'): void;
}

export interface AdmissionHandlerDeps {
  engine: Engine;
  /** the current config (swapped atomically on reload) */
  config: () => Config;
  source: ClusterSource;
  logger: Logger;
  /** serve --dry-run: never deny, whatever the config says */
  dryRun?: boolean;
  metrics?: AdmissionMetrics;
  /** the clock exceptions expire by (epoch ms); Date.now in production, injected by tests */
  now?: () => number;
}

export interface HandlerResult {
  statusCode: number;
  body: object;
}

/**
 * The namespace was not in the cache and the API server read failed: the review is answered as an
 * internal error in the mode the namespace would have without labels (its best-known mode).
 */
class NamespaceReadError extends Error {
  constructor(
    namespace: string,
    readonly fallbackMode: Mode,
    cause: unknown,
  ) {
    super(`cannot read namespace "${namespace}" from the API server: ${errorText(cause)}`, { cause });
  }
}

/** Each violated rule's id once, in engine order. */
function ruleIdsOf(violations: readonly Violation[]): string[] {
  const ids: string[] = [];
  for (const violation of violations) if (!ids.includes(violation.rule)) ids.push(violation.rule);
  return ids;
}

function errorBody(message: string) {
  return { error: 'Bad Request', code: 'NETGUARD_ERR_REVIEW_INVALID', message };
}

export class AdmissionHandler {
  constructor(private readonly deps: AdmissionHandlerDeps) {}

  async handle(body: unknown): Promise<HandlerResult> {
    const started = performance.now();
    const parsed = parseReview(body);
    if (parsed.outcome === 'invalid') {
      this.deps.logger.info({ problem: parsed.message }, 'refused a request that is not an AdmissionReview');
      this.deps.metrics?.error('invalid');
      return { statusCode: 400, body: errorBody(parsed.message) };
    }
    if (parsed.outcome === 'malformed') {
      // refused only where the request would be enforced: warn, audit and disabled never deny
      const config = this.deps.config();
      const mode = malformedMode(parsed.request, config, this.deps.source.snapshot);
      const refuse = mode === 'enforce' && !config.dryRun && this.deps.dryRun !== true;
      this.deps.logger.info({ uid: parsed.uid, problem: parsed.message, mode, decision: refuse ? 'denied' : 'allowed' }, 'answered a malformed AdmissionReview');
      this.deps.metrics?.error('malformed');
      const response = refuse
        ? malformedResponse(parsed.uid, parsed.message)
        : { uid: parsed.uid, allowed: true, warnings: [`${parsed.message}. Allowed without being judged because its mode is ${mode}.`] };
      return { statusCode: 200, body: reviewResponse(parsed.apiVersion, response) };
    }

    const { apiVersion, request } = parsed.review;
    const config = this.deps.config();
    const dryRun = config.dryRun || this.deps.dryRun === true;
    let mode: Mode = 'enforce';
    let violations: Violation[] = [];
    let excepted: ExceptedViolation[] = [];
    let decision: Decision;
    // Each asynchronous step is awaited only when it has work to do (a live read): a review the
    // cache can answer runs start to finish without giving up the event loop.
    try {
      const rules = this.deps.engine.rulesFor(request, config);
      const resolved = cachedMode(request, config, this.deps.source, rules.length > 0) ?? (await this.modeFromApiServer(request, config));
      mode = resolved.mode;
      // a disabled request mode still runs the rules that judge some violations in another mode
      // (a ClusterRole change held against a binding in an enforce namespace)
      const judging = mode === 'disabled' ? rules.filter((rule) => rule.judgesInOwnModes) : rules;
      if (judging.length === 0) {
        // nothing to judge (no rule intercepts it, a subresource, or a disabled namespace)
        decision = { response: { uid: request.uid, allowed: true }, wouldDeny: false };
      } else {
        this.assertSynced(rules);
        const pending = this.snapshotFor(request, config, mode, resolved, rules);
        const snapshot = pending instanceof Promise ? await pending : pending;
        if (this.deps.source.live) {
          // what an allowing answer would rest on being absent is read from the API server first (the
          // store learns it, so the judging below sees it); unreachable, the cache's answer stands
          const assumed = rules.flatMap((rule) => rule.assumedAbsences?.({ request, snapshot, config }) ?? []);
          if (assumed.length > 0) await this.deps.source.live.confirm(assumed);
        }
        // what is judged in disabled is dropped before any denial is confirmed live (no reads for nothing)
        violations = this.deps.engine.evaluate(request, snapshot, config).filter((v) => violationMode(v, mode) !== 'disabled');
        if (violations.length > 0 && this.deps.source.live) violations = await this.confirm(request, config, snapshot, violations);
        violations = violations.filter((v) => violationMode(v, mode) !== 'disabled');
        // exceptions apply to what is confirmed, at the time of the answer
        ({ violations, excepted } = applyExceptions(request, violations, config, (this.deps.now ?? Date.now)()));
        decision = decide(request.uid, { mode, dryRun, violations, excepted, ruleCaps: config.ruleCaps, modeWarning: resolved.warning });
      }
    } catch (error) {
      const modeAssumed = error instanceof NamespaceReadError;
      if (modeAssumed) mode = error.fallbackMode;
      decision = this.internalError(request, mode, dryRun, error, modeAssumed);
      violations = [];
      excepted = [];
    }

    this.record(request, { mode, dryRun, ruleCaps: config.ruleCaps }, violations, excepted, decision, performance.now() - started);
    return { statusCode: 200, body: reviewResponse(apiVersion, decision.response) };
  }

  /** The namespace was not cached: read it; a failed read carries the mode to answer the error in. */
  private async modeFromApiServer(request: AdmissionRequest, config: Config): Promise<RequestMode> {
    try {
      return await liveMode(request, config, this.deps.source.live!);
    } catch (error) {
      const namespace = namespaceOf(request);
      throw new NamespaceReadError(namespace, namespaceMode(namespace, undefined, config).mode, error);
    }
  }

  private assertSynced(rules: readonly Rule[]): void {
    // Judging from a cache that never synced would read missing objects as absent: a binding to a
    // role netguard cannot see would pass. That is an internal error, answered per mode.
    const gap = this.deps.source.unsynced?.(['Namespace', ...rules.flatMap((rule) => rule.needs)]);
    if (gap) throw new Error(`its cache of ${gap} has not synced with the API server yet`);
  }

  /** Denials resting on absences are confirmed with the API server (readThrough.ts). */
  private async confirm(request: AdmissionRequest, config: Config, snapshot: ClusterSnapshot, violations: Violation[]): Promise<Violation[]> {
    const { engine, source } = this.deps;
    const confirmed = await confirmAbsences(violations, source.live!, snapshot, (s) => engine.evaluate(request, s, config));
    if (confirmed.unconfirmed) {
      this.deps.logger.warn({ uid: request.uid, problem: confirmed.unconfirmed }, 'could not confirm a denial with the API server; answered from the cache');
    }
    return confirmed.violations;
  }

  /**
   * The shared snapshot, or an overlay holding what this review read live: the namespace when the
   * cache lacked it, and — when a Namespace is made stricter and a rule reads pods — a bounded
   * listing of its pods (the live cache holds none), so the answer can warn about what would now
   * be refused. A promise only when there are pods to list.
   */
  private snapshotFor(request: AdmissionRequest, config: Config, mode: Mode, resolved: RequestMode, rules: readonly Rule[]): ClusterSnapshot | Promise<ClusterSnapshot> {
    const { source } = this.deps;
    const data: OverlayData = {};
    if (resolved.liveNamespace) data.namespace = resolved.liveNamespace;
    const name = request.name || nameOf(request);
    const readsPods = rules.some((rule) => rule.needs.includes('Pod'));
    if (source.live && readsPods && mode !== 'disabled' && this.makesNamespaceStricter(request, config) && source.snapshot.pods(name) === undefined) {
      return this.withPodListing(request, name, source.live, data);
    }
    return this.overlaid(data);
  }

  private overlaid(data: OverlayData): ClusterSnapshot {
    return data.namespace || data.pods ? new SnapshotOverlay(this.deps.source.snapshot, data) : this.deps.source.snapshot;
  }

  private async withPodListing(request: AdmissionRequest, namespace: string, live: LiveReader, data: OverlayData): Promise<ClusterSnapshot> {
    try {
      const listing = await live.listPods(namespace, { ...OPT_IN_POD_LIMITS });
      if (listing) data.pods = { namespace, listing };
    } catch (error) {
      // the pod listing only feeds warnings; the review goes on without them
      this.deps.logger.warn({ uid: request.uid, namespace, problem: errorText(error) }, 'could not list pods for the opt-in warnings');
    }
    return this.overlaid(data);
  }

  /** A Namespace CREATE/UPDATE whose netguard.io/mode makes it stricter than before. */
  private makesNamespaceStricter(request: AdmissionRequest, config: Config): boolean {
    if (request.kind.group !== '' || request.kind.kind !== 'Namespace') return false;
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return false;
    const name = request.name || nameOf(request);
    const after = namespaceMode(name, labelsOf(request.object), config).mode;
    // a namespace being created had no mode before (as namespace-default-deny's opt-in warnings see it)
    const before = request.operation === 'UPDATE' ? namespaceMode(name, labelsOf(request.oldObject), config).mode : 'disabled';
    return strictness(after) > strictness(before);
  }

  private internalError(request: AdmissionRequest, mode: Mode, dryRun: boolean, error: unknown, modeAssumed: boolean): Decision {
    this.deps.logger.error({ ...this.identity(request), mode, err: error }, 'internal error while judging a review');
    this.deps.metrics?.error('internal');
    return internalErrorResponse(request.uid, { mode, dryRun, kind: request.kind.kind, name: nameOf(request), error: errorText(error), modeAssumed });
  }

  private identity(request: AdmissionRequest) {
    return {
      uid: request.uid,
      kind: request.kind.kind,
      namespace: isClusterScoped(request) ? undefined : namespaceOf(request),
      name: nameOf(request),
      operation: request.operation,
    };
  }

  /** One log line per review (info when the answer is not a clean allow), one per violation judged in audit mode, metrics. */
  private record(
    request: AdmissionRequest,
    { mode, dryRun, ruleCaps }: { mode: Mode; dryRun: boolean; ruleCaps: Config['ruleCaps'] },
    violations: readonly Violation[],
    excepted: readonly ExceptedViolation[],
    decision: Decision,
    ms: number,
  ): void {
    const { logger, metrics } = this.deps;
    const exceptions = exceptionNames(excepted);
    const identity = this.identity(request);
    const { response } = decision;
    const outcome: ReviewDecision = response.allowed ? 'allowed' : 'denied';
    // the answer itself says whether there was a finding: a denial, a warning (warn, dry-run,
    // exceptions, internal errors outside enforce) or an audit annotation
    const finding = !response.allowed || response.warnings !== undefined || response.auditAnnotations !== undefined;
    logReview(logger, {
      uid: identity.uid,
      kind: identity.kind,
      namespace: identity.namespace,
      name: identity.name,
      operation: identity.operation,
      user: request.userInfo.username,
      mode,
      decision: outcome,
      rules: ruleIdsOf(violations),
      exceptions,
      wouldDeny: dryRun && decision.wouldDeny,
      requestDryRun: request.dryRun === true,
      durationMs: Math.round(ms * 1000) / 1000,
    }, finding);
    for (const violation of violations) {
      if (violationMode(violation, mode, ruleCaps) === 'audit') logger.info({ ...identity, rule: violation.rule, message: violation.message }, 'violation');
    }
    if (metrics) {
      metrics.review({ kind: request.kind.kind, operation: request.operation, mode, decision: outcome }, ms / 1000);
      for (const violation of violations) metrics.violation(violation.rule, violationMode(violation, mode, ruleCaps));
      for (const name of exceptions) metrics.exceptionApplied(name);
    }
  }
}
