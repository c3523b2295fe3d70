// The certificate generator behind `netguard certs` and the test servers: names, usages, chain.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caBundle, generateCertificates, writeCertificates } from '../../src/certs/generate.js';
import { tempDir } from '../support/tls.js';

describe('generateCertificates', () => {
  it('makes a CA and a serving certificate for the Service names, localhost and 127.0.0.1', async () => {
    const certs = await generateCertificates({ service: 'netguard', namespace: 'guard', days: 30 });
    const ca = new X509Certificate(certs.caCert);
    const serving = new X509Certificate(certs.tlsCert);
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.checkPrivateKey(createPrivateKey(certs.tlsKey))).toBe(true);
    expect(serving.subjectAltName?.split(', ')).toEqual([
      'DNS:netguard',
      'DNS:netguard.guard',
      'DNS:netguard.guard.svc',
      'DNS:netguard.guard.svc.cluster.local',
      'DNS:localhost',
      'IP Address:127.0.0.1',
    ]);
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    const days = (Date.parse(serving.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(Date.parse(serving.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('writes ca.crt, tls.crt and an owner-only tls.key; caBundle is base64 of the CA', async () => {
    const certs = await generateCertificates({ service: 'netguard', namespace: 'guard', days: 1 });
    const dir = join(tempDir(), 'nested', 'out');
    const paths = writeCertificates(dir, certs);
    expect(paths).toEqual({ caCert: join(dir, 'ca.crt'), tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key') });
    expect(readFileSync(paths.tlsCert, 'utf8')).toBe(certs.tlsCert);
    expect(statSync(paths.tlsKey).mode & 0o777).toBe(0o600);
    // an existing, wider key file is narrowed too
    writeFileSync(paths.tlsKey, 'old', { mode: 0o644 });
    writeCertificates(dir, certs);
    expect(statSync(paths.tlsKey).mode & 0o777).toBe(0o600);
    expect(Buffer.from(caBundle(certs.caCert), 'base64').toString()).toBe(certs.caCert);
  });
});
