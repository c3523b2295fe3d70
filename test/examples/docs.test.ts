// README.md, docs/writers.md and docs/rules.md show real output: every block marked
// `<!-- output-check: … -->` or `<!-- rules-check: … -->` is compared with what netguard answers
// today, so a changed message cannot leave the documentation behind.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdmissionHandler } from '../../src/admission/handler.js';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { loadStaticState } from '../../src/cluster/static.js';
import { loadConfigFile } from '../../src/config/load.js';
import { RULE_IDS } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/server/metrics.js';
import { Engine } from '../../src/rules/engine.js';
import { netguardAsync } from '../cli/run.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const RULES_DOC = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');

const config = loadConfigFile(join(ROOT, 'examples/config.yaml'));
const handler = new AdmissionHandler({
  engine: new Engine(),
  config: () => config,
  source: { snapshot: loadStaticState([join(ROOT, 'examples/cluster')]), ready: () => true, close: async () => {} },
  logger: createLogger({ level: 'silent' }),
});

async function answer(review: string): Promise<AdmissionReviewResponse> {
  const body = JSON.parse(readFileSync(join(ROOT, review), 'utf8')) as unknown;
  return (await handler.handle(body)).body as AdmissionReviewResponse;
}

/** The fenced block after each marker: marker text → block lines. */
function checkedBlocks(text: string, tag: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  for (const match of text.matchAll(new RegExp(`<!-- ${tag}: (.+?) -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``, 'g'))) {
    blocks.set(match[1]!, match[2]!.split('\n'));
  }
  return blocks;
}

/** A block marked `<!-- output-check: … -->` is what netguard answers today. */
async function expectRealOutput(marker: string, lines: readonly string[]): Promise<void> {
  const review = /examples\/reviews\/\S+\.json/.exec(marker)?.[0];
  if (marker.startsWith('response of ')) {
    expect(JSON.parse(lines.join('\n'))).toEqual(await answer(review!));
  } else if (marker.startsWith('kubectl error for ')) {
    const { response } = await answer(review!);
    expect(lines[1]).toBe(
      `Error from server (Forbidden): error when creating "pod.yaml": admission webhook "pods.netguard.io" denied the request: ${response.status!.message}`,
    );
  } else if (marker.startsWith('kubectl warning for ')) {
    const { response } = await answer(review!);
    expect(lines.filter((l) => l.startsWith('Warning: '))).toEqual((response.warnings ?? []).map((w) => `Warning: ${w}`));
  } else if (marker.startsWith('netguard ')) {
    expect(lines[0]).toBe(`$ ${marker}`);
    const status = lines.indexOf('$ echo $?');
    const run = await netguardAsync(marker.split(' ').slice(1));
    expect(run.stdout.trimEnd().split('\n')).toEqual(lines.slice(1, status));
    expect(String(run.code)).toBe(lines[status + 1]);
  } else {
    throw new Error(`unknown output-check marker "${marker}"`);
  }
}

describe('README.md', () => {
  const blocks = checkedBlocks(README, 'output-check');

  it('opens with the two commands', () => {
    const head = README.split('\n').slice(0, 6).join('\n');
    expect(head).toContain('npm install && npm start');
    expect(head).toContain('npm install && npm test');
  });

  it('has the marked examples', () => {
    expect(blocks.size).toBe(4);
  });

  it('has the operations sections, each pointing to the full guide', () => {
    for (const heading of ['Install with Helm', 'Rollout', 'Avoiding lock-out', 'Metrics']) {
      const section = README.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
      expect(section, heading).toMatch(/\(docs\/operations\.md#[a-z-]+\)/);
    }
  });

  it('lists only metrics netguard exports', async () => {
    const exported = await createMetrics({ ready: () => true }).registry.getMetricsAsJSON();
    const names = new Set(exported.map((m) => m.name));
    const documented = [...README.matchAll(/`(netguard_[a-z_]+)`/g)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(5);
    for (const name of documented) expect(names, name).toContain(name.replace(/_(bucket|sum|count)$/, ''));
  });

  for (const [marker, lines] of blocks) it(`shows the real ${marker}`, () => expectRealOutput(marker, lines));

  it('names only files and directories that exist in its examples', () => {
    const paths = [...README.matchAll(/\b((?:examples|docs|certs|src)\/[\w./-]+\w)/g)].map((m) => m[1]!);
    const missing = [...new Set(paths)].filter((p) => !existsSync(join(ROOT, p)) && !existsSync(join(ROOT, dirname(p))));
    expect(missing).toEqual([]);
  });
});

describe('docs/writers.md', () => {
  const blocks = checkedBlocks(readFileSync(join(ROOT, 'docs/writers.md'), 'utf8'), 'output-check');

  it('has a marked example', () => {
    expect(blocks.size).toBeGreaterThan(0);
  });

  for (const [marker, lines] of blocks) it(`shows the real ${marker}`, () => expectRealOutput(marker, lines));
});

describe('docs/rules.md', () => {
  const blocks = checkedBlocks(RULES_DOC, 'rules-check');

  it('quotes a real message for every rule', () => {
    const quoted = new Set([...blocks.values()].flat().map((line) => line.slice(0, line.indexOf(':'))));
    expect([...quoted].sort()).toEqual([...RULE_IDS].sort());
  });

  for (const [review, lines] of blocks) {
    it(`quotes the real answer to ${review}`, async () => {
      const { response } = await answer(review);
      expect(lines).toEqual(response.allowed ? (response.warnings ?? []) : response.status!.message.split('\n'));
    });
  }

  it('has a section for every rule and for modes', () => {
    for (const id of [...RULE_IDS, 'Modes']) expect(RULES_DOC).toMatch(new RegExp(`^## ${id}$`, 'm'));
  });
});
