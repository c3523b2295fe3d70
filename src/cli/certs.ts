// `netguard certs`: a CA and a serving certificate for the webhook Service, written as ca.crt,
// tls.crt and tls.key; prints the base64 caBundle for the ValidatingWebhookConfiguration on stdout
// (and nothing else there, so `CA_BUNDLE=$(netguard certs ...)` works).
// Existing files are never replaced without --force: a new CA breaks every API server that still
// holds the old caBundle, as kubeadm's cert phases keep what they find.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { caBundle, generateCertificates, writeCertificates } from '../certs/generate.js';
import { NetguardError, errorText, usageError } from '../errors.js';

export interface CertsOptions {
  out: string;
  service: string;
  namespace: string;
  days?: number;
  /** replace existing files */
  force?: boolean;
  /** keep an existing set and print no caBundle (`npm start`; not part of the documented CLI) */
  ifMissing?: boolean;
}

export const CERT_FILES = ['ca.crt', 'tls.crt', 'tls.key'] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export async function runCerts(
  opts: CertsOptions,
  stdout: (text: string) => void = (t) => process.stdout.write(t),
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const days = opts.days ?? 365;
  if (!DNS_LABEL.test(opts.service)) throw usageError(`--service "${opts.service}" is not a valid Service name (lowercase letters, digits and "-", at most 63 characters)`);
  if (!DNS_LABEL.test(opts.namespace)) throw usageError(`--namespace "${opts.namespace}" is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`);

  const existing = CERT_FILES.filter((file) => existsSync(join(opts.out, file)));
  if (opts.ifMissing && existing.length === CERT_FILES.length) {
    stderr(`${opts.out}: using the existing ${CERT_FILES.join(', ')}\n`);
    return 0;
  }
  if (existing.length > 0 && !opts.force && !opts.ifMissing) {
    throw usageError(
      `${opts.out}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; netguard certs does not replace them. ` +
        'Pass --force to write a new set (then give the API server the new caBundle), or choose another --out.',
    );
  }

  const certs = await generateCertificates({ service: opts.service, namespace: opts.namespace, days });
  let written;
  try {
    written = writeCertificates(opts.out, certs);
  } catch (error) {
    throw new NetguardError(
      'NETGUARD_ERR_USAGE',
      `${opts.out}: cannot write the certificates: ${errorText(error)}. Point --out at a directory you can write to.`,
      opts.out,
      { cause: error },
    );
  }
  stderr(`wrote ${written.caCert}, ${written.tlsCert}, ${written.tlsKey} (valid ${days} days, for Service ${opts.service}.${opts.namespace}.svc)\n`);
  if (!opts.ifMissing) stdout(`${caBundle(certs.caCert)}\n`);
  return 0;
}
