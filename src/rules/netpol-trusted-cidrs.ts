// netpol-trusted-cidrs — NetworkPolicy (networking.k8s.io) CREATE/UPDATE.
// Reads spec.ingress[i].from[j].ipBlock.cidr and spec.egress[i].to[j].ipBlock.cidr.
// Allowed: every such CIDR parses (IPv4 or IPv6) and lies inside a trustedCidrs entry of the same
// family (an exact match counts). Inactive while trustedCidrs is empty.
import { asArray, isRecord } from '../cluster/objects.js';
import { cidrContains, parseCidr, type Cidr } from '../util/cidr.js';
import { nameOf, namespaceOf, NETWORKING } from './kinds.js';
import type { Rule, Violation } from './types.js';
import { brief, listAtMost } from '../util/text.js';

interface Peer {
  path: string;
  value: unknown;
}

/** Every ipBlock peer of the policy, ingress first, in field order. */
function ipBlockPeers(policy: unknown): Peer[] {
  const spec = isRecord(policy) ? policy['spec'] : undefined;
  if (!isRecord(spec)) return [];
  const peers: Peer[] = [];
  for (const [direction, field] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    asArray(spec[direction]).forEach((rule, i) => {
      if (!isRecord(rule)) return;
      asArray(rule[field]).forEach((peer, j) => {
        if (!isRecord(peer) || !isRecord(peer['ipBlock'])) return;
        peers.push({ path: `spec.${direction}[${i}].${field}[${j}].ipBlock.cidr`, value: peer['ipBlock']['cidr'] });
      });
    });
  }
  return peers;
}

function describeValue(value: unknown): string {
  // a CIDR is short: a long value is garbage, and need not be echoed whole into the message
  return value === undefined ? '(missing)' : brief(value);
}

export const netpolTrustedCidrs: Rule = {
  id: 'netpol-trusted-cidrs',
  summary: 'NetworkPolicy ipBlock peers must lie inside the trusted CIDRs.',
  intercepts: [{ group: NETWORKING, kind: 'NetworkPolicy', operations: ['CREATE', 'UPDATE'] }],
  needs: [],
  evaluate({ request, config }): Violation[] {
    const trusted = config.trustedCidrList;
    if (trusted.length === 0) return [];
    const problems: string[] = [];
    let first: string | undefined;
    let invalid = 0;
    for (const { path, value } of ipBlockPeers(request.object)) {
      const cidr: Cidr | undefined = typeof value === 'string' ? parseCidr(value) : undefined;
      if (!cidr) {
        first ??= path;
        problems.push(`${path} ${describeValue(value)} is not a valid CIDR`);
        invalid++;
        continue;
      }
      if (trusted.some((t) => cidrContains(t, cidr))) continue;
      const sameFamily = trusted.some((t) => t.family === cidr.family);
      first ??= path;
      problems.push(`${path} "${cidr.text}" is not inside any trusted CIDR${sameFamily ? '' : ` (no IPv${cidr.family} range is trusted)`}`);
    }
    if (problems.length === 0) return [];
    const namespace = namespaceOf(request);
    const what =
      invalid === problems.length
        ? 'has ipBlock CIDRs that are not valid'
        : invalid > 0
          ? 'has ipBlock CIDRs that are not valid or lie outside the trusted CIDRs'
          : 'has ipBlock peers outside the trusted CIDRs';
    return [
      {
        rule: 'netpol-trusted-cidrs',
        ...(first !== undefined ? { field: first } : {}),
        message:
          `NetworkPolicy "${nameOf(request)}" ${what} ` +
          `(namespace "${namespace}": ${listAtMost(problems, 10, '; ')}). ` +
          `Use address ranges inside trustedCidrs (${trusted.map((t) => t.text).join(', ')}), or ask the platform team to extend trustedCidrs.`,
      },
    ];
  },
};
