// Read-through for denials that rest on something NOT existing (no default-deny policy yet, a
// role not yet known). A watch cache can lag the API server by a moment — a policy created a second
// ago may not be in it — so before such a denial stands, netguard asks the API server once and
// judges again with what it learned. If the API server does not answer, the cache's answer stands
// and the message says so, so nobody is refused silently on stale data.
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import type { LiveReader } from '../cluster/source.js';
import type { Absence, Violation } from '../rules/types.js';

/** Absences behind violations that would deny (warnings never wait on the API server). */
export function denyingAbsences(violations: readonly Violation[]): Absence[] {
  return violations.flatMap((v) => (!v.warningOnly && v.absences ? v.absences : []));
}

export interface ReadThroughResult {
  violations: Violation[];
  /** set when the API server could not be reached and the cache's answer stands */
  unconfirmed?: string;
}

/**
 * `evaluate` judges again against the snapshot the LiveReader just updated. Only called when
 * `denyingAbsences` found something: the common (allowed) path never reaches the API server.
 */
export async function confirmAbsences(
  violations: Violation[],
  live: LiveReader,
  snapshot: ClusterSnapshot,
  evaluate: (snapshot: ClusterSnapshot) => Violation[],
): Promise<ReadThroughResult> {
  const absences = denyingAbsences(violations);
  if (absences.length === 0) return { violations };
  const answer = await live.confirm(absences);
  if (answer.reachable) return { violations: evaluate(snapshot) };
  const error = answer.error ?? 'no answer';
  const note = ` (netguard could not confirm this with the API server: ${error}; answered from its cache)`;
  return {
    violations: violations.map((v) => (!v.warningOnly && v.absences?.length ? { ...v, message: `${v.message}${note}` } : v)),
    unconfirmed: error,
  };
}
