// The reachability engine: which connections the NetworkPolicies allow, and why.
//
// Endpoints with identical namespace, labels, namespace labels, addresses and ports are one
// equivalence class and share every verdict, so the work is per class, never per pod. Two ways in:
// - `explain(from, to, port)`: one connection, with the policies that allow each side (json, html,
//   --expect); it matches peers directly;
// - `allowedRow(from, port, columns)`: one row of the matrix, for truth tables at scale. Egress
//   marks the classes each of the source's rules reaches; ingress starts from the classes no policy
//   isolates and adds, for each ingress rule whose peers hold the source (an inverse index built
//   once a matrix is asked for; the first rows ask the destinations' rules directly), the classes
//   that rule's policy selects. No N² structure is ever held.
import type { Endpoint } from './endpoints.js';
import { peerKey, peerMatches, portMatches, ruleAdmits, selects, type Peer, type Policy, type PortQuery, type Rule } from './policies.js';

export interface SideVerdict {
  /** some NetworkPolicy selects the pod for this direction */
  isolated: boolean;
  /** `namespace/name` of each policy with a rule that allows the connection */
  allowedBy: string[];
}

export interface Verdict {
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
}

const sideAllows = (side: SideVerdict) => !side.isolated || side.allowedBy.length > 0;

function labelsKey(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let key = '';
  for (const k of keys) key += `${k}\u0001${labels[k]}\u0002`;
  return key;
}

function classKey(e: Endpoint): string {
  let ports = '';
  for (const p of e.ports) ports += `${p.name ?? ''}:${p.port}/${p.protocol},`;
  return `${e.namespace ?? ''}\0${labelsKey(e.labels)}\0${labelsKey(e.namespaceLabels)}\0${e.addresses.join(',')}\0${ports}`;
}

/** Destinations of many rows, with their classes resolved once. */
export interface Columns {
  endpoints: readonly Endpoint[];
  classes: Int32Array;
}

interface RuleRef {
  policy: Policy;
  rule: Rule;
}

export class Reachability {
  readonly endpoints: readonly Endpoint[];
  private readonly classOfId = new Map<string, number>();
  /** one representative endpoint per class */
  private readonly classes: Endpoint[] = [];
  private readonly classesByNamespace = new Map<string, number[]>();
  private readonly selectingIngress: Policy[][] = [];
  private readonly selectingEgress: Policy[][] = [];
  private readonly selectedIngress = new Map<Policy, number[]>();
  private readonly peerSets = new Map<string, Int32Array>();
  /** class → ingress rules whose peers hold it (built on first row) */
  private ingressRulesOf: RuleRef[][] | undefined;
  private everyPeerIngressRules: RuleRef[] = [];
  private lastRow: { key: string; row: Uint8Array } | undefined;
  private openIngress: Uint8Array | undefined;
  private rowsComputed = 0;

  /**
   * @param directRows rows answered by asking each destination's rules directly, before the
   *   inverse ingress index is built (cheaper for a few rows, dearer for a matrix)
   */
  constructor(
    endpoints: readonly Endpoint[],
    private readonly policies: readonly Policy[],
    private readonly directRows = 8,
  ) {
    this.endpoints = endpoints;
    const byKey = new Map<string, number>();
    for (const endpoint of endpoints) {
      const key = classKey(endpoint);
      let id = byKey.get(key);
      if (id === undefined) {
        id = this.classes.length;
        byKey.set(key, id);
        this.classes.push(endpoint);
        this.selectingIngress.push([]);
        this.selectingEgress.push([]);
        if (endpoint.namespace !== undefined) {
          const list = this.classesByNamespace.get(endpoint.namespace) ?? [];
          list.push(id);
          this.classesByNamespace.set(endpoint.namespace, list);
        }
      }
      this.classOfId.set(endpoint.id, id);
    }
    for (const policy of policies) {
      const selected = (this.classesByNamespace.get(policy.namespace) ?? []).filter((c) => selects(policy, this.classes[c]!));
      for (const c of selected) {
        if (policy.ingress) this.selectingIngress[c]!.push(policy);
        if (policy.egress) this.selectingEgress[c]!.push(policy);
      }
      if (policy.ingress) this.selectedIngress.set(policy, selected);
    }
  }

  /** One connection, with the policies that allow each side. */
  explain(from: Endpoint, to: Endpoint, query: PortQuery): Verdict {
    const side = (selecting: readonly Policy[], rulesOf: (p: Policy) => readonly Rule[] | undefined, peer: Endpoint): SideVerdict => ({
      isolated: selecting.length > 0,
      allowedBy: selecting.filter((p) => (rulesOf(p) ?? []).some((r) => ruleAdmits(r, peer, query, to))).map((p) => p.key),
    });
    const egress = side(this.selectingOf(from, 'egress'), (p) => p.egress, to);
    const ingress = side(this.selectingOf(to, 'ingress'), (p) => p.ingress, from);
    return { allowed: from.id === to.id || (sideAllows(egress) && sideAllows(ingress)), egress, ingress };
  }

