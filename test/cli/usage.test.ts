// The command line itself: help and version succeed; every usage error exits 2 with a message.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { netguardAsync, ROOT } from './run.js';

const BUILT = `${ROOT}dist/src/cli/main.js`;

const SERVE = ['serve', '--config', 'c.yaml', '--tls-cert', 't.crt', '--tls-key', 't.key'];

describe.concurrent('netguard command line', () => {
  it('is the package bin, built from src/cli/main.ts with a node shebang', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['netguard']).toBe('dist/src/cli/main.js');
    expect(readFileSync(`${ROOT}src/cli/main.ts`, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  // `npm test` builds first (pretest); a bare `vitest run` on a fresh clone has no dist/ yet.
  it.skipIf(!existsSync(BUILT))('the built bin runs as `netguard` does once installed', async () => {
    const r = spawnSync(process.execPath, [BUILT, 'check', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: netguard check');
  });

  it('--help lists the four commands and exits 0', async () => {
    const r = await netguardAsync(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'check', 'audit', 'certs']) expect(r.stdout).toContain(command);
  });

  it.each(['serve', 'check', 'audit', 'certs'])('%s --help shows its flags and exits 0', async (command) => {
    const r = await netguardAsync([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`netguard ${command}`);
  });

  it('serve --help documents every flag with its default', async () => {
    const { stdout } = await netguardAsync(['serve', '--help']);
    for (const flag of ['--config', '--kubeconfig', '--state', '--tls-cert', '--tls-key', '--client-ca', '--port', '--host', '--metrics-port', '--dry-run', '--log-level']) {
      expect(stdout).toContain(flag);
    }
    for (const value of ['8443', '0.0.0.0', '9090', '"info"']) expect(stdout).toContain(value);
  });

  it.each([['help'], ['help', 'check']])('`netguard %s` shows help and exits 0', async (...args) => {
    const r = await netguardAsync(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: netguard');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    const r = await netguardAsync(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['an unknown flag', ['audit', '--config', 'c.yaml', '--verbose']],
    ['serve without --tls-cert', ['serve', '--config', 'c.yaml', '--tls-key', 't.key']],
    ['serve without --config', ['serve', '--tls-cert', 't.crt', '--tls-key', 't.key']],
    ['serve with --kubeconfig and --state', [...SERVE, '--kubeconfig', 'k', '--state', 's']],
    ['serve with a non-numeric --port', [...SERVE, '--port', 'https']],
    ['serve with a port out of range', [...SERVE, '--port', '70000']],
    ['serve with a non-numeric --metrics-port', [...SERVE, '--metrics-port', 'x']],
    ['serve with an unknown --log-level', [...SERVE, '--log-level', 'loud']],
    ['serve with a stray argument', [...SERVE, 'extra']],
    ['audit without --config', ['audit']],
    ['audit with --kubeconfig and --state', ['audit', '--config', 'c.yaml', '--kubeconfig', 'k', '--state', 's']],
    ['audit with a bad --output', ['audit', '--config', 'c.yaml', '--output', 'yaml']],
    ['check with a bad --output', ['check', '--config', 'c.yaml', '--output', 'table', 'x']],
  ])('%s exits 2 with a message on stderr', async (_name, args) => {
    const r = await netguardAsync(args);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeGreaterThan(0);
    expect(r.stdout).toBe('');
  });

  it('names the conflicting flags', async () => {
    const r = await netguardAsync(['audit', '--config', 'c.yaml', '--kubeconfig', 'k', '--state', 's']);
    expect(r.stderr).toContain('--kubeconfig');
    expect(r.stderr).toContain('--state');
  });

  it('says why a port is refused', async () => {
    expect((await netguardAsync([...SERVE, '--port', 'https'])).stderr).toContain('--port must be a whole number from 0 to 65535');
  });
});
