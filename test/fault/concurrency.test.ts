// 200 reviews at once, each on its own TLS connection, through `serve` as shipped (example config
// and cluster state): every one is answered, with the verdict examples/reviews/expected.yaml gives
// its example, and its own uid and apiVersion — no answer lost, swapped or judged against another.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { collectingLogger, localServeOptions, send } from '../support/serve.js';
import { makeTestCerts, type TestCerts } from '../support/tls.js';
import { SEEDS } from '../fuzz/reviews.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLIENT_TIMEOUT_MS = 25_000;
const CONCURRENT = 200;

interface Expected {
  allowed: boolean;
  denies?: string[];
}
const expected = parse(readFileSync(`${ROOT}examples/reviews/expected.yaml`, 'utf8')) as Record<string, Expected>;

let certs: TestCerts;
let server: RunningServer;
const { logger, lines } = collectingLogger('warn');

beforeAll(async () => {
  certs = await makeTestCerts();
  server = await startServe(
    localServeOptions(`${ROOT}examples/config.yaml`, certs, { state: `${ROOT}examples/cluster` }),
    { logger },
  );
});
afterAll(async () => {
  await server?.close();
});

describe('concurrent reviews', () => {
  it(`${CONCURRENT} reviews at once are all answered with the right verdicts`, { timeout: 60_000 }, async () => {
    const files = [...SEEDS.keys()];
    const reviews = Array.from({ length: CONCURRENT }, (_, i) => {
      const file = files[i % files.length]!;
      const review = JSON.parse(JSON.stringify(SEEDS.get(file))) as { apiVersion: string; request: { uid: string } };
      review.request.uid = `concurrent-${i}`;
      if (i % 3 === 0) review.apiVersion = 'admission.k8s.io/v1beta1';
      return { file, review };
    });
    const answers = await Promise.all(
      reviews.map(({ review }) =>
        send(server.url, certs.caCert, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(review),
          timeoutMs: CLIENT_TIMEOUT_MS,
        }),
      ),
    );
    answers.forEach((answer, i) => {
      const { file, review } = reviews[i]!;
      expect(answer.status, file).toBe(200);
      const body = answer.json();
      expect(body.apiVersion, file).toBe(review.apiVersion);
      expect(body.response.uid, file).toBe(review.request.uid);
      const want = expected[file]!;
      expect(body.response.allowed, file).toBe(want.allowed);
      if (!want.allowed) {
        const rules = (body.response.status.message as string).split('\n').map((line) => line.slice(0, line.indexOf(':')));
        expect(rules, file).toEqual(want.denies);
      }
    });
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
