// The chart's values.schema.json: it embeds the config file's own schema, and Helm refuses bad
// values before rendering anything. Also `helm lint --strict` with both Helm majors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART, FETCH_TIMEOUT_MS, HELMS, ROOT, lint, setUpHelm, tearDownHelm, template } from './helm.js';

beforeAll(setUpHelm, FETCH_TIMEOUT_MS);
afterAll(tearDownHelm);

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('values.schema.json', () => {
  it('embeds src/config/config.schema.json unchanged under properties.config', () => {
    const values = readJson(join(CHART, 'values.schema.json')) as { properties: Record<string, unknown> };
    const config = readJson(join(ROOT, 'src/config/config.schema.json'));
    expect(values.properties['config']).toEqual(config);
  });

  it('closes every object whose keys it lists (free-form ones like resources stay open)', () => {
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record['properties'] && record['additionalProperties'] !== false) open.push(path || '(root)');
      for (const [key, child] of Object.entries(record)) {
        // if/then only narrow an object already closed by its parent
        if (key !== 'if' && key !== 'then') walk(child, `${path}/${key}`);
      }
    };
    walk(readJson(join(CHART, 'values.schema.json')), '');
    expect(open).toEqual([]);
  });
});

describe.each(HELMS)('$name', (helm) => {
  it('passes helm lint --strict with the default values', () => {
    const result = lint(helm);
    expect(result.stderr + result.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it.each([
    ['cluster-wide, cert-manager', { mode: 'cluster-wide', certs: { mode: 'cert-manager' } }],
    ['provided certificates', { certs: { mode: 'provided', provided: { secretName: 'my-tls', caBundle: 'Q0E=' } } }],
  ])('passes helm lint --strict with %s', (_label, values) => {
    const result = lint(helm, values);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp[]]> = [
    ['a failurePolicy other than Fail or Ignore', { failurePolicy: 'Sometimes' }, [/failurePolicy/, /Fail/]],
    ['an unknown key under config', { config: { defaultMod: 'enforce' } }, [/config/, /defaultMod\b/]],
    ['a config value the config schema refuses', { config: { defaultMode: 'off' } }, [/defaultMode/]],
    ['a YAML-1.1 boolean where a mode belongs', { config: { clusterScopedMode: false } }, [/clusterScopedMode/]],
    ['timeoutSeconds above 30', { timeoutSeconds: 31 }, [/timeoutSeconds/]],
    ['timeoutSeconds below 1', { timeoutSeconds: 0 }, [/timeoutSeconds/]],
    ['an unknown mode', { mode: 'everywhere' }, [/mode/]],
    ['an unknown top-level key', { replicas: 2 }, [/replicas/]],
    ['an unknown certs mode', { certs: { mode: 'self-signed' } }, [/certs/]],
    ['provided certs without a Secret or caBundle', { certs: { mode: 'provided' } }, [/provided/]],
    ['provided certs without a caBundle', { certs: { mode: 'provided', provided: { secretName: 'my-tls' } } }, [/caBundle/]],
    ['a per-webhook failurePolicy typo', { webhooks: { pods: { failurePolicy: 'fail' } } }, [/failurePolicy/]],
    ['an unknown webhook name', { webhooks: { secrets: {} } }, [/secrets/]],
  ];

  it.each(refused)('refuses %s, naming the key', (_label, values, messages) => {
    const result = template(helm, { values });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    for (const message of messages) expect(result.stderr).toMatch(message);
  });

  it('refuses a PodDisruptionBudget with both minAvailable and maxUnavailable', () => {
    const result = template(helm, { values: { podDisruptionBudget: { minAvailable: 2 } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/not both/);
  });
});
