// Certificates for the webhook's HTTPS port: a private CA (its PEM becomes the webhook's caBundle)
// and a serving certificate signed by it for the Service's DNS names, plus localhost/127.0.0.1 for
// local runs. ECDSA P-256 through WebCrypto: small, fast to make, accepted by kube-apiserver.
// Nothing here touches the disk except writeCertificates.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { makeDirs } from '../util/dirs.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
// the library is typed against the DOM's Crypto, which this Node-only project does not load
x509.cryptoProvider.set(crypto as never);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** back-date certificates a little so a node whose clock lags still accepts them */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** server: serverAuth EKU (the webhook); client: clientAuth EKU (kube-apiserver's webhook client) */
  usage: 'server' | 'client';
  days: number;
}

/** A positive 128-bit serial, hex: random so two runs never collide. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

export async function createCertificateAuthority(commonName: string, days: number): Promise<CertificateAuthority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}`,
    ...validity(days),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), cert, keys };
}

export async function issueCertificate(ca: CertificateAuthority, options: IssueOptions): Promise<IssuedCertificate> {
  const keys = await newKeys();
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${options.commonName}`,
    issuer: ca.cert.subject,
    ...validity(options.days),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** The DNS names kube-apiserver may use to reach a Service, plus local names for development. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, 'localhost'];
}

export interface GenerateOptions {
  service: string;
  namespace: string;
  days: number;
}

export interface GeneratedCertificates {
  /** the CA certificate: base64 of it is the webhook's caBundle */
  caCert: string;
  tlsCert: string;
  tlsKey: string;
}

export async function generateCertificates({ service, namespace, days }: GenerateOptions): Promise<GeneratedCertificates> {
  const ca = await createCertificateAuthority(`netguard-ca (${service}.${namespace})`, days);
  const serving = await issueCertificate(ca, {
    commonName: `${service}.${namespace}.svc`,
    dnsNames: serviceDnsNames(service, namespace),
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    days,
  });
  return { caCert: ca.certPem, tlsCert: serving.certPem, tlsKey: serving.keyPem };
}

export interface WrittenCertificates {
  caCert: string;
  tlsCert: string;
  tlsKey: string;
}

/**
 * Writes ca.crt, tls.crt and tls.key (the names of a kubernetes.io/tls Secret plus the CA) into
 * `dir`, creating it. The key is never readable by others, not even for a moment: it is written
 * to a 0600 temporary file and renamed over any existing tls.key. Returns the three paths.
 */
export function writeCertificates(dir: string, certs: GeneratedCertificates): WrittenCertificates {
  makeDirs(dir);
  const paths = { caCert: join(dir, 'ca.crt'), tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key') };
  writeFileSync(paths.caCert, certs.caCert);
  writeFileSync(paths.tlsCert, certs.tlsCert);
  const temporary = `${paths.tlsKey}.${process.pid}.tmp`;
  writeFileSync(temporary, certs.tlsKey, { mode: 0o600 });
  chmodSync(temporary, 0o600); // `mode` applies only when the file is created; a stale one keeps its own
  renameSync(temporary, paths.tlsKey);
  return paths;
}

/** The caBundle value for a ValidatingWebhookConfiguration. */
export function caBundle(caCertPem: string): string {
  return Buffer.from(caCertPem, 'utf8').toString('base64');
}
