// Which API server to talk to.
// - serve: the kubeconfig file given, else the in-cluster ServiceAccount (a webhook never picks up
//   whoever's kubeconfig happens to be lying around).
// - the commands a person runs (audit, writers, reach, check --kubeconfig): kubectl's order —
//   --kubeconfig FILE, else $KUBECONFIG (a list separated by ":"; the files that exist are merged,
//   the first to name a cluster, user or context wins, as kubectl does), else ~/.kube/config, else
//   in-cluster; --context NAME picks a context other than the current one.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { configInvalid, fileUnreadable, NetguardError } from '../../errors.js';
import { KubeClient } from './http.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export const clusterUnreachable = (message: string, cause?: unknown) =>
  new NetguardError('NETGUARD_ERR_CLUSTER_UNREACHABLE', message, undefined, cause === undefined ? undefined : { cause });

/** `from`: how the file was chosen, for the error ("--kubeconfig", "$KUBECONFIG") */
function readFile(file: string, from = '--kubeconfig'): KubeConfig {
  if (!existsSync(file)) throw fileUnreadable(file, `the kubeconfig (${from})`, 'no such file');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw configInvalid(file, `not a usable kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  return kc;
}

function inCluster(missing: string): KubeConfig {
  if (!process.env['KUBERNETES_SERVICE_HOST'] || !process.env['KUBERNETES_SERVICE_PORT'] || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw clusterUnreachable(
      `${missing} and not running inside a cluster (KUBERNETES_SERVICE_HOST is unset or the ServiceAccount token is not mounted). ` +
        'Pass --kubeconfig FILE, or --state DIR to read the cluster state from manifests.',
    );
  }
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

/** A usable current context: a cluster with a server address; http:// servers accepted as kubectl does. */
function checked(kc: KubeConfig, origin: string): KubeConfig {
  if (!kc.getCurrentCluster()?.server) throw configInvalid(origin, 'the kubeconfig has no current context with a cluster server address');
  return allowPlainHttp(kc);
}

export function loadKubeConfig(file: string | undefined): KubeConfig {
  if (file !== undefined) return checked(readFile(file), file);
  return inCluster('no --kubeconfig given');
}

/** kubectl's merge of a $KUBECONFIG list: the first file to set a name or the current context wins. */
function merge(files: readonly string[]): KubeConfig {
  const configs = files.map((file) => readFile(file, '$KUBECONFIG'));
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.find((c) => c.currentContext)?.currentContext ?? '',
  });
  return merged;
}

export interface KubeConfigChoice {
  /** --kubeconfig */
  kubeconfig?: string | undefined;
  /** --context */
  context?: string | undefined;
}

/** The kubeconfig a command run by a person uses, in kubectl's order (see the top of this file). */
export function kubeConfigFor(choice: KubeConfigChoice, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): KubeConfig {
  let kc: KubeConfig;
  let origin: string;
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '');
  const userConfig = join(home, '.kube', 'config');
  if (choice.kubeconfig !== undefined) {
    kc = readFile(choice.kubeconfig);
    origin = choice.kubeconfig;
  } else if (listed.length > 0) {
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) throw fileUnreadable(listed.join(delimiter), 'any kubeconfig listed in $KUBECONFIG', 'none of its files exists');
    kc = merge(present);
    origin = `$KUBECONFIG (${present.join(delimiter)})`;
  } else if (existsSync(userConfig)) {
    kc = readFile(userConfig, '~/.kube/config');
    origin = userConfig;
  } else {
    if (choice.context !== undefined) throw configInvalid('--context', 'needs a kubeconfig: none was given, $KUBECONFIG is unset and ~/.kube/config does not exist');
    return inCluster('no --kubeconfig given, $KUBECONFIG is unset, ~/.kube/config does not exist');
  }
  if (choice.context !== undefined) {
    if (!kc.getContextObject(choice.context)) {
      const names = kc.contexts.map((c) => c.name);
      throw configInvalid(origin, `--context "${choice.context}": no such context (${names.length > 0 ? `it has ${names.join(', ')}` : 'it has none'})`);
    }
    kc.setCurrentContext(choice.context);
  }
  return checked(kc, origin);
}

/**
 * client-node refuses an http:// server unless its cluster says skipTLSVerify; kubectl does not,
 * and there is no certificate to verify on plain HTTP (local proxies, `kubectl proxy`, test API servers).
 */
function allowPlainHttp(kc: KubeConfig): KubeConfig {
  if (!kc.clusters.some((c) => c.server.startsWith('http://') && !c.skipTLSVerify)) return kc;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith('http://') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return kc;
}

export function clientFor(kc: KubeConfig): KubeClient {
  try {
    return new KubeClient(kc);
  } catch (error) {
    throw clusterUnreachable(`cannot reach the cluster: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
