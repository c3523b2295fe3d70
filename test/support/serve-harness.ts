// For the tests that run `startServe` in-process: serving certificates made once per test file,
// every server started closed after each test, and the two things such tests ask a running server
// (a review's answer, the metrics text).
import { afterEach, beforeAll } from 'vitest';
import type { AdmissionRequest } from '../../src/admission/types.js';
import { startServe, type RunningServer, type ServeOptions, type StartExtras } from '../../src/cli/serve.js';
import { sendReview, type HttpAnswer } from './serve.js';
import { makeTestCerts, type TestCerts } from './tls.js';

export interface ServeHarness {
  /** the serving certificates (available once the file's beforeAll has run) */
  readonly certs: TestCerts;
  /** startServe; the server is closed after the test */
  start(options: ServeOptions, extras?: StartExtras): Promise<RunningServer>;
  /** POSTs the AdmissionReview of `request` to the server's /validate */
  review(server: RunningServer, request: AdmissionRequest): Promise<HttpAnswer>;
}

/** Registers the file's hooks; call once at the top of a test file. */
export function serveHarness(): ServeHarness {
  let certs: TestCerts | undefined;
  const running: RunningServer[] = [];
  beforeAll(async () => {
    certs = await makeTestCerts();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });
  const harness: ServeHarness = {
    get certs() {
      if (!certs) throw new Error('serveHarness: the certificates are made in beforeAll; use them inside a test');
      return certs;
    },
    async start(options, extras) {
      const server = await startServe(options, extras);
      running.push(server);
      return server;
    },
    review: (server, request) => sendReview(server.url, harness.certs.caCert, request),
  };
  return harness;
}

/** The text of a running server's /metrics. */
export async function metricsText(server: Pick<RunningServer, 'metricsUrl'>): Promise<string> {
  return (await fetch(server.metricsUrl)).text();
}
