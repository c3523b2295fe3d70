// `netguard reach`: which connections the NetworkPolicies allow (SPEC "Reachability"). Reads the
// state (manifests, --state DIR or a live cluster), asks the engine, hands the answer to a renderer.
// Exit 0 computed (and every expectation holds), 1 an expectation fails, 2 bad input.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../cluster/objects.js';
import { readManifests } from '../cluster/manifests.js';
import { compileConfig, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import { guardedKinds } from '../cluster/coverage/counted.js';
import { isCrdKind } from '../cluster/coverage/kinds.js';
import { NAMESPACE_NAME } from '../check/request.js';
import { manifestUnreadable, noObjects, usageError } from '../errors.js';
import { Reachability } from '../reach/engine.js';
import { checkExpectations, parseExpectations, type Expectation } from '../reach/expect.js';
import { externalEndpoints, matchEndpoints, parsePort, tablesOf } from '../reach/query.js';
import { renderExpectResult } from '../reach/render-expect.js';
import { renderHtml } from '../reach/render-html.js';
import { renderJson } from '../reach/render-json.js';
import { renderTables } from '../reach/render-text.js';
import { reachState } from '../reach/state.js';

export type ReachOutput = 'text' | 'json' | 'html';

export interface ReachOptions {
  config?: string;
  state?: string;
  kubeconfig?: string;
  namespace?: string;
  from?: string;
  to?: string;
  port?: string[];
  expect?: string;
  output?: ReachOutput;
  paths: string[];
}

/** The kinds reach reads from a live cluster: namespaces, policies, pods and workloads. */
const LIVE_KINDS = [
  { kind: 'Namespace', apiVersion: 'v1', path: '/api/v1/namespaces' },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', path: '/apis/networking.k8s.io/v1/networkpolicies' },
  { kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods' },
  { kind: 'Deployment', apiVersion: 'apps/v1', path: '/apis/apps/v1/deployments' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', path: '/apis/apps/v1/statefulsets' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', path: '/apis/apps/v1/daemonsets' },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', path: '/apis/apps/v1/replicasets' },
  { kind: 'Job', apiVersion: 'batch/v1', path: '/apis/batch/v1/jobs' },
  { kind: 'CronJob', apiVersion: 'batch/v1', path: '/apis/batch/v1/cronjobs' },
];

async function readObjects(opts: ReachOptions, config: Config, warn: (text: string) => void): Promise<KubeObject[]> {
  const files = [...opts.paths, ...(opts.state !== undefined ? [opts.state] : [])];
  const objects = readManifests(files, { onNote: (note) => warn(`note: ${note}\n`) }).map((s) => s.object);
  if (opts.kubeconfig === undefined) {
    // as with check: CI must not pass on nothing
    if (objects.length === 0) throw noObjects(files);
    return objects;
  }
  // client-node is loaded only when a live cluster is asked for
  const { clientFor, loadKubeConfig } = await import('../cluster/live/kubeconfig.js');
  const { listAll } = await import('../cluster/live/list-all.js');
  const { servedPolicyPages } = await import('../cluster/live/policy-pages.js');
  const client = clientFor(loadKubeConfig(opts.kubeconfig));
  const live = await listAll(client, LIVE_KINDS, 'reach');
  // the policies of the other APIs the config guards, where served: reach names them as not modelled
  for await (const page of servedPolicyPages(client, guardedKinds(config).filter(isCrdKind), 'reach')) live.push(...page);
  return [...live, ...objects];
}

function readExpectations(file: string): Expectation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw manifestUnreadable(file, error);
  }
  return parseExpectations(text, file);
}

export async function runReach(opts: ReachOptions, write: (text: string) => void = (t) => process.stdout.write(t), warn: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  const namespace = opts.namespace ?? 'default';
  if (!NAMESPACE_NAME.test(namespace)) throw usageError(`--namespace "${namespace}" is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`);
  if (opts.paths.length === 0 && opts.state === undefined && opts.kubeconfig === undefined) {
    throw usageError('reach needs the cluster state: manifest files or directories, --state DIR or --kubeconfig FILE');
  }
  const ports = (opts.port ?? []).map((text) => {
    const query = parsePort(text);
    if (!query) throw usageError(`--port "${text}" is not PORT[/PROTOCOL] with a port from 1 to 65535 and TCP, UDP or SCTP (e.g. 80, 53/UDP)`);
    return query;
  });
  const from = opts.from ?? '*';
  const to = opts.to ?? '*';
  const config = opts.config !== undefined ? loadConfigFile(opts.config) : compileConfig({}, 'defaults');
  const expectations = opts.expect !== undefined ? readExpectations(opts.expect) : [];

  const state = reachState(await readObjects(opts, config, warn), namespace, config.policyResourceList);
  const patterns = [from, to, ...expectations.flatMap((e) => [e.from, e.to])];
  const engine = new Reachability([...state.endpoints, ...externalEndpoints(patterns, state.endpoints)], state.policies);
  if (state.notModelled.length > 0) {
    warn(`note: not modelled (policies of other network-policy APIs; their effect is not in this answer): ${state.notModelled.join(', ')}\n`);
  }

  if (expectations.length > 0) {
    const result = checkExpectations(engine, expectations);
    write(renderExpectResult(engine, result, expectations.length));
    return result.failures.length > 0 ? 1 : 0;
  }

  const sources = matchEndpoints(engine.endpoints, from);
  const destinations = matchEndpoints(engine.endpoints, to);
  if (!sources) throw usageError(`--from "${from}" matches no endpoint (endpoints are NAMESPACE/POD, NAMESPACE/KIND/NAME or an IP address)`);
  if (!destinations) throw usageError(`--to "${to}" matches no endpoint (endpoints are NAMESPACE/POD, NAMESPACE/KIND/NAME or an IP address)`);
  const tables = tablesOf(sources, destinations, ports);
  if (tables.length === 0) warn('note: the destinations declare no container ports; pass --port PORT[/PROTOCOL] to ask about one\n');
  if (opts.output === 'json') renderJson(engine, tables, write);
  else if (opts.output === 'html') write(renderHtml(engine, tables, state.notModelled));
  else renderTables(engine, tables, write);
  return 0;
}
