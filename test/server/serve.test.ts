// `serve` wiring in-process: the config file reloaded on change (bad versions refused), ports and
// health, and start-up errors an operator must be told about.
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningServer, ServeOptions } from '../../src/cli/serve.js';
import { watchConfig } from '../../src/config/watch.js';
import { compileConfig } from '../../src/config/load.js';
import { NetguardError } from '../../src/errors.js';
import { makeRequest } from '../support/requests.js';
import { collectingLogger, localServeOptions, send } from '../support/serve.js';
import { metricsText, serveHarness } from '../support/serve-harness.js';
import { pod } from '../support/kube-objects.js';
import { tempDir } from '../support/tls.js';
import { until } from '../support/wait.js';

const serve = serveHarness();

// only pod-service-account, so the verdict depends on the mode alone
const ONLY_POD_RULE = `rules: {netpol-provisioning: false, rbac-netpol-grant: false, namespace-default-deny: false, namespace-mode-label: false, netpol-trusted-cidrs: false}\n`;

function stateDir(dir: string): string {
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  return state;
}

function options(dir: string, config: string): ServeOptions {
  return localServeOptions(config, serve.certs, { state: stateDir(dir) });
}

async function verdict(server: RunningServer): Promise<boolean> {
  const answer = await serve.review(server, makeRequest(pod('shop', 'web')));
  expect(answer.status).toBe(200);
  return answer.json().response.allowed as boolean;
}

describe('config reload (a ConfigMap volume swapping its ..data symlink)', () => {
  it('an invalid version is refused and the old config stays; a valid one takes effect', async () => {
    const dir = tempDir();
    const volume = join(dir, 'config');
    mkdirSync(volume);
    let version = 0;
    const put = (text: string) => {
      const target = `..v${++version}`;
      mkdirSync(join(volume, target));
      writeFileSync(join(volume, target, 'config.yaml'), text);
      symlinkSync(target, join(volume, '..data_tmp'));
      renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
    };
    put(`defaultMode: enforce\n${ONLY_POD_RULE}`);
    symlinkSync(join('..data', 'config.yaml'), join(volume, 'config.yaml'));

    const { logger, lines } = collectingLogger();
    const server = await serve.start(options(dir, join(volume, 'config.yaml')), { logger, watch: { debounceMs: 50, pollMs: 100 } });
    expect(await verdict(server)).toBe(false);

    put(`defaultMode: sometimes\n${ONLY_POD_RULE}`);
    const refused = await until('the refusal', () => lines.find((l) => l.msg === 'config change refused; the previous config stays in force'));
    expect(String(refused['problem'])).toMatch(/config\.yaml[\s\S]*defaultMode: must be one of/);
    expect(await verdict(server)).toBe(false);
    expect(await metricsText(server)).toContain('netguard_config_reloads_total{result="failure"} 1');

    put(`defaultMode: warn\n${ONLY_POD_RULE}`);
    await until('the new config', async () => ((await verdict(server)) ? true : undefined));
    expect(await metricsText(server)).toContain('netguard_config_reloads_total{result="success"} 1');
  });

  it('watchConfig also follows in-place writes and editor-style rename replacement', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'defaultMode: enforce\n');
    const { logger } = collectingLogger();
    const results: string[] = [];
    const watcher = watchConfig(file, compileConfig({ defaultMode: 'enforce' }, file), {
      logger,
      onReload: (r) => results.push(r),
      debounceMs: 50,
      pollMs: 100,
    });
    try {
      writeFileSync(file, 'defaultMode: audit\n');
      await until('in-place write', () => (watcher.current().defaultMode === 'audit' ? true : undefined));
      writeFileSync(join(dir, '.config.yaml.swp'), 'defaultMode: warn\nunknownKey: 1\n');
      renameSync(join(dir, '.config.yaml.swp'), file);
      await until('refusal', () => (results.includes('failure') ? true : undefined));
      expect(watcher.current().defaultMode).toBe('audit');
      writeFileSync(join(dir, '.config.yaml.swp'), 'defaultMode: warn\n');
      renameSync(join(dir, '.config.yaml.swp'), file);
      await until('rename', () => (watcher.current().defaultMode === 'warn' ? true : undefined));
    } finally {
      watcher.close();
    }
  });
});

describe('startServe', () => {
  it('serves health on both ports and logs one listening line with the URL', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), '');
    const { logger, lines } = collectingLogger();
    const server = await serve.start(options(dir, join(dir, 'config.yaml')), { logger });
    const listening = lines.filter((l) => l.msg === 'listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]!['url']).toBe(server.url);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/validate$/);
    const base = server.url.replace('/validate', '');
    expect((await send(base, serve.certs.caCert, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await send(base, serve.certs.caCert, { method: 'GET', path: '/readyz' })).status).toBe(200);
    const metricsBase = server.metricsUrl.replace('/metrics', '');
    expect((await fetch(`${metricsBase}/healthz`)).status).toBe(200);
    expect((await fetch(`${metricsBase}/readyz`)).status).toBe(200);
    expect(await metricsText(server)).toContain('netguard_cache_synced 1');
  });

  it('refuses a bad config, unreadable TLS files and an unknown log level with coded errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'defaultMode: off\n');
    writeFileSync(join(dir, 'good.yaml'), '');
    const { logger } = collectingLogger();
    const bad = serve.start(options(dir, join(dir, 'bad.yaml')), { logger });
    await expect(bad).rejects.toBeInstanceOf(NetguardError);
    await expect(bad).rejects.toMatchObject({ code: 'NETGUARD_ERR_CONFIG_INVALID', message: expect.stringMatching(/bad\.yaml[\s\S]*defaultMode/) });
    await expect(serve.start({ ...options(dir, join(dir, 'good.yaml')), tlsKey: join(dir, 'missing.key') }, { logger })).rejects.toMatchObject({
      code: 'NETGUARD_ERR_FILE_UNREADABLE',
      message: expect.stringMatching(/missing\.key: cannot read the TLS key \(--tls-key\)/),
    });
    await expect(serve.start({ ...options(dir, join(dir, 'good.yaml')), tlsKey: serve.certs.paths.caCert })).rejects.toMatchObject({
      code: 'NETGUARD_ERR_CONFIG_INVALID',
    });
    await expect(serve.start({ ...options(dir, join(dir, 'good.yaml')), logLevel: 'loud' })).rejects.toMatchObject({ code: 'NETGUARD_ERR_USAGE' });
  });

  it('a port already in use is reported, and nothing is left running', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), '');
    const { logger } = collectingLogger();
    const first = await serve.start(options(dir, join(dir, 'config.yaml')), { logger });
    await expect(serve.start({ ...options(join(dir, 'b'), join(dir, 'config.yaml')), port: first.port }, { logger })).rejects.toMatchObject({
      code: 'NETGUARD_ERR_USAGE',
      message: expect.stringMatching(/cannot listen on 127\.0\.0\.1:\d+ for the HTTPS port/),
    });
  });
});
