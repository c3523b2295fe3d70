// `serve`'s TLS as an operator meets it: certificates rotated in place under a running server
// (the way a cert-manager Secret volume swaps them), a broken rotation kept out, and --client-ca.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { generateCertificates, type GeneratedCertificates } from '../../src/certs/generate.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, reviewOf, send, type LogLine } from '../support/serve.js';
import { pod } from '../support/kube-objects.js';
import { makeClientPki, makeTestCerts, tempDir } from '../support/tls.js';
import { until } from '../support/wait.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A Secret-volume layout: tls.crt → ..data/tls.crt, ..data → ..<version>; swapped atomically. */
function secretVolume(dir: string) {
  let version = 0;
  const put = (files: Record<string, string>) => {
    const target = `..v${++version}`;
    mkdirSync(join(dir, target));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, target, name), text);
    symlinkSync(target, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  return {
    put,
    link(names: string[]) {
      for (const name of names) symlinkSync(join('..data', name), join(dir, name));
    },
  };
}

function baseOptions(dir: string) {
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'defaultMode: enforce\n');
  const state = join(dir, 'state');
  mkdirSync(state);
  writeFileSync(join(state, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  return { config, state, port: 0, host: '127.0.0.1', metricsPort: 0, dryRun: false, logLevel: 'info' };
}

function peerSerial(port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.toUpperCase());
    });
    socket.on('error', reject);
  });
}

const serialOf = (certs: GeneratedCertificates) => new X509Certificate(certs.tlsCert).serialNumber.toUpperCase();


describe('certificate rotation', () => {
  it('new handshakes get the new certificate, reviews keep succeeding, a broken pair is refused', async () => {
    const dir = tempDir();
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    const volume = secretVolume(tlsDir);
    const first = await generateCertificates({ service: 'netguard', namespace: 'netguard', days: 1 });
    const second = await generateCertificates({ service: 'netguard', namespace: 'netguard', days: 1 });
    const broken = await generateCertificates({ service: 'netguard', namespace: 'netguard', days: 1 });
    volume.put({ 'tls.crt': first.tlsCert, 'tls.key': first.tlsKey });
    volume.link(['tls.crt', 'tls.key']);

    const { logger, lines } = collectingLogger();
    const server = await startServe(
      { ...baseOptions(dir), tlsCert: join(tlsDir, 'tls.crt'), tlsKey: join(tlsDir, 'tls.key') },
      { logger, watch: { debounceMs: 50, pollMs: 100 } },
    );
    running.push(server);
    const cas = [first.caCert, second.caCert, broken.caCert];
    expect(await peerSerial(server.port, cas)).toBe(serialOf(first));

    // reviews keep flowing (new connection each time) while the certificate changes under them
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        const answer = await send(`https://127.0.0.1:${server.port}`, cas.join('\n'), {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(reviewOf(makeRequest(pod('shop', 'web', 'web')))),
        });
        statuses.push(answer.status);
      }
    })();

    volume.put({ 'tls.crt': second.tlsCert, 'tls.key': second.tlsKey });
    await until('the new certificate to be served', async () => ((await peerSerial(server.port, cas)) === serialOf(second) ? true : undefined));
    expect(lines.some((l: LogLine) => l.msg === 'TLS certificate reloaded' && l['serial'] === serialOf(second))).toBe(true);

    // a half-done rotation (key of another certificate) is refused; the good one stays in use
    volume.put({ 'tls.crt': broken.tlsCert, 'tls.key': second.tlsKey });
    await until('the broken pair to be refused', () => (lines.some((l) => l.msg === 'new TLS certificate refused; still serving the previous one') ? true : undefined));
    expect(await peerSerial(server.port, cas)).toBe(serialOf(second));

    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('--client-ca', () => {
  it('refuses clients without a certificate from that CA, accepts those with one', async () => {
    const dir = tempDir();
    const certs = await makeTestCerts(join(dir, 'tls'));
    const pki = await makeClientPki();
    const stranger = await makeClientPki('someone-else');
    writeFileSync(join(dir, 'client-ca.crt'), pki.caCert);
    const { logger } = collectingLogger();
    const server = await startServe(
      { ...baseOptions(dir), tlsCert: certs.paths.tlsCert, tlsKey: certs.paths.tlsKey, clientCa: join(dir, 'client-ca.crt') },
      { logger },
    );
    running.push(server);
    const url = `https://127.0.0.1:${server.port}`;
    const request = makeRequest(pod('shop', 'web', 'web'));
    const body = JSON.stringify(reviewOf(request));
    const headers = { 'content-type': 'application/json' };

    await expect(send(url, certs.caCert, { headers, body })).rejects.toThrow();
    await expect(send(url, certs.caCert, { headers, body, cert: stranger.cert, key: stranger.key })).rejects.toThrow();
    const accepted = await send(url, certs.caCert, { headers, body, cert: pki.cert, key: pki.key });
    expect(accepted.status).toBe(200);
    expect(accepted.json().response.uid).toBe(request.uid);
  });
});
