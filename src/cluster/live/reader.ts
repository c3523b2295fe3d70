// Reads from the API server for one review (LiveReader): confirming that what a denial rests on is
// really absent, a namespace the cache does not know yet, a bounded pod listing. Each read has a
// short time limit, and what it finds goes into the shared store so the cache catches up too.
import type { Logger } from 'pino';
import { errorText } from '../../errors.js';
import type { Absence } from '../../rules/types.js';
import { annotationOf, asString, isRecord, metaOf } from '../objects.js';
import type { NamespaceState, PodListing, PodState } from '../snapshot.js';
import type { LiveReader, PodListLimits } from '../source.js';
import { effectiveServiceAccount, type StoredKind } from '../store.js';
import { isNotFound, type KubeClient } from './http.js';
import { listPages, PAGE_SIZE } from './paging.js';
import type { CoverageKindId } from '../coverage/kinds.js';
import { RESOURCES, type ResourceInfo } from './resources.js';
import type { StoreWriter } from './store-writer.js';

/** Time limit of one confirm() or namespace() call: a review must not wait long on the API server. */
export const DEFAULT_READ_TIMEOUT_MS = 2_000;

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export interface LiveReadsOptions {
  client: KubeClient;
  writer: StoreWriter;
  logger: Logger;
  readTimeoutMs?: number;
  /** the policy CRD kinds the API server serves now, and where (from discovery) */
  policyResources?: () => ReadonlyMap<CoverageKindId, ResourceInfo>;
}

type Presence = Extract<Absence, { kind: 'CoveringPolicy' }>;

export class LiveReads implements LiveReader {
  private readonly timeoutMs: number;

  constructor(private readonly options: LiveReadsOptions) {
    this.timeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  }

