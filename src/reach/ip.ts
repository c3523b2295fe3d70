// Addresses and ipBlocks for reachability, on ipaddr.js. Only the forms the API server accepts
// count: dotted-quad IPv4 and plain IPv6 (no zone), so `010.0.0.1` or `10.1` never match by luck.
// A CIDR with host bits set (`10.0.1.1/4`) is read as its network, as the API server reads it.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

export function parseAddress(text: unknown): Address | undefined {
  if (typeof text !== 'string' || isIP(text) === 0) return undefined;
  return ipaddr.parse(text);
}

export interface Cidr {
  readonly text: string;
  readonly range: [Address, number];
}

export function parseCidrBlock(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const address = parseAddress(text.slice(0, slash));
  const bits = Number(text.slice(slash + 1));
  if (!address || bits > (address.kind() === 'ipv4' ? 32 : 128)) return undefined;
  return { text, range: [address, bits] };
}

export function inCidr(address: Address, cidr: Cidr): boolean {
  return address.kind() === cidr.range[0].kind() && address.match(cidr.range);
}

export interface IpBlock {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

/** `cidr` minus every `except`; undefined when any part is malformed (such a peer matches nothing). */
export function parseIpBlock(block: Record<string, unknown>): IpBlock | undefined {
  const cidr = parseCidrBlock(block['cidr']);
  const exceptRaw = block['except'] ?? [];
  if (!cidr || !Array.isArray(exceptRaw)) return undefined;
  const except = exceptRaw.map(parseCidrBlock);
  if (except.some((e) => e === undefined)) return undefined;
  return { cidr, except: except as Cidr[] };
}

export function inIpBlock(address: Address, block: IpBlock): boolean {
  return inCidr(address, block.cidr) && !block.except.some((e) => inCidr(address, e));
}
