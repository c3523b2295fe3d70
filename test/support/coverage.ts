// Names of the policies covering a namespace for a direction, as the older tests read them.
import type { ClusterSnapshot } from '../../src/cluster/snapshot.js';
import type { Direction } from '../../src/config/types.js';

export function denyNames(snapshot: Pick<ClusterSnapshot, 'coverage'>, namespace: string, direction: Direction): Set<string> {
  return new Set(snapshot.coverage(namespace, direction).map((p) => p.name));
}
