// A fake Kubernetes API server over plain HTTP on 127.0.0.1, good enough for client-node's
// informers and for netguard's paged reads: LIST (resourceVersion, limit/continue), GET by name
// (404 Status), WATCH (newline-delimited JSON events from a resourceVersion). Tests steer it:
// change objects (emitting watch events, or silently), drop watch streams, answer the next watch
// with a 410, slow down or fail requests, stop and restart on the same port, count requests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeObject } from '../../src/cluster/objects.js';

export interface ResourceType {
  kind: string;
  plural: string;
  group: string;
  version: string;
  namespaced: boolean;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { kind: 'Namespace', plural: 'namespaces', group: '', version: 'v1', namespaced: false },
  { kind: 'Pod', plural: 'pods', group: '', version: 'v1', namespaced: true },
  { kind: 'NetworkPolicy', plural: 'networkpolicies', group: 'networking.k8s.io', version: 'v1', namespaced: true },
  { kind: 'Role', plural: 'roles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  { kind: 'ClusterRole', plural: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  { kind: 'RoleBinding', plural: 'rolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  // workloads (owners of pods for audit, endpoints for reach)
  { kind: 'Deployment', plural: 'deployments', group: 'apps', version: 'v1', namespaced: true },
  { kind: 'StatefulSet', plural: 'statefulsets', group: 'apps', version: 'v1', namespaced: true },
  { kind: 'DaemonSet', plural: 'daemonsets', group: 'apps', version: 'v1', namespaced: true },
  { kind: 'ReplicaSet', plural: 'replicasets', group: 'apps', version: 'v1', namespaced: true },
  { kind: 'Job', plural: 'jobs', group: 'batch', version: 'v1', namespaced: true },
  { kind: 'CronJob', plural: 'cronjobs', group: 'batch', version: 'v1', namespaced: true },
  // policy CRDs: served only after serve(kind) (as if their CRD were installed)
  { kind: 'CiliumNetworkPolicy', plural: 'ciliumnetworkpolicies', group: 'cilium.io', version: 'v2', namespaced: true },
  { kind: 'CiliumClusterwideNetworkPolicy', plural: 'ciliumclusterwidenetworkpolicies', group: 'cilium.io', version: 'v2', namespaced: false },
  { kind: 'ClusterNetworkPolicy', plural: 'clusternetworkpolicies', group: 'policy.networking.k8s.io', version: 'v1alpha2', namespaced: false },
  { kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', group: 'projectcalico.org', version: 'v3', namespaced: false },
];

/** Kinds served from the start: the built-in ones. */
const BUILT_IN = new Set(['Namespace', 'Pod', 'NetworkPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

const BY_KIND = new Map(RESOURCE_TYPES.map((t) => [t.kind, t]));
const BY_PATH = new Map(RESOURCE_TYPES.map((t) => [`${t.group}/${t.plural}`, t]));

export type RequestKind = 'list' | 'watch' | 'get' | 'other';

export interface RecordedRequest {
  path: string;
  kind: RequestKind;
  query: URLSearchParams;
}

/** A fault or delay applied to matching requests. */
export interface Fault {
  match: (request: RecordedRequest) => boolean;
  /** answer with this HTTP status (a Status body) */
  status?: number;
  /** destroy the connection without an answer */
  reset?: boolean;
  /** answer a watch with 200 and end the stream at once (an API server shedding watches) */
  endWatch?: boolean;
  /** wait this long before answering */
  delayMs?: number;
  /** apply to this many requests, then retire (default: until removed) */
  times?: number;
}

interface Event {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface WatchStream {
  type: ResourceType;
  namespace: string | undefined;
  res: ServerResponse;
}

interface Route {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
}

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** First index in a sorted array whose value is > `after` (or ≥ `from`). */
function lowerBound(sorted: readonly string[], value: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (strict ? v <= value : v < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class FakeApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly objects = new Map<string, Map<string, KubeObject>>(RESOURCE_TYPES.map((t) => [t.plural, new Map()]));
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly history = new Map<string, Event[]>(RESOURCE_TYPES.map((t) => [t.plural, []]));
  private readonly watches = new Set<WatchStream>();
  private revision = 1;
  /** watch events at or below this revision are forgotten: a watch from there gets 410 */
  private compactedAt = 0;
  private goneWatches = 0;
  private goneKeepsOpen = false;
  private faults: Fault[] = [];
  private portNumber = 0;
  private readonly served = new Set<string>(BUILT_IN);
  readonly requests: RecordedRequest[] = [];

  /** Serves a CRD-backed kind (as if its CRD were installed), or stops serving it: 404 and gone from discovery. */
  serve(kind: string, on = true): void {
    this.requireType(kind);
    if (on) this.served.add(kind);
    else this.served.delete(kind);
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Listens on 127.0.0.1; `port` 0 picks a free one, a later start() reuses it. */
  async start(port = this.portNumber): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes away like a crashed API server: every connection is cut, nothing is listening. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.watches.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start(this.portNumber);
  }

  // ---- objects -------------------------------------------------------------------------------

  /** Adds or replaces objects without watch events, for building a large state fast. */
  seed(objects: Iterable<KubeObject>): void {
    for (const object of objects) this.store(object);
  }

  add(object: KubeObject, options: { silent?: boolean } = {}): KubeObject {
    const type = this.typeOf(object);
    const existed = this.objects.get(type.plural)!.has(this.keyOfObject(type, object));
    const stored = this.store(object);
    if (!options.silent) this.emit(type, existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  update(object: KubeObject, options: { silent?: boolean } = {}): KubeObject {
    return this.add(object, options);
  }

  /** Deletes an object; `silent` withholds the DELETED event (as if it happened while a watch was down). */
  delete(kind: string, namespace: string | undefined, name: string, options: { silent?: boolean } = {}): boolean {
    const type = this.requireType(kind);
    const map = this.objects.get(type.plural)!;
    const key = keyOf(type.namespaced ? namespace : undefined, name);
    const existing = map.get(key);
    if (!existing) return false;
    map.delete(key);
    this.sortedKeys.delete(type.plural);
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.revision) } };
    if (!options.silent) this.emit(type, 'DELETED', gone);
    return true;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.requireType(kind);
    return this.objects.get(type.plural)!.get(keyOf(type.namespaced ? namespace : undefined, name));
  }

  count(kind: string): number {
    return this.objects.get(this.requireType(kind).plural)!.size;
  }

  // ---- faults and controls -------------------------------------------------------------------

  /** Watch streams currently open. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Ends every open watch stream (the informers re-watch from their last resourceVersion). */
  dropWatches(): void {
    for (const watch of this.watches) watch.res.end();
    this.watches.clear();
  }

  /**
   * The next `count` watch requests get an ERROR 410 event (resourceVersion too old) and end —
   * or, with `keepOpen`, stay open after it as a sloppy server might.
   */
  expireNextWatch(count = 1, options: { keepOpen?: boolean } = {}): void {
    this.goneWatches += count;
    this.goneKeepsOpen = options.keepOpen === true;
  }

  /** Forgets the watch history: any watch from an older resourceVersion gets 410, forcing a relist. */
  compact(): void {
    this.compactedAt = this.revision;
    for (const events of this.history.values()) events.length = 0;
  }

  addFault(fault: Fault): () => void {
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Requests seen for a path (exact, without query), optionally of one kind. */
  countRequests(path: string, kind?: RequestKind): number {
    return this.requests.filter((r) => r.path === path && (kind === undefined || r.kind === kind)).length;
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireType(kind: string): ResourceType {
    const type = BY_KIND.get(kind);
    if (!type) throw new Error(`fake API: unknown kind ${kind}`);
    return type;
  }

  private typeOf(object: KubeObject): ResourceType {
    return this.requireType(object.kind ?? '');
  }

  private keyOfObject(type: ResourceType, object: KubeObject): string {
    const meta = object.metadata ?? {};
    return keyOf(type.namespaced ? (meta.namespace ?? 'default') : undefined, meta.name ?? '');
  }

  private store(object: KubeObject): KubeObject {
    const type = this.typeOf(object);
    const map = this.objects.get(type.plural)!;
    const key = this.keyOfObject(type, object);
    const previous = map.get(key);
    const meta = object.metadata ?? {};
    const stored: KubeObject = {
      ...object,
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      kind: type.kind,
      metadata: {
        ...meta,
        ...(type.namespaced ? { namespace: meta.namespace ?? 'default' } : {}),
        uid: previous?.metadata?.['uid'] ?? meta['uid'] ?? randomUUID(),
        creationTimestamp: previous?.metadata?.['creationTimestamp'] ?? '2024-01-01T00:00:00Z',
        resourceVersion: String(++this.revision),
      },
    };
    if (!previous) this.sortedKeys.delete(type.plural);
    map.set(key, stored);
    return stored;
  }

  private emit(type: ResourceType, eventType: Event['type'], object: KubeObject): void {
    const event: Event = { rv: Number(object.metadata?.resourceVersion), type: eventType, object };
    this.history.get(type.plural)!.push(event);
    const line = `${JSON.stringify({ type: eventType, object })}\n`;
    for (const watch of this.watches) {
      if (watch.type !== type) continue;
      if (watch.namespace && object.metadata?.namespace !== watch.namespace) continue;
      watch.res.write(line);
    }
  }

  private route(pathname: string): Route | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = BY_PATH.get(`${group}/${rest[0] ?? ''}`);
    if (!type || rest.length > 2 || (namespace !== undefined && !type.namespaced)) return undefined;
    return { type, namespace, name: rest[1] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = this.route(url.pathname);
    const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const kind: RequestKind = !route || req.method !== 'GET' ? 'other' : watching ? 'watch' : route.name ? 'get' : 'list';
    const recorded: RecordedRequest = { path: url.pathname, kind, query: url.searchParams };
    this.requests.push(recorded);

    for (const fault of [...this.faults]) {
      if (!fault.match(recorded)) continue;
      if (fault.times !== undefined && --fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.endWatch && watching) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end();
        return;
      }
      if (fault.status) return this.send(res, fault.status, status(fault.status, REASONS[fault.status] ?? 'Unknown', `injected failure ${fault.status}`));
    }
    if (res.destroyed || !this.server) return;

    if (req.method === 'GET' && !route) {
      const discovery = this.discovery(url.pathname);
      if (discovery) return this.send(res, 200, discovery);
    }
    if (!route || req.method !== 'GET' || !this.served.has(route.type.kind)) {
      return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (watching) return this.watch(route, url.searchParams, res);
    if (route.name) return this.getOne(route, res);
    return this.list(route, url.searchParams, res);
  }

  /** /apis (APIGroupList) and /apis/<group>/<version> (APIResourceList) of the served kinds. */
  private discovery(pathname: string): unknown {
    const served = RESOURCE_TYPES.filter((t) => t.group !== '' && this.served.has(t.kind));
    if (pathname === '/apis') {
      const groups = [...new Set(served.map((t) => t.group))].map((name) => {
        const versions = [...new Set(served.filter((t) => t.group === name).map((t) => t.version))].map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions, preferredVersion: versions[0] };
      });
      return { kind: 'APIGroupList', apiVersion: 'v1', groups };
    }
    const parts = pathname.split('/').filter(Boolean);
    if (parts.length !== 3 || parts[0] !== 'apis') return undefined;
    const resources = served.filter((t) => t.group === parts[1] && t.version === parts[2]);
    if (resources.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${parts[1]}/${parts[2]}`,
      resources: resources.map((t) => ({ name: t.plural, namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'list', 'watch'] })),
    };
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private getOne(route: Route, res: ServerResponse): void {
    const object = this.objects.get(route.type.plural)!.get(keyOf(route.namespace, route.name!));
    if (object) return this.send(res, 200, object);
    const resource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
    this.send(res, 404, {
      ...status(404, 'NotFound', `${resource} "${route.name}" not found`),
      details: { name: route.name, group: route.type.group, kind: route.type.plural },
    });
  }

  private keysOf(plural: string): string[] {
    let keys = this.sortedKeys.get(plural);
    if (!keys) {
      keys = [...this.objects.get(plural)!.keys()].sort();
      this.sortedKeys.set(plural, keys);
    }
    return keys;
  }

  private list(route: Route, query: URLSearchParams, res: ServerResponse): void {
    const limit = Number(query.get('limit') ?? '0');
    let listRv = this.revision;
    let after: string | undefined;
    const token = query.get('continue');
    if (token) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: number; after: string };
        listRv = parsed.rv;
        after = parsed.after;
      } catch {
        return this.send(res, 400, status(400, 'BadRequest', 'invalid continue token'));
      }
    }
    const keys = this.keysOf(route.type.plural);
    const prefix = route.namespace ? `${route.namespace}/` : '';
    let index = after !== undefined ? lowerBound(keys, after, true) : lowerBound(keys, prefix, false);
    const map = this.objects.get(route.type.plural)!;
    const items: unknown[] = [];
    let last: string | undefined;
    while (index < keys.length && (limit <= 0 || items.length < limit)) {
      const key = keys[index++]!;
      if (prefix && !key.startsWith(prefix)) break;
      const object = map.get(key);
      if (!object) continue;
      // The real API server leaves kind and apiVersion out of list items: the list carries them.
      const { kind: _kind, apiVersion: _apiVersion, ...item } = object;
      items.push(item);
      last = key;
    }
    const more = index < keys.length && (!prefix || keys[index]!.startsWith(prefix)) && last !== undefined;
    const { type } = route;
    this.send(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      metadata: {
        resourceVersion: String(listRv),
        ...(more ? { continue: Buffer.from(JSON.stringify({ rv: listRv, after: last })).toString('base64url') } : {}),
      },
      items,
    });
  }

  private watch(route: Route, query: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = query.get('resourceVersion');
    const fromRv = from ? Number(from) : 0;
    if (this.goneWatches > 0 || (fromRv > 0 && fromRv < this.compactedAt)) {
      if (this.goneWatches > 0) this.goneWatches--;
      const gone = status(410, 'Expired', `too old resource version: ${from} (${this.compactedAt})`);
      const line = `${JSON.stringify({ type: 'ERROR', object: gone })}\n`;
      if (this.goneKeepsOpen) res.write(line);
      else res.end(line);
      return;
    }
    const matches = (object: KubeObject) => !route.namespace || object.metadata?.namespace === route.namespace;
    if (fromRv === 0) {
      for (const object of this.objects.get(route.type.plural)!.values()) {
        if (matches(object)) res.write(`${JSON.stringify({ type: 'ADDED', object })}\n`);
      }
    } else {
      for (const event of this.history.get(route.type.plural)!) {
        if (event.rv > fromRv && matches(event.object)) res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
      }
    }
    const stream: WatchStream = { type: route.type, namespace: route.namespace, res };
    this.watches.add(stream);
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watches.delete(stream);
    });
  }
}

export async function startFakeApi(): Promise<FakeApiServer> {
  const server = new FakeApiServer();
  await server.start(0);
  return server;
}