  /** The class of each destination, looked up once for the many rows asked over them. */
  columns(to: readonly Endpoint[]): Columns {
    return { endpoints: to, classes: Int32Array.from(to, (e) => this.classOf(e)) };
  }

  /** Whether `from` reaches each of the columns on `query` (1 or 0 per column); one class row each. */
  allowedRow(from: Endpoint, query: PortQuery, columns: Columns): Uint8Array {
    const source = this.classOf(from);
    const key = `${source}:${query.port}/${query.protocol}`;
    if (this.lastRow?.key !== key) this.lastRow = { key, row: this.row(source, query) };
    const row = this.lastRow.row;
    const { classes, endpoints } = columns;
    const out = new Uint8Array(classes.length);
    for (let j = 0; j < classes.length; j++) {
      const c = classes[j]!;
      // a pod reaching itself is always allowed
      out[j] = row[c]! | (c === source && endpoints[j]!.id === from.id ? 1 : 0);
    }
    return out;
  }

  /** One connection's verdict without the explanation (both ways agree: tested). */
  allowed(from: Endpoint, to: Endpoint, query: PortQuery): boolean {
    return this.allowedRow(from, query, this.columns([to]))[0] === 1;
  }

  /** `namespace/name` of the policies that select the endpoint for a direction (isolate it). */
  selectedBy(endpoint: Endpoint, direction: 'ingress' | 'egress'): string[] {
    return this.selectingOf(endpoint, direction).map((p) => p.key);
  }

  private classOf(endpoint: Endpoint): number {
    const id = this.classOfId.get(endpoint.id);
    if (id === undefined) throw new Error(`endpoint ${endpoint.id} is not part of this reachability state`);
    return id;
  }

  private selectingOf(endpoint: Endpoint, direction: 'ingress' | 'egress'): readonly Policy[] {
    const c = this.classOf(endpoint);
    return direction === 'ingress' ? this.selectingIngress[c]! : this.selectingEgress[c]!;
  }

  private portsAdmit(rule: Rule, query: PortQuery, destination: number): boolean {
    return rule.ports === undefined || rule.ports.some((p) => portMatches(p, query, this.classes[destination]!));
  }

  private peerSet(peer: Peer): Int32Array {
    const key = peerKey(peer);
    let set = this.peerSets.get(key);
    if (!set) {
      // a podSelector alone only looks at its own namespace
      const candidates = peer.type === 'pods' && peer.namespace !== undefined ? (this.classesByNamespace.get(peer.namespace) ?? []) : this.classes.keys();
      set = Int32Array.from([...candidates].filter((c) => peerMatches(peer, this.classes[c]!)));
      this.peerSets.set(key, set);
    }
    return set;
  }

  private row(source: number, query: PortQuery): Uint8Array {
    const n = this.classes.length;
    const egress = new Uint8Array(n);
    if (this.selectingEgress[source]!.length === 0) egress.fill(1);
    for (const policy of this.selectingEgress[source]!) {
      for (const rule of policy.egress!) {
        const targets = rule.peers === undefined ? this.classes.keys() : rule.peers.flatMap((p) => [...this.peerSet(p)]);
        for (const c of targets) if (egress[c] === 0 && this.portsAdmit(rule, query, c)) egress[c] = 1;
      }
    }
    const ingress = Uint8Array.from(this.openForIngress());
    if (++this.rowsComputed <= this.directRows) {
      // a few rows (`--from ONE`): ask each isolated class's own rules about the source
      const from = this.classes[source]!;
      for (let c = 0; c < n; c++) {
        if (ingress[c] === 1 || egress[c] === 0) continue;
        const to = this.classes[c]!;
        if (this.selectingIngress[c]!.some((p) => p.ingress!.some((r) => ruleAdmits(r, from, query, to)))) ingress[c] = 1;
      }
    } else {
      // many rows (a full matrix): the inverse index pays for itself
      const rulesOf = this.ingressIndex();
      for (const { policy, rule } of [...this.everyPeerIngressRules, ...rulesOf[source]!]) {
        for (const c of this.selectedIngress.get(policy)!) if (ingress[c] === 0 && this.portsAdmit(rule, query, c)) ingress[c] = 1;
      }
    }
    for (let c = 0; c < n; c++) egress[c] = egress[c]! & ingress[c]!;
    return egress;
  }

  /** 1 for each class no policy selects for ingress */
  private openForIngress(): Uint8Array {
    this.openIngress ??= Uint8Array.from(this.selectingIngress, (p) => (p.length === 0 ? 1 : 0));
    return this.openIngress;
  }

  private ingressIndex(): RuleRef[][] {
    if (this.ingressRulesOf) return this.ingressRulesOf;
    const index: RuleRef[][] = this.classes.map(() => []);
    for (const policy of this.policies) {
      for (const rule of policy.ingress ?? []) {
        if (rule.peers === undefined) {
          this.everyPeerIngressRules.push({ policy, rule });
          continue;
        }
        const holders = new Set<number>();
        for (const peer of rule.peers) for (const c of this.peerSet(peer)) holders.add(c);
        for (const c of holders) index[c]!.push({ policy, rule });
      }
    }
    this.ingressRulesOf = index;
    return index;
  }
}
