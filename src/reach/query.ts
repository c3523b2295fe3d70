// Which endpoints and ports a question covers: `--from`/`--to` (an endpoint, `NAMESPACE/*`, `*`, a
// glob, or an IP address outside the state) and `--port PORT[/PROTOCOL]`.
import { isIP } from 'node:net';
import { compileGlobs } from '../util/glob.js';
import { externalEndpoint, type Endpoint } from './endpoints.js';
import { parseAddress } from './ip.js';
import type { PortQuery } from './policies.js';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** The IP addresses among the patterns that are not endpoints yet: they become external endpoints. */
export function externalEndpoints(patterns: readonly string[], known: readonly Endpoint[]): Endpoint[] {
  const ids = new Set(known.map((e) => e.id));
  const added = new Map<string, Endpoint>();
  for (const pattern of patterns) {
    const address = isIP(pattern) !== 0 ? parseAddress(pattern) : undefined;
    if (address && !ids.has(pattern)) added.set(pattern, externalEndpoint(address, pattern));
  }
  return [...added.values()];
}

/** The endpoints a pattern names; undefined when it names none. */
export function matchEndpoints(endpoints: readonly Endpoint[], pattern: string): Endpoint[] | undefined {
  const globs = compileGlobs([pattern]);
  const found = endpoints.filter((e) => globs.matches(e.id));
  return found.length > 0 ? found : undefined;
}

/** `80`, `80/TCP`, `53/udp`; undefined when not a port 1–65535 with TCP, UDP or SCTP. */
export function parsePort(text: string): PortQuery | undefined {
  const match = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[1]);
  const protocol = (match[2] ?? 'TCP').toUpperCase();
  if (port < 1 || port > 65535 || !(PROTOCOLS as readonly string[]).includes(protocol)) return undefined;
  return { port, protocol };
}

export const portText = (q: PortQuery) => `${q.port}/${q.protocol}`;

/** One truth table: a port and the destinations it is asked for. */
export interface Table {
  query: PortQuery;
  from: readonly Endpoint[];
  to: readonly Endpoint[];
}

/**
 * The tables of a question: each port given, for every destination; without ports, every container
 * port the destinations declare, each for the destinations that declare it.
 */
export function tablesOf(from: readonly Endpoint[], to: readonly Endpoint[], ports: readonly PortQuery[]): Table[] {
  if (ports.length > 0) return ports.map((query) => ({ query, from, to }));
  const declared = new Map<string, PortQuery>();
  for (const e of to) for (const p of e.ports) declared.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  return [...declared.values()]
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol))
    .map((query) => ({ query, from, to: to.filter((e) => e.ports.some((p) => p.port === query.port && p.protocol === query.protocol)) }));
}