  async confirm(absences: readonly Absence[]): Promise<{ reachable: boolean; error?: string }> {
    const unique = new Map<string, Absence>();
    for (const absence of absences) {
      unique.set(absenceKey(absence), absence);
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    const results = await Promise.allSettled([...unique.values()].map((absence) => this.confirmOne(absence, signal)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return { reachable: true };
    const error = errorText(failed.reason);
    this.options.logger.warn({ err: error }, 'read-through to the API server failed; answering from the cache');
    return { reachable: false, error };
  }

  /** 404 → undefined. Other failures throw: the caller cannot know the namespace's mode and says so. */
  async namespace(name: string): Promise<NamespaceState | undefined> {
    const { client, writer } = this.options;
    try {
      const object = await client.getJson(RESOURCES.Namespace.objectPath(undefined, name), { timeoutMs: this.timeoutMs });
      writer.put('Namespace', object, 'read');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      writer.drop('Namespace', undefined, name);
      return undefined;
    }
    return writer.store.namespace(name);
  }

  async listPods(namespace: string, limits: PodListLimits): Promise<PodListing | undefined> {
    const pods: PodState[] = [];
    let more = false;
    let read = 0;
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      const pages = listPages(this.options.client, RESOURCES.Pod.inNamespace(namespace), {
        signal,
        timeoutMs: limits.timeoutMs,
        // Never ask for more than the budget has left; the last page's `continue` tells whether more exist.
        nextLimit: (soFar) => Math.min(PAGE_SIZE, limits.maxPods - soFar),
      });
      for await (const page of pages) {
        for (const item of page.items.slice(0, Math.max(0, limits.maxPods - read))) {
          const pod = podState(item, namespace);
          if (pod) pods.push(pod);
        }
        read += page.items.length;
        more = page.more || read > limits.maxPods;
      }
    } catch (error) {
      // Out of time after some pages: what was read is still worth reporting, marked incomplete.
      if (signal.aborted && read > 0) return { pods, complete: false };
      this.options.logger.warn({ err: errorText(error), namespace }, 'cannot list pods from the API server');
      return undefined;
    }
    return { pods, complete: !more };
  }

  private confirmOne(absence: Absence, signal: AbortSignal): Promise<unknown> {
    switch (absence.kind) {
      case 'DefaultDenyPolicy':
        return this.confirmPolicies(absence.namespace, signal);
      case 'Role':
        return this.confirmRole(absence, signal);
      case 'CoveringPolicy':
        return this.confirmPresence(absence, signal);
      case 'RoleBindings':
        return this.listBindings(absence, signal);
    }
  }

  /** Where each policy kind read for coverage is served: NetworkPolicy always, CRDs as discovered. */
  private policyResources(): [CoverageKindId, ResourceInfo][] {
    return [['NetworkPolicy', RESOURCES.NetworkPolicy], ...(this.options.policyResources?.() ?? new Map())];
  }

  /**
   * The policies a namespace's coverage can come from, listed live (one LIST per served kind: the
   * namespace's own, and every cluster-scoped one); the store follows what the lists hold.
   */
  private async confirmPolicies(namespace: string, signal: AbortSignal): Promise<void> {
    await Promise.all(this.policyResources().map(([kind, resource]) => this.relistPolicies(kind, resource, namespace, signal)));
  }

  private async relistPolicies(kind: CoverageKindId, resource: ResourceInfo, namespace: string, signal: AbortSignal): Promise<void> {
    const { client, writer } = this.options;
    const listed = new Set<string>();
    let listVersion = '';
    const path = resource.namespaced ? resource.inNamespace(namespace) : resource.listPath;
    for await (const page of listPages(client, path, { signal, timeoutMs: this.timeoutMs })) {
      for (const item of page.items) {
        const placed = resource.namespaced && isRecord(item) ? { ...item, metadata: { ...metaOf(item), namespace } } : item;
        const key = writer.put(kind, placed, 'read');
        if (key !== undefined) listed.add(asString(metaOf(item).name) ?? '');
      }
      listVersion ||= page.resourceVersion;
    }
    for (const key of writer.store.policyKeys(kind, resource.namespaced ? namespace : undefined)) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (!listed.has(name)) writer.drop(kind, resource.namespaced ? namespace : undefined, name, listVersion || undefined);
    }
  }

  /** One GET of a policy an allowed removal rests on: found → stored, 404 (or no longer served) → removed. */
  private async confirmPresence(presence: Presence, signal: AbortSignal): Promise<void> {
    const { client, writer } = this.options;
    const resource = this.policyResources().find(([kind]) => kind === presence.kindId)?.[1];
    if (!resource) return writer.drop(presence.kindId, presence.namespace, presence.name);
    try {
      const object = await client.getJson(resource.objectPath(presence.namespace, presence.name), { signal, timeoutMs: this.timeoutMs });
      writer.put(presence.kindId, object, 'read');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      writer.drop(presence.kindId, presence.namespace, presence.name);
    }
  }

  /** One GET of the role: found → stored, 404 → removed. */
  private async confirmRole(absence: Extract<Absence, { kind: 'Role' }>, signal: AbortSignal): Promise<void> {
    const { client, writer } = this.options;
    const resource = RESOURCES[absence.roleKind];
    const namespace = absence.roleKind === 'Role' ? (absence.namespace ?? 'default') : undefined;
    try {
      const object = await client.getJson(resource.objectPath(namespace, absence.name), { signal, timeoutMs: this.timeoutMs });
      writer.put(absence.roleKind, object, 'read');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      writer.drop(absence.roleKind, namespace, absence.name);
    }
  }

  /**
   * The bindings that could hold a role, listed live into the store: a Role's RoleBindings in its
   * namespace; for a ClusterRole every RoleBinding and ClusterRoleBinding (it may be held through
   * aggregation by bindings of other ClusterRoles). Only adds: a binding the cache has and the list
   * lacks stays until the watch removes it (judging with one binding too many errs on refusing).
   */
  private async listBindings(absence: Extract<Absence, { kind: 'RoleBindings' }>, signal: AbortSignal): Promise<void> {
    const { client, writer } = this.options;
    const lists: [StoredKind, string][] =
      absence.roleKind === 'Role'
        ? [['RoleBinding', RESOURCES.RoleBinding.inNamespace(absence.namespace ?? 'default')]]
        : [
            ['RoleBinding', RESOURCES.RoleBinding.listPath],
            ['ClusterRoleBinding', RESOURCES.ClusterRoleBinding.listPath],
          ];
    await Promise.all(
      lists.map(async ([kind, path]) => {
        for await (const page of listPages(client, path, { signal, timeoutMs: this.timeoutMs })) {
          for (const item of page.items) writer.put(kind, item, 'read');
        }
      }),
    );
  }
}

function absenceKey(absence: Absence): string {
  switch (absence.kind) {
    case 'DefaultDenyPolicy':
      return `deny/${absence.namespace}`;
    case 'Role':
      return `${absence.roleKind}/${absence.namespace ?? ''}/${absence.name}`;
    case 'RoleBindings':
      return `bindings/${absence.roleKind}/${absence.namespace ?? ''}/${absence.name}`;
    case 'CoveringPolicy':
      return `policy/${absence.kindId}/${absence.namespace ?? ''}/${absence.name}`;
  }
}

/**
 * A listed pod as the opt-in warning needs it. Mirror pods are left out: the kubelet creates them
 * from static manifests and pod-service-account exempts them, so they would never be refused.
 */
function podState(item: unknown, namespace: string): PodState | undefined {
  const name = asString(metaOf(item).name);
  if (!name || annotationOf(item, MIRROR_ANNOTATION) !== undefined) return undefined;
  return { namespace, name, serviceAccount: effectiveServiceAccount(isRecord(item) ? item['spec'] : undefined) };
}
