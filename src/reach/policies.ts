// networking.k8s.io/v1 NetworkPolicy, compiled once for reachability.
// Reads: spec.podSelector, spec.policyTypes, spec.ingress[].from / spec.egress[].to (podSelector,
// namespaceSelector, both, ipBlock {cidr, except}), and the rules' ports (protocol, port as number
// or name, endPort). Semantics of the API reference:
// - policyTypes, when absent or empty, defaults as the API server does: Ingress always, Egress
//   when `egress` has at least one rule;
// - an absent or empty from/to matches every peer; absent or empty ports match every port;
// - a podSelector peer alone means pods of the policy's namespace; a namespaceSelector peer pods of
//   every namespace whose labels match (the policy's own included); both together, the AND;
// - a malformed peer, selector or CIDR matches nothing: the engine never guesses a broader allow.
import { asArray, asString, isRecord, metaOf, type KubeObject } from '../cluster/objects.js';
import { compileSelector, type CompiledSelector } from '../cluster/selectors.js';
import { groupOf, type Endpoint } from './endpoints.js';
import { inIpBlock, parseIpBlock, type IpBlock } from './ip.js';

export type Direction = 'Ingress' | 'Egress';

export type Peer =
  | {
      type: 'pods';
      /** the policy's namespace when there is no namespaceSelector */
      namespace: string | undefined;
      namespaceSelector: CompiledSelector | undefined;
      podSelector: CompiledSelector | undefined;
    }
  | { type: 'ipBlock'; block: IpBlock }
  | { type: 'none' };

export interface PortRule {
  protocol: string;
  /** undefined: every port of the protocol */
  port: number | string | undefined;
  endPort: number | undefined;
}

export interface Rule {
  /** undefined: every peer */
  peers: readonly Peer[] | undefined;
  /** undefined: every port */
  ports: readonly PortRule[] | undefined;
}

export interface Policy {
  /** `namespace/name` */
  key: string;
  namespace: string;
  podSelector: CompiledSelector;
  /** rules per direction the policy applies to (policyTypes); absent when it does not */
  ingress: readonly Rule[] | undefined;
  egress: readonly Rule[] | undefined;
}

export function isKubernetesNetworkPolicy(object: KubeObject): boolean {
  return object.kind === 'NetworkPolicy' && groupOf(object) === 'networking.k8s.io';
}

function selectorKey(selector: CompiledSelector | undefined): string {
  if (!selector) return '-';
  if (!selector.valid) return '!';
  return JSON.stringify([...selector.requirements].map((r) => [r.key, r.operator, [...r.values].sort()]).sort());
}

/** Equal keys match equal endpoints: peers of different policies share one match set. */
export function peerKey(peer: Peer): string {
  switch (peer.type) {
    case 'none':
      return 'none';
    case 'ipBlock':
      return `ip:${peer.block.cidr.text}-${peer.block.except.map((e) => e.text).join(',')}`;
    case 'pods':
      return `${peer.namespaceSelector ? `nsSel:${selectorKey(peer.namespaceSelector)}` : `ns:${peer.namespace}`}|${selectorKey(peer.podSelector)}`;
  }
}

const NONE: Peer = { type: 'none' };

function compilePeer(raw: unknown, namespace: string): Peer {
  if (!isRecord(raw)) return NONE;
  const hasPods = raw['podSelector'] !== undefined && raw['podSelector'] !== null;
  const hasNamespaces = raw['namespaceSelector'] !== undefined && raw['namespaceSelector'] !== null;
  const hasBlock = isRecord(raw['ipBlock']);
  // the API server rejects a peer with no field, or ipBlock beside a selector
  if (hasBlock) {
    const block = hasPods || hasNamespaces ? undefined : parseIpBlock(raw['ipBlock'] as Record<string, unknown>);
    return block ? { type: 'ipBlock', block } : NONE;
  }
  if (!hasPods && !hasNamespaces) return NONE;
  const podSelector = hasPods ? compileSelector(raw['podSelector']) : undefined;
  const namespaceSelector = hasNamespaces ? compileSelector(raw['namespaceSelector']) : undefined;
  return { type: 'pods', namespace: namespaceSelector ? undefined : namespace, namespaceSelector, podSelector };
}

