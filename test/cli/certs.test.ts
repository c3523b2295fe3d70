// `netguard certs`: the three files, their SANs and chain, the key's mode, and the caBundle.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { netguardAsync, tempTree, type CliResult } from './run.js';

const SANS = ['DNS:webhook', 'DNS:webhook.guard', 'DNS:webhook.guard.svc', 'DNS:webhook.guard.svc.cluster.local', 'DNS:localhost', 'IP:127.0.0.1'];

function subjectAltNames(pem: string): string[] {
  const ext = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return (ext?.names.items ?? []).map((n) => `${n.type === 'dns' ? 'DNS' : n.type === 'ip' ? 'IP' : n.type}:${n.value}`);
}

describe('netguard certs', () => {
  const cwd = tempTree();
  const out = join(cwd, 'tls');
  let run: CliResult;
  beforeAll(async () => {
    run = await netguardAsync(['certs', '--out', 'tls', '--service', 'webhook', '--namespace', 'guard', '--days', '30'], { cwd });
  });

  it('exits 0 and writes ca.crt, tls.crt and tls.key into a new directory', () => {
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    for (const file of ['ca.crt', 'tls.crt', 'tls.key']) expect(existsSync(join(out, file))).toBe(true);
  });

  it('makes the key readable by its owner only', () => {
    expect(statSync(join(out, 'tls.key')).mode & 0o777).toBe(0o600);
  });

  it('puts the SPEC SANs in the serving certificate', () => {
    expect(subjectAltNames(readFileSync(join(out, 'tls.crt'), 'utf8')).sort()).toEqual([...SANS].sort());
  });

  it('signs the serving certificate with the CA, for the key it wrote, valid for --days', () => {
    const ca = new NodeX509(readFileSync(join(out, 'ca.crt')));
    const tls = new NodeX509(readFileSync(join(out, 'tls.crt')));
    expect(ca.ca).toBe(true);
    expect(tls.verify(ca.publicKey)).toBe(true);
    const key = createPrivateKey(readFileSync(join(out, 'tls.key')));
    expect(createPublicKey(key).export({ type: 'spki', format: 'der' })).toEqual(tls.publicKey.export({ type: 'spki', format: 'der' }));
    const days = (Date.parse(tls.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });

  it('prints the base64 caBundle, which decodes to ca.crt, and nothing else on stdout', () => {
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(Buffer.from(lines[0]!, 'base64').toString('utf8')).toBe(readFileSync(join(out, 'ca.crt'), 'utf8'));
  });

  it('--if-missing (npm start) keeps an existing set and prints no caBundle', async () => {
    const before = readFileSync(join(out, 'tls.crt'), 'utf8');
    const again = await netguardAsync(['certs', '--out', 'tls', '--service', 'webhook', '--namespace', 'guard', '--if-missing'], { cwd });
    expect(again.code).toBe(0);
    expect(readFileSync(join(out, 'tls.crt'), 'utf8')).toBe(before);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('tls: using the existing ca.crt, tls.crt, tls.key\n');
  });

  it('refuses to replace an existing CA and key without --force, naming them; nothing is touched', async () => {
    const dir = tempTree({ 'ca.crt': 'old ca', 'tls.key': 'old key' });
    const r = await netguardAsync(['certs', '--out', '.', '--service', 'netguard', '--namespace', 'netguard'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: .: ca.crt, tls.key already exist; netguard certs does not replace them. Pass --force to write a new set (then give the API server the new caBundle), or choose another --out.\n',
    );
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe('old ca');
    expect(readFileSync(join(dir, 'tls.key'), 'utf8')).toBe('old key');
    expect(existsSync(join(dir, 'tls.crt'))).toBe(false);
  });

  it('--force replaces the set, narrowing an existing key file to 0600', async () => {
    const dir = tempTree({ 'tls.key': 'old' });
    writeFileSync(join(dir, 'tls.key'), 'old', { mode: 0o644 });
    const r = await netguardAsync(['certs', '--out', '.', '--service', 'netguard', '--namespace', 'netguard', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'tls.key'), 'utf8')).toContain('PRIVATE KEY');
    expect(statSync(join(dir, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(Buffer.from(r.stdout.trim(), 'base64').toString('utf8')).toBe(readFileSync(join(dir, 'ca.crt'), 'utf8'));
  });

  it('an --out that cannot be made (/proc/nope) is a clear error, exit 2, not a hang', async () => {
    const r = await netguardAsync(['certs', '--out', '/proc/nope/tls', '--service', 'netguard', '--namespace', 'netguard'], { cwd: tempTree() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: \/proc\/nope\/tls: cannot write the certificates: ENOENT: no such file or directory, mkdir '\/proc\/nope'\. Point --out at a directory you can write to\.\n$/);
  });

  it.each([
    ['missing --service', ['--out', 'x', '--namespace', 'guard']],
    ['missing --out', ['--service', 'webhook', '--namespace', 'guard']],
    ['non-numeric --days', ['--out', 'x', '--service', 'webhook', '--namespace', 'guard', '--days', 'ten']],
    ['zero --days', ['--out', 'x', '--service', 'webhook', '--namespace', 'guard', '--days', '0']],
    ['invalid --service', ['--out', 'x', '--service', 'Web_Hook', '--namespace', 'guard']],
  ])('%s exits 2', async (_name, args) => {
    const r = await netguardAsync(['certs', ...args], { cwd: tempTree() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/i);
    expect(r.stdout).toBe('');
  });
});
