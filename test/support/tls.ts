// Certificates made at test time (never committed): a serving set from the product's own
// generator, written to a temp dir, plus client certificates for mTLS tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  generateCertificates,
  issueCertificate,
  writeCertificates,
  type GeneratedCertificates,
  type WrittenCertificates,
} from '../../src/certs/generate.js';

export interface TestCerts extends GeneratedCertificates {
  dir: string;
  paths: WrittenCertificates;
}

export function tempDir(prefix = 'netguard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A CA and a serving certificate for 127.0.0.1/localhost, written into a fresh temp dir. */
export async function makeTestCerts(dir = tempDir()): Promise<TestCerts> {
  const certs = await generateCertificates({ service: 'netguard', namespace: 'netguard', days: 1 });
  return { ...certs, dir, paths: writeCertificates(dir, certs) };
}

export interface ClientPki {
  /** the CA to pass as --client-ca */
  caCert: string;
  /** a client certificate signed by that CA */
  cert: string;
  key: string;
}

export async function makeClientPki(commonName = 'kube-apiserver-webhook-client'): Promise<ClientPki> {
  const ca = await createCertificateAuthority('test client CA', 1);
  const client = await issueCertificate(ca, { commonName, usage: 'client', days: 1 });
  return { caCert: ca.certPem, cert: client.certPem, key: client.keyPem };
}
