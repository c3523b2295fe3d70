// The one log line every review gets (SPEC: who, what, verdict; never object contents), written by
// a fixed-shape serializer: it is the only log line on the hot path. A review with a finding is
// logged at info; a clean allow at debug, as admission controllers' operators expect (the API
// server's audit log already records every request).
import { writeLine, type Logger } from '../log.js';

export interface ReviewLogEntry {
  uid: string;
  kind: string;
  /** undefined for cluster-scoped objects */
  namespace: string | undefined;
  name: string;
  operation: string;
  /** undefined when a hand-made review carries no userInfo.username */
  user: string | undefined;
  mode: string;
  decision: 'allowed' | 'denied';
  /** ids of the rules violated, each once */
  rules: readonly string[];
  /** names of the exceptions that covered a violation, each once (left out when none) */
  exceptions?: readonly string[];
  /** global dry-run answered allowed where enforce would have denied */
  wouldDeny: boolean;
  /** the request itself was a dry run (kubectl --dry-run=server) */
  requestDryRun: boolean;
  durationMs: number;
}

const json = JSON.stringify;

/** `"key":value,...` in a fixed order; absent values are left out, as pino leaves out undefined. */
export function reviewLogFields(entry: ReviewLogEntry): string {
  let fields = `"uid":${json(entry.uid)},"kind":${json(entry.kind)}`;
  if (entry.namespace !== undefined) fields += `,"namespace":${json(entry.namespace)}`;
  fields += `,"name":${json(entry.name)},"operation":${json(entry.operation)}`;
  if (entry.user !== undefined) fields += `,"user":${json(entry.user)}`;
  fields += `,"mode":${json(entry.mode)},"decision":"${entry.decision}","rules":${json(entry.rules)}`;
  if (entry.exceptions && entry.exceptions.length > 0) fields += `,"exceptions":${json(entry.exceptions)}`;
  if (entry.wouldDeny) fields += ',"wouldDeny":true';
  if (entry.requestDryRun) fields += ',"requestDryRun":true';
  return `${fields},"durationMs":${json(entry.durationMs)}`;
}

/** `finding`: denied, warned, annotated, would be denied (dry-run), excepted or failed. */
export function logReview(logger: Logger, entry: ReviewLogEntry, finding: boolean): void {
  const level = finding ? 'info' : 'debug';
  if (logger.isLevelEnabled(level)) writeLine(logger, level, reviewLogFields(entry), 'review');
}