function compilePort(raw: unknown): PortRule {
  if (!isRecord(raw)) return { protocol: 'TCP', port: undefined, endPort: undefined };
  const port = raw['port'];
  const endPort = raw['endPort'];
  return {
    protocol: asString(raw['protocol']) ?? 'TCP',
    port: typeof port === 'number' || typeof port === 'string' ? port : undefined,
    endPort: typeof endPort === 'number' && typeof port === 'number' ? endPort : undefined,
  };
}

function compileRules(raw: unknown, peerField: 'from' | 'to', namespace: string): Rule[] {
  return asArray(raw).map((rule) => {
    if (!isRecord(rule)) return { peers: undefined, ports: undefined };
    const peers = asArray(rule[peerField]);
    const ports = asArray(rule['ports']);
    return {
      peers: peers.length === 0 ? undefined : peers.map((p) => compilePeer(p, namespace)),
      ports: ports.length === 0 ? undefined : ports.map(compilePort),
    };
  });
}

/** The directions a policy applies to, defaulted as the API server defaults policyTypes. */
export function policyDirections(spec: Record<string, unknown>): Set<Direction> {
  const types = asArray(spec['policyTypes']);
  if (types.length > 0) return new Set(types.filter((t): t is Direction => t === 'Ingress' || t === 'Egress'));
  return new Set<Direction>(asArray(spec['egress']).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
}

export function compilePolicy(object: KubeObject, defaultNamespace: string): Policy | undefined {
  const meta = metaOf(object);
  const spec = object['spec'];
  if (typeof meta.name !== 'string' || meta.name === '' || !isRecord(spec)) return undefined;
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
  const directions = policyDirections(spec);
  return {
    key: `${namespace}/${meta.name}`,
    namespace,
    // an absent podSelector is the empty one: the API server stores it as {}
    podSelector: compileSelector(spec['podSelector'] ?? {}),
    ingress: directions.has('Ingress') ? compileRules(spec['ingress'], 'from', namespace) : undefined,
    egress: directions.has('Egress') ? compileRules(spec['egress'], 'to', namespace) : undefined,
  };
}

export function selects(policy: Policy, endpoint: Endpoint): boolean {
  return endpoint.namespace === policy.namespace && policy.podSelector.matches(endpoint.labels);
}

export function peerMatches(peer: Peer, endpoint: Endpoint): boolean {
  switch (peer.type) {
    case 'none':
      return false;
    case 'ipBlock':
      // by address only: in-cluster pods with a known IP included, as upstream
      return endpoint.addresses.some((a) => inIpBlock(a, peer.block));
    case 'pods':
      if (endpoint.namespace === undefined) return false;
      if (peer.namespaceSelector ? !peer.namespaceSelector.matches(endpoint.namespaceLabels) : endpoint.namespace !== peer.namespace) return false;
      return peer.podSelector ? peer.podSelector.matches(endpoint.labels) : true;
  }
}

export interface PortQuery {
  port: number;
  protocol: string;
}

/** Whether a rule's port entry admits the query to `destination` (named ports: its container ports). */
export function portMatches(rule: PortRule, query: PortQuery, destination: Endpoint): boolean {
  if (rule.protocol !== query.protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'number') return rule.endPort === undefined ? rule.port === query.port : rule.port <= query.port && query.port <= rule.endPort;
  return destination.ports.some((p) => p.name === rule.port && p.protocol === rule.protocol && p.port === query.port);
}

export function ruleAdmits(rule: Rule, peer: Endpoint, query: PortQuery, destination: Endpoint): boolean {
  return (rule.ports === undefined || rule.ports.some((p) => portMatches(p, query, destination))) && (rule.peers === undefined || rule.peers.some((p) => peerMatches(p, peer)));
}
