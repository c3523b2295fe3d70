// Headless Chromium for tests of pages a person reads: Debian's chromium driven by playwright-core
// (never a downloaded browser). Each launch gets a fresh profile directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env['NETGUARD_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface Session {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh profile, with every network request outside file:// refused. */
export async function openBrowser(): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'netguard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  // a self-contained page needs no network: any request beyond the file itself fails the test
  await context.route(/^(?!file:|data:|about:)/, (route) => route.abort());
  return {
    browser: context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
