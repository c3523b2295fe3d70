// The HTML audit report as a person sees it: opened in headless Chromium with the network cut off,
// screenshot taken, and what is on screen asserted — a namespace's coverage badge, a finding at its
// workload with its pods, a writer, and text from the cluster shown as text, never run as markup.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditOn } from '../../src/audit/audit.js';
import { renderHtml } from '../../src/audit/format-html.js';
import { staticFeed } from '../../src/audit/static-feed.js';
import type { AuditResult } from '../../src/audit/types.js';
import { openBrowser, type Session } from '../support/browser.js';
import { config, STATE } from './cluster-fixture.js';

const OUT = join(tmpdir(), 'netguard-html-report');

describe('audit --output html in a browser', () => {
  let session: Session;
  let result: AuditResult;
  const requests: string[] = [];

  beforeAll(async () => {
    result = await runAuditOn(staticFeed(STATE), config);
    session = await openBrowser();
    session.browser.on('request', (request) => requests.push(request.url()));
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  async function open(html: string, name: string) {
    const dir = mkdtempSync(join(tmpdir(), 'netguard-html-'));
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await session.browser.newPage();
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  it('shows coverage badges, findings at their workload, stage 0 and the writers', async () => {
    const page = await open(renderHtml(result), 'audit');
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'audit.png'), fullPage: true });

    // namespaces: shop is enforced but only covered for Ingress — its badge says so, in red
    const shop = page.locator('#namespaces tr', { hasText: 'shop' });
    const badge = shop.getByText('default-deny: missing Egress');
    await expect.poll(() => badge.isVisible()).toBe(true);
    // (the test is compiled without DOM types: the page's own getComputedStyle, typed here)
    const background = await badge.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(253, 232, 231)');
    expect(await shop.locator('td').nth(1).innerText()).toBe('enforce');
    expect(await shop.locator('td').nth(3).innerText()).toBe('✓ default-deny');
    expect(await page.locator('#namespaces tr', { hasText: 'kube-system' }).getByText('exempt', { exact: true }).isVisible()).toBe(true);

    // a finding: reported at the Deployment, with the pods that run under the default account
    const web = page.locator('#findings .object', { hasText: 'Deployment web' });
    expect(await web.isVisible()).toBe(true);
    expect(await web.innerText()).toContain('pod-service-account Deployment "web" runs under ServiceAccount "default"');
    expect(await web.locator('.pods').innerText()).toBe('3 pods: web-7d9f-a, web-7d9f-b, web-7d9f-c');

    // stage 0: the unlabelled namespace and what enforcing it would refuse
    const stage0 = page.locator('#opt-in');
    expect(await stage0.getByText('StatefulSet toy').isVisible()).toBe(true);
    expect(await stage0.innerText()).toContain('Not governed yet: 1 unlabelled namespace');

    // writers: every subject holding network-policy write, with its path (the rows of `netguard writers`)
    const writers = page.locator('#writers');
    const mallory = writers.locator('tr', { hasText: 'mallory-writes' });
    expect(await mallory.isVisible()).toBe(true);
    expect(await mallory.innerText()).toMatch(/User mallory\s+shop\s+write\s+RoleBinding shop\/mallory-writes → Role shop\/netpol-writer → rules\[0\]/);
    expect(await mallory.locator('.badge').innerText()).toBe('not provisioned');
    expect(await writers.locator('tr', { hasText: 'devs-admin' }).locator('td').nth(1).innerText()).toBe('cluster-wide');

    // readable: the page fits the window's width, nothing overflows sideways
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    // self-contained: the page asked for nothing but itself
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    await page.close();
  });

  it('shows text from the cluster as text: no element, script or request comes from it', async () => {
    const hostile = '<img src="https://evil.example/x.png" onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
    const tampered: AuditResult = {
      ...result,
      source: `state directory ${hostile}`,
      findings: [{ ...result.findings[0]!, name: hostile, message: `"quoted" & ${hostile}` }],
    };
    const page = await open(renderHtml(tampered), 'hostile');
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script, header script').count()).toBe(0);
    expect(await page.locator('#findings').innerText()).toContain(`"quoted" & ${hostile}`);
    expect(requests.filter((url) => url.includes('evil.example'))).toEqual([]);
    await page.close();
  });
});
