// Exceptions applied after the rules: a violation an exception covers is not counted; it is kept,
// with the exception's name, so answers, logs, metrics and reports can say what was excepted.
// Pure: the current time is handed in.
import type { AdmissionRequest } from '../admission/types.js';
import type { Config, Exception } from '../config/types.js';
import { isClusterScoped } from '../rules/kinds.js';
import type { Violation } from '../rules/types.js';

export interface ExceptedViolation {
  violation: Violation;
  exception: Exception;
}

export interface Judgement {
  /** violations no exception covers */
  violations: Violation[];
  /** violations an exception covers, in engine order */
  excepted: ExceptedViolation[];
}

/** What an exception is matched against, taken from the request once. */
interface Subject {
  kindKey: string;
  /** undefined for cluster-scoped objects (and a namespaced request that names no namespace) */
  namespace: string | undefined;
  name: string | undefined;
  username: string | undefined;
  groups: readonly string[];
}

function subjectOf(request: AdmissionRequest): Subject {
  const meta = request.object?.metadata ?? request.oldObject?.metadata;
  // the namespace is never guessed: without one the object counts as cluster-scoped, which only
  // an exception for every namespace ("*") covers
  const namespace = isClusterScoped(request) ? undefined : request.namespace || (typeof meta?.namespace === 'string' && meta.namespace) || undefined;
  const name = request.name || (typeof meta?.name === 'string' && meta.name) || (typeof meta?.['generateName'] === 'string' && meta['generateName']) || undefined;
  return {
    kindKey: `${request.kind.group}/${request.kind.kind}`,
    namespace,
    name,
    username: request.userInfo?.username,
    groups: Array.isArray(request.userInfo?.groups) ? request.userInfo.groups : [],
  };
}

/** An exception as reports name it. */
export interface ExceptionRef {
  name: string;
  expires: string;
  reason: string;
}

export const exceptionRef = (e: Exception): ExceptionRef => ({ name: e.name, expires: e.expires, reason: e.reason });

export function isExpired(exception: Exception, now: number): boolean {
  return now >= exception.expiresAt;
}

function covers(exception: Exception, violation: Violation, subject: Subject, now: number): boolean {
  if (isExpired(exception, now) || !exception.ruleSet.has(violation.rule)) return false;
  if (subject.namespace === undefined ? !exception.clusterWide : !exception.namespaceGlobs.matches(subject.namespace)) return false;
  if (exception.kindSet && !exception.kindSet.has(subject.kindKey)) return false;
  if (exception.nameGlobs && (subject.name === undefined || !exception.nameGlobs.matches(subject.name))) return false;
  if (exception.requesterSet) {
    const set = exception.requesterSet;
    // nobody asking (an audit, a check without --as) is not one of the named requesters
    if (!(subject.username !== undefined && set.has(subject.username)) && !subject.groups.some((group) => set.has(group))) return false;
  }
  return true;
}

/** Splits violations into those that count and those an exception covers (the first that does, in config order). */
export function applyExceptions(request: AdmissionRequest, violations: Violation[], config: Config, now: number): Judgement {
  if (config.exceptionList.length === 0 || violations.length === 0) return { violations, excepted: [] };
  const subject = subjectOf(request);
  const kept: Violation[] = [];
  const excepted: ExceptedViolation[] = [];
  for (const violation of violations) {
    const exception = config.exceptionList.find((e) => covers(e, violation, subject, now));
    if (exception) excepted.push({ violation, exception });
    else kept.push(violation);
  }
  return { violations: kept, excepted };
}

export function expiredExceptions(config: Config, now: number): Exception[] {
  return config.exceptionList.filter((e) => isExpired(e, now));
}

/** Names of the exceptions applied, each once, in order. */
export function exceptionNames(excepted: readonly ExceptedViolation[]): string[] {
  return [...new Set(excepted.map((e) => e.exception.name))];
}

/** `<rule-id>: excepted by "<name>" until <expires> (<reason>): <message>` */
export function formatExcepted({ violation, exception }: ExceptedViolation): string {
  return `${violation.rule}: excepted by "${exception.name}" until ${exception.expires} (${exception.reason}): ${violation.message}`;
}
