// What a new user ran into, through the real command: errors that name the file or flag they are
// about, the type of a wrong serviceAccountName, dry-run warnings that say so, and a quiet `npm start`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { makeRequest } from '../support/requests.js';
import { configTree } from '../support/cli.js';
import { sendReview } from '../support/serve.js';
import { pod as podObject } from '../support/kube-objects.js';
import { makeTestCerts } from '../support/tls.js';
import { CONFIG, SHOP, deployment } from './fixtures.js';
import { entry, netguardAsync, ROOT, tempTree } from './run.js';

// each case starts the real command, some more than once; a loaded machine makes that slow
vi.setConfig({ testTimeout: 120_000 });

describe.concurrent('errors name the file and the flag', () => {
  it('serve --tls-cert missing.crt names the TLS certificate, not a config', async () => {
    const tree = configTree(CONFIG, { 'state/shop.yaml': SHOP, 'tls.key': 'x' });
    const r = await tree.run('serve', ['--state', 'state', '--tls-cert', 'missing.crt', '--tls-key', 'tls.key', '--port', '0', '--metrics-port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing\.crt: cannot read the TLS certificate \(--tls-cert\): ENOENT: no such file or directory/);
    expect(r.stderr).not.toMatch(/config/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve --tls-key names the TLS key', async () => {
    const certs = await makeTestCerts();
    const tree = configTree(CONFIG, { 'state/shop.yaml': SHOP });
    const r = await tree.run('serve', ['--state', 'state', '--tls-cert', certs.paths.tlsCert, '--tls-key', 'gone.key', '--port', '0', '--metrics-port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: gone\.key: cannot read the TLS key \(--tls-key\): ENOENT/);
  });

  it('audit --kubeconfig /nonexistent names the kubeconfig', async () => {
    const r = await configTree(CONFIG).run('audit', ['--kubeconfig', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: /nonexistent: cannot read the kubeconfig (--kubeconfig): no such file\n');
  });
});

describe.concurrent('serviceAccountName of the wrong type', () => {
  const checkWeb = (serviceAccountName: string) =>
    configTree(CONFIG, { 'm/shop.yaml': SHOP, 'm/web.yaml': deployment('web', { namespace: 'shop', serviceAccountName }) }).run('check', ['m']);

  it.each([
    ['123', 'a number'],
    ['[web]', 'a list'],
    ['{name: web}', 'a map'],
  ])('serviceAccountName: %s is reported as %s, not as unset', async (value, type) => {
    const r = await checkWeb(value);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`spec.template.spec.serviceAccountName is ${type}, not a ServiceAccount name, so "default" is used`);
    expect(r.stdout).not.toContain('unset');
  });

  it('an absent serviceAccountName is still reported as unset', async () => {
    const r = await checkWeb('null');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('spec.template.spec.serviceAccountName, unset so "default" is used');
  });
});

/** Starts `netguard serve` as a user would and resolves with its URL once it listens. */
function serve(args: string[], cwd: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [...entry, 'serve', ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /"msg":"listening"/.test(out) ? /"url":"([^"]+)"/.exec(out)?.[1] : undefined;
      if (url) resolve({ url, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}${out}`)));
  });
}

describe('serve --dry-run', () => {
  it('warns that what enforce refuses would be denied (dry-run), unlike warn mode', async () => {
    const certs = await makeTestCerts();
    const cwd = tempTree({ 'config.yaml': CONFIG, 'state/shop.yaml': SHOP });
    const args = ['--config', 'config.yaml', '--state', 'state', '--tls-cert', certs.paths.tlsCert, '--tls-key', certs.paths.tlsKey, '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--dry-run'];
    const server = await serve(args, cwd);
    try {
      const answer = await sendReview(server.url, certs.caCert, makeRequest(podObject('shop', 'web')));
      const { response } = answer.json();
      expect(response.allowed).toBe(true);
      expect(response.warnings).toHaveLength(1);
      expect(response.warnings[0]).toMatch(/^would be denied \(dry-run\): pod-service-account: Pod "web" runs under ServiceAccount "default"/);
    } finally {
      server.stop();
    }
  });
});

describe('npm start', () => {
  it('prepares its certificates quietly: no caBundle on the terminal, the first time or later', async () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const certsArgs = /node dist\/src\/cli\/main\.js (certs [^&]*)$/.exec(scripts['prestart']!)?.[1]?.trim().split(/\s+/);
    expect(certsArgs?.[0]).toBe('certs');
    const cwd = tempTree();
    for (const run of ['first', 'second']) {
      const r = await netguardAsync(certsArgs!, { cwd });
      expect(r.code, run).toBe(0);
      expect(r.stdout, run).toBe('');
      expect(r.stderr.length, run).toBeLessThan(200);
    }
  });
});
