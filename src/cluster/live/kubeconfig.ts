// Which API server to talk to: the kubeconfig file given, else the in-cluster ServiceAccount.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { configInvalid, fileUnreadable, NetguardError } from '../../errors.js';
import { KubeClient } from './http.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export const clusterUnreachable = (message: string, cause?: unknown) =>
  new NetguardError('NETGUARD_ERR_CLUSTER_UNREACHABLE', message, undefined, cause === undefined ? undefined : { cause });

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file !== undefined) {
    if (!existsSync(file)) throw fileUnreadable(file, 'the kubeconfig (--kubeconfig)', 'no such file');
    try {
      kc.loadFromFile(file);
    } catch (error) {
      throw configInvalid(file, `not a usable kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!kc.getCurrentCluster()?.server) throw configInvalid(file, 'the kubeconfig has no current context with a cluster server address');
    return allowPlainHttp(kc);
  }
  if (!process.env['KUBERNETES_SERVICE_HOST'] || !process.env['KUBERNETES_SERVICE_PORT'] || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw clusterUnreachable(
      'no --kubeconfig given and not running inside a cluster (KUBERNETES_SERVICE_HOST is unset or the ServiceAccount token is not mounted). ' +
        'Pass --kubeconfig FILE, or --state DIR to read the cluster state from manifests.',
    );
  }
  kc.loadFromCluster();
  return kc;
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
