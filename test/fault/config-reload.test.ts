// A config reload during load loses no review: while reviews stream in, the config file is
// rewritten again and again — valid versions and invalid ones (refused, the previous config stays).
// Every review is answered 200, and its answer is exactly what one of the valid configs gives
// (worked out beforehand by the handler alone): never an error, never a mix of two configs.
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { AdmissionHandler } from '../../src/admission/handler.js';
import type { AdmissionResponse } from '../../src/admission/types.js';
import { startServe, type RunningServer } from '../../src/cli/serve.js';
import { loadStaticState } from '../../src/cluster/static.js';
import { parseConfigText } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { Engine } from '../../src/rules/engine.js';
import { SEEDS } from '../fuzz/reviews.js';
import { collectingLogger, localServeOptions, send } from '../support/serve.js';
import { makeTestCerts, tempDir, type TestCerts } from '../support/tls.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLIENT_TIMEOUT_MS = 20_000;
const STREAM_MS = 4_000;
const WORKERS = 6;

const exampleText = readFileSync(`${ROOT}examples/config.yaml`, 'utf8');
const example = parse(exampleText) as Record<string, unknown>;
const VALID: Record<string, string> = {
  example: exampleText,
  lenient: stringify({ ...example, serviceAccounts: { disallowed: [] }, trustedCidrs: ['0.0.0.0/0', '::/0'], clusterScopedMode: 'warn' }),
  'dry-run': stringify({ ...example, dryRun: true }),
};
const INVALID = ['defaultMode: bogus\n', 'surprise: true\n', 'provisioners: [\n', `${exampleText}\nrules: {no-such-rule: true}\n`];

const REVIEWS = [
  'pod-default-sa-denied.json',
  'pod-dedicated-sa-allowed.json',
  'pod-default-sa-warn.json',
  'netpol-untrusted-cidr-denied.json',
  'namespace-loosen-denied.json',
  'rolebinding-edit-unprovisioned-denied.json',
];

/** review file → config name → the response that config gives (uid left out) */
const candidates = new Map<string, Map<string, Omit<AdmissionResponse, 'uid'>>>();

let certs: TestCerts;
let server: RunningServer;
let configFile: string;
const { logger, lines } = collectingLogger('info');

const withoutUid = ({ uid: _uid, ...rest }: AdmissionResponse) => rest;

beforeAll(async () => {
  const snapshot = loadStaticState([`${ROOT}examples/cluster`]);
  for (const file of REVIEWS) {
    const answers = new Map<string, Omit<AdmissionResponse, 'uid'>>();
    for (const [name, text] of Object.entries(VALID)) {
      const config = parseConfigText(text, name);
      const handler = new AdmissionHandler({ engine: new Engine(), config: () => config, source: { snapshot, ready: () => true, close: async () => undefined }, logger: createLogger({ level: 'silent' }) });
      const { body } = await handler.handle(JSON.parse(JSON.stringify(SEEDS.get(file))));
      answers.set(name, withoutUid((body as { response: AdmissionResponse }).response));
    }
    candidates.set(file, answers);
  }
  // the configs must tell themselves apart, or the test could not see a reload
  expect(new Set([...candidates.values()].flatMap((m) => [...m.values()].map((r) => JSON.stringify(r)))).size).toBeGreaterThan(REVIEWS.length);

  certs = await makeTestCerts();
  const dir = tempDir();
  configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, VALID['example']!);
  server = await startServe(
    localServeOptions(configFile, certs, { state: `${ROOT}examples/cluster` }),
    { logger, watch: { debounceMs: 20, pollMs: 50 } },
  );
});
afterAll(async () => {
  await server?.close();
});

let sent = 0;
/** Sends one example review; returns the name of the config whose answer it got. */
async function judge(file: string): Promise<string> {
  const review = JSON.parse(JSON.stringify(SEEDS.get(file))) as { request: { uid: string } };
  review.request.uid = `reload-${++sent}`;
  const answer = await send(server.url, certs.caCert, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(review), timeoutMs: CLIENT_TIMEOUT_MS });
  expect(answer.status, file).toBe(200);
  const response = answer.json().response as AdmissionResponse;
  expect(response.uid).toBe(review.request.uid);
  const got = withoutUid(response);
  const match = [...candidates.get(file)!].find(([, want]) => isDeepStrictEqual(want, got));
  expect(match?.[0], `${file}: ${JSON.stringify(got)} is the answer of none of the configs`).toBeDefined();
  return match![0];
}

/** Writes in place (as `echo >` or an editor does) or by rename (as atomic writers do). */
function write(text: string, atomically: boolean): void {
  if (!atomically) return writeFileSync(configFile, text);
  const next = `${configFile}.next`;
  writeFileSync(next, text);
  renameSync(next, configFile);
}

describe('config reload under load', () => {
  it('valid and invalid versions written while reviews stream: every review answered by one whole config', { timeout: 60_000 }, async () => {
    const versions = [VALID['lenient']!, INVALID[0]!, VALID['dry-run']!, INVALID[1]!, VALID['example']!, INVALID[2]!, VALID['lenient']!, INVALID[3]!, VALID['example']!];
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      const until = Date.now() + STREAM_MS;
      while (Date.now() < until) {
        write(versions[writes % versions.length]!, writes % 3 === 0);
        writes++;
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      writing = false;
    })();
    const seen = new Map<string, number>();
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = w; writing; i++) {
        const config = await judge(REVIEWS[i % REVIEWS.length]!);
        seen.set(config, (seen.get(config) ?? 0) + 1);
      }
    });
    await Promise.all([writer, ...workers]);

    // the reloads really happened under load, and the invalid versions were refused
    expect(seen.size, JSON.stringify([...seen])).toBeGreaterThan(1);
    expect(lines.some((l) => l.msg === 'config reloaded')).toBe(true);
    expect(lines.some((l) => l.msg === 'config change refused; the previous config stays in force')).toBe(true);
    expect(lines.filter((l) => l.level === 'error' && l.msg !== 'config change refused; the previous config stays in force')).toEqual([]);

    // after an invalid last write the previous config stays; a valid one still takes effect
    write(VALID['lenient']!, true);
    await vi.waitFor(async () => expect(await judge('pod-default-sa-denied.json')).toBe('lenient'), { timeout: 10_000, interval: 50 });
    write(INVALID[0]!, false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await judge('pod-default-sa-denied.json')).toBe('lenient');
    write(VALID['example']!, false);
    await vi.waitFor(async () => expect(await judge('pod-default-sa-denied.json')).toBe('example'), { timeout: 10_000, interval: 50 });
  });
});
