// The HTTPS port's certificate, key and (optional) client CA: read and checked at start, then
// re-read when the files change — cert-manager renews by swapping a Secret volume's symlink in
// place. `setSecureContext` makes new handshakes use the new pair while open connections finish
// on the old one; no restart. A half-written or mismatched pair is logged and the old one kept.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { configInvalid, errorText, fileUnreadable } from '../errors.js';
import type { Logger } from '../log.js';
import { watchPaths, type ReloadResult, type WatchHandle, type WatchOptions } from '../config/watch.js';

export interface TlsFiles {
  cert: string;
  key: string;
  /** --client-ca: require client certificates signed by this CA */
  clientCa?: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  ca?: string;
  /** for logs: which certificate is being served */
  serial: string;
  notAfter: string;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw fileUnreadable(file, what, error);
  }
}

/** Reads and checks the files: each parses, and the key belongs to the certificate. */
export function loadTlsMaterial(files: TlsFiles): TlsMaterial {
  const cert = read(files.cert, 'the TLS certificate (--tls-cert)');
  const key = read(files.key, 'the TLS key (--tls-key)');
  const ca = files.clientCa ? read(files.clientCa, 'the client CA (--client-ca)') : undefined;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw configInvalid(files.cert, `not a PEM certificate: ${errorText(error)}`);
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) {
      throw new Error('the key does not belong to the certificate (a rotation half done?)');
    }
  } catch (error) {
    throw configInvalid(files.key, `not a usable private key for ${files.cert}: ${errorText(error)}`);
  }
  if (ca !== undefined && files.clientCa) {
    try {
      new X509Certificate(ca);
    } catch (error) {
      throw configInvalid(files.clientCa, `not a PEM CA certificate: ${errorText(error)}`);
    }
  }
  try {
    // what the server will do with them: catches anything OpenSSL refuses before it is in use
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (error) {
    throw configInvalid(files.cert, `TLS rejects this certificate and key: ${errorText(error)}`);
  }
  return { cert, key, ...(ca ? { ca } : {}), serial: certificate.serialNumber, notAfter: certificate.validTo };
}

/** Options for https.createServer / fastify's `https`. */
export function httpsOptions(material: TlsMaterial) {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca ? { ca: material.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

export interface TlsReloaderOptions extends WatchOptions {
  server: HttpsServer;
  files: TlsFiles;
  initial: TlsMaterial;
  logger: Logger;
  onReload?: (result: ReloadResult) => void;
}

export function watchTls(options: TlsReloaderOptions): WatchHandle & { current(): TlsMaterial } {
  const { server, files, logger, onReload } = options;
  let current = options.initial;
  let lastFailure: string | undefined;
  const reload = () => {
    let next: TlsMaterial;
    try {
      next = loadTlsMaterial(files);
    } catch (error) {
      const problem = errorText(error);
      if (problem === lastFailure) return; // same half-done state seen again: already reported
      lastFailure = problem;
      logger.error({ cert: files.cert, key: files.key, problem }, 'new TLS certificate refused; still serving the previous one');
      onReload?.('failure');
      return;
    }
    lastFailure = undefined;
    if (next.cert === current.cert && next.key === current.key && next.ca === current.ca) return;
    server.setSecureContext({ cert: next.cert, key: next.key, ...(next.ca ? { ca: next.ca } : {}) });
    logger.info({ cert: files.cert, serial: next.serial, notAfter: next.notAfter, previousSerial: current.serial }, 'TLS certificate reloaded');
    current = next;
    onReload?.('success');
  };
  const paths = [files.cert, files.key, ...(files.clientCa ? [files.clientCa] : [])];
  const handle = watchPaths(paths, reload, options);
  return { close: handle.close, current: () => current };
}
