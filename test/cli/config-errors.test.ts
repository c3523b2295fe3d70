// Mistakes in the --config file, as a new user makes them, through the real CLI.
import { describe, expect, it } from 'vitest';
import { pod } from './fixtures.js';
import { netguardAsync, tempTree } from './run.js';

const checkWith = (config: string) =>
  netguardAsync(['check', '--config', 'config.yaml', 'm'], { cwd: tempTree({ 'config.yaml': config, 'm/p.yaml': pod('p', { serviceAccount: 'p' }) }) });

describe.concurrent('config mistakes', () => {
  it('suggests the key meant by a mistyped one', async () => {
    const r = await checkWith('provisoners: []\nserviceAccounts:\n  disalowed: [default]\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  - provisoners: unknown key (did you mean "provisioners"?)\n');
    expect(r.stderr).toContain('  - serviceAccounts.disalowed: unknown key (did you mean "disallowed"?)\n');
  });

  it('says to write disabled for defaultMode: off', async () => {
    const r = await checkWith('defaultMode: off\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('defaultMode: must be one of "disabled", "audit", "warn", "enforce"; write "disabled" to switch netguard off');
  });

  it('names file:line of a YAML error in one clean sentence', async () => {
    const r = await checkWith('defaultMode: enforce\n  x: 1\n');
    expect(r.stderr).toBe('error: config.yaml:2: not valid YAML: bad indentation of a mapping entry\n');
    expect(r.code).toBe(2);
  });

  it('refuses a second document without quoting the parser', async () => {
    const r = await checkWith('defaultMode: enforce\n---\ndryRun: true\n');
    expect(r.stderr).toBe('error: config.yaml:3: a second YAML document; the config is one document\n');
  });

  it('reads anchors used more than 100 times', async () => {
    const uses = Array.from({ length: 120 }, (_, i) => `  - name: team-${i}\n    users: *u`).join('\n');
    const r = await checkWith(`defaultMode: enforce\nexemptNamespaces: &u [kube-system]\nprovisioners:\n${uses}\n`);
    expect(r.stderr).not.toContain('alias');
    expect(r.code).not.toBe(2);
  });
});
