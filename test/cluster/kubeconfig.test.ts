// Which kubeconfig a command uses: kubectl's order, --context, and errors that name the file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubeConfigFor } from '../../src/cluster/live/kubeconfig.js';

function kubeconfig(dir: string, file: string, contexts: Record<string, string>, current?: string): string {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  const names = Object.keys(contexts);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: names.map((name) => ({ name, cluster: { server: contexts[name] } })),
      users: names.map((name) => ({ name, user: { token: `token-${name}` } })),
      contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
      ...(current ? { 'current-context': current } : {}),
    }),
  );
  return path;
}

const server = (kc: ReturnType<typeof kubeConfigFor>) => kc.getCurrentCluster()?.server;

describe('kubeConfigFor (kubectl order)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-kc-'));
  const home = join(dir, 'home');
  const homeConfig = kubeconfig(home, '.kube/config', { home: 'https://home.example:6443' }, 'home');
  const a = kubeconfig(dir, 'a.yaml', { prod: 'https://prod.example:6443', shared: 'https://from-a.example' }, 'prod');
  const b = kubeconfig(dir, 'b.yaml', { staging: 'https://staging.example:6443', shared: 'https://from-b.example' }, 'staging');
  const emptyHome = join(dir, 'nobody');

  it('uses --kubeconfig first, whatever $KUBECONFIG says', () => {
    expect(server(kubeConfigFor({ kubeconfig: b }, { KUBECONFIG: a }, home))).toBe('https://staging.example:6443');
  });

  it('merges the $KUBECONFIG files that exist: the first to set a name or the current context wins', () => {
    const env = { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(':') };
    expect(server(kubeConfigFor({}, env, home))).toBe('https://prod.example:6443');
    expect(server(kubeConfigFor({ context: 'staging' }, env, home))).toBe('https://staging.example:6443');
    expect(server(kubeConfigFor({ context: 'shared' }, env, home))).toBe('https://from-a.example');
  });

  it('falls back to ~/.kube/config', () => {
    expect(server(kubeConfigFor({}, {}, home))).toBe('https://home.example:6443');
    expect(homeConfig).toBe(join(home, '.kube/config'));
  });

  it('names the file and the contexts it has when --context is unknown', () => {
    expect(() => kubeConfigFor({ kubeconfig: a, context: 'dev' }, {}, home)).toThrow(`${a}: --context "dev": no such context (it has prod, shared)`);
  });

  it('says $KUBECONFIG names nothing that exists', () => {
    expect(() => kubeConfigFor({}, { KUBECONFIG: '/nope/1:/nope/2' }, home)).toThrow('/nope/1:/nope/2: cannot read any kubeconfig listed in $KUBECONFIG: none of its files exists');
  });

  it.skipIf(process.env['KUBERNETES_SERVICE_HOST'])('with nothing at all, says what it looked for', () => {
    expect(() => kubeConfigFor({}, {}, emptyHome)).toThrow(/^no --kubeconfig given, \$KUBECONFIG is unset, ~\/\.kube\/config does not exist and not running inside a cluster/);
    expect(() => kubeConfigFor({ context: 'x' }, {}, emptyHome)).toThrow(/^--context: needs a kubeconfig/);
  });

  it('refuses a current context without a server, naming the file', () => {
    const bare = kubeconfig(dir, 'bare.yaml', { lonely: 'https://x.example' });
    expect(() => kubeConfigFor({ kubeconfig: bare }, {}, home)).toThrow(`${bare}: the kubeconfig has no current context with a cluster server address`);
  });
});
