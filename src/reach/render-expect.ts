// Text of an --expect run: each failed expectation with the policies that decide both sides.
import type { Reachability, SideVerdict } from './engine.js';
import type { Endpoint } from './endpoints.js';
import type { ExpectResult } from './expect.js';
import { portText } from './query.js';

/** One side of a connection in words: who isolates it and who allows it. */
export function sideText(engine: Reachability, endpoint: Endpoint, direction: 'ingress' | 'egress', side: SideVerdict): string {
  const head = `${direction} ${direction === 'egress' ? 'from' : 'to'} ${endpoint.id}`;
  if (!side.isolated) return `${head}: allowed, no policy selects it for ${direction}`;
  if (side.allowedBy.length > 0) return `${head}: allowed by ${side.allowedBy.join(', ')}`;
  return `${head}: denied, selected by ${engine.selectedBy(endpoint, direction).join(', ')} and no rule of theirs matches`;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function renderExpectResult(engine: Reachability, result: ExpectResult, expectations: number): string {
  const lines = result.failures.flatMap(({ expectation, from, to, verdict }) => [
    `FAIL ${from.id} -> ${to.id} ${portText(expectation.query)}: expected ${expectation.allowed ? 'allowed' : 'denied'}, is ${verdict.allowed ? 'allowed' : 'denied'} (${expectation.where})`,
    ...(from.id === to.id
      ? ['  a pod reaching itself is always allowed']
      : [`  ${sideText(engine, from, 'egress', verdict.egress)}`, `  ${sideText(engine, to, 'ingress', verdict.ingress)}`]),
  ]);
  const failed = result.failures.length;
  const checked = `${plural(expectations, 'expectation')}, ${plural(result.connections, 'connection')} checked`;
  lines.push(failed === 0 ? `ok: every expectation holds (${checked})` : `${plural(failed, 'connection')} not as expected (${checked})`);
  return `${lines.join('\n')}\n`;
}
