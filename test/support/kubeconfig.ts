// Writes a kubeconfig that points client-node at a fake API server. The server speaks plain HTTP,
// which client-node refuses unless the cluster says skipTLSVerify (insecure-skip-tls-verify);
// netguard sets that itself for http:// servers, which `skipTLSVerify: false` lets tests check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export function writeKubeconfig(server: string, dir = mkdtempSync(join(tmpdir(), 'netguard-kube-')), options: { skipTLSVerify?: boolean } = {}): string {
  const file = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server, ...(options.skipTLSVerify === false ? {} : { 'insecure-skip-tls-verify': true }) } }],
      users: [{ name: 'fake', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    }),
  );
  return file;
}
