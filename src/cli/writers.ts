// `netguard writers`: who holds network-policy write, read from a live cluster (--kubeconfig, or
// in-cluster) or a state directory (--state). Exit 0 when every writer is provisioned, 1 otherwise,
// 2 on error. Roles and bindings come from the same feeds `audit` reads (kubeconfig as kubectl
// finds it: --kubeconfig, $KUBECONFIG, ~/.kube/config, --context).
import type { ObjectFeed } from '../audit/feed.js';
import { staticFeed } from '../audit/static-feed.js';
import { ClusterStore } from '../cluster/store.js';
import { loadConfigFile } from '../config/load.js';
import { errorText, NetguardError, usageError } from '../errors.js';
import { findWriters, type Writer } from '../rbac/writers.js';

export interface WritersOptions {
  config: string;
  kubeconfig?: string;
  context?: string;
  state?: string;
  namespace?: string;
  output: 'table' | 'json';
}

const KINDS = ['Namespace', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const;

function subjectText(w: Writer): string {
  return w.subject.kind === 'ServiceAccount' ? `ServiceAccount ${w.subject.namespace ?? '?'}/${w.subject.name}` : `${w.subject.kind} ${w.subject.name}`;
}

export function renderWritersTable(writers: readonly Writer[], source: string): string {
  const unprovisioned = writers.filter((w) => !w.provisioned);
  const header = ['SUBJECT', 'SCOPE', 'PROVISIONED', 'PATH', 'VIA'];
  const rows = writers.map((w) => [subjectText(w), w.namespace ?? 'cluster-wide', w.provisioned ? 'yes' : 'NO', w.path, `${w.binding} → ${w.role} → ${w.rule}`]);
  const widths = header.slice(0, 4).map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ');
  const lines = writers.length > 0 ? [line(header), ...rows.map(line), ''] : ['Nobody holds network-policy write through a binding.', ''];
  const subjects = new Set(unprovisioned.map(subjectText));
  lines.push(
    `${writers.length} grant${writers.length === 1 ? '' : 's'} of network-policy write in ${source}; ` +
      (subjects.size === 0 ? 'every writer is provisioned.' : `${subjects.size} subject${subjects.size === 1 ? '' : 's'} not provisioned.`),
    'Groups are shown as groups: Kubernetes does not know their members.',
  );
  return `${lines.join('\n')}\n`;
}

export function renderWritersJson(writers: readonly Writer[], source: string): string {
  const unprovisioned = new Set(writers.filter((w) => !w.provisioned).map(subjectText));
  return `${JSON.stringify({ source, writers, summary: { grants: writers.length, unprovisionedSubjects: unprovisioned.size } }, null, 2)}\n`;
}

async function storeFrom(feed: ObjectFeed): Promise<ClusterStore> {
  const store = new ClusterStore(false);
  for (const kind of KINDS) for await (const page of feed.pages(kind)) for (const object of page) store.upsert(object);
  return store;
}

export async function runWriters(options: WritersOptions): Promise<number> {
  try {
    if (options.kubeconfig !== undefined && options.state !== undefined) throw usageError('use either --kubeconfig or --state, not both');
    if (options.output !== 'table' && options.output !== 'json') throw usageError(`--output must be table or json, not "${String(options.output)}"`);
    const config = loadConfigFile(options.config);
    const feed: ObjectFeed =
      options.state !== undefined ? staticFeed(options.state) : (await import('../audit/live-feed.js')).liveFeed({ kubeconfig: options.kubeconfig, context: options.context }, { command: 'writers', policyKinds: [] });
    const store = await storeFrom(feed);
    const writers = findWriters({ snapshot: store, bindings: store.allBindings(), config, ...(options.namespace ? { namespace: options.namespace } : {}) });
    const render = options.output === 'json' ? renderWritersJson : renderWritersTable;
    process.stdout.write(render(writers, feed.description));
    return writers.every((w) => w.provisioned) ? 0 : 1;
  } catch (error) {
    if (error instanceof NetguardError) process.stderr.write(`error: ${error.message}\n`);
    else process.stderr.write(`error: writers failed: ${errorText(error)}\n`);
    return 2;
  }
}
