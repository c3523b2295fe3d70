// The reach page as a person sees it: headless Chromium opens the file with the network blocked,
// the matrix is grouped by namespace, and a click on a cell shows why, with the deciding policies.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReach } from '../../src/cli/reach.js';
import { openBrowser, type Session } from '../support/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'netguard-reach-html-'));
const SCREENSHOTS = join(dir, 'screenshots');

async function page(paths: string[], extra: Record<string, unknown> = {}): Promise<string> {
  let html = '';
  await runReach({ paths, output: 'html', ...extra }, (t) => (html += t), () => {});
  const file = join(dir, `reach-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(file, html);
  return file;
}

describe('reach --output html', () => {
  let session: Session;
  beforeAll(async () => {
    session = await openBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => session?.close());

  it('shows the matrix by namespace and explains a cell on click', async () => {
    const file = await page(['examples/shop-reach/manifests'], { port: ['6379', '7070'] });
    const tab = await session.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(pathToFileURL(file).href);

    await expect.poll(() => tab.locator('th.ns').first().textContent()).toBe('shop');
    expect(await tab.locator('nav button').allTextContents()).toEqual(['port 6379/TCP', 'port 7070/TCP']);
    expect(await tab.locator('#grid tbody tr').count()).toBe(12);

    const cell = tab.locator('td[data-from="shop/deployment/cartservice"][data-to="shop/deployment/redis-cart"]');
    expect(await cell.textContent()).toBe('X');
    await cell.click();
    const why = tab.locator('#why');
    await expect.poll(() => why.textContent()).toContain('shop/deployment/cartservice → shop/deployment/redis-cart on 6379/TCP');
    const text = (await why.textContent())!;
    expect(text).toContain('Allowed');
    expect(text).toContain('shop/cartservice');
    expect(text).toContain('shop/redis-cart');

    const denied = tab.locator('td[data-from="shop/deployment/frontend"][data-to="shop/deployment/redis-cart"]');
    expect(await denied.textContent()).toBe('·');
    await denied.click();
    await expect.poll(() => why.textContent()).toContain('shop/deployment/frontend → shop/deployment/redis-cart');
    expect(await why.textContent()).toContain('Denied: no rule of the policies that select it matches.');
    expect(await why.textContent()).toContain('Isolated by: shop/default-deny, shop/redis-cart');

    await tab.locator('nav button', { hasText: '7070/TCP' }).click();
    await tab.locator('td[data-from="shop/deployment/checkoutservice"][data-to="shop/deployment/cartservice"]').click();
    await expect.poll(() => why.textContent()).toContain('on 7070/TCP');

    const shot = await tab.screenshot({ path: join(SCREENSHOTS, 'reach.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    await tab.close();
  }, 60_000);

  it('names from the manifests are data, never markup', async () => {
    const evil = join(dir, 'evil.yaml');
    writeFileSync(
      evil,
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: x, namespace: ns, labels: {app: "</script><img src=x onerror=alert(1)>"}}',
        'spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}',
        '---',
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata: {name: "<b>bold</b>", namespace: ns}',
        'spec: {podSelector: {}}',
      ].join('\n'),
    );
    const file = await page([evil]);
    expect(readFileSync(file, 'utf8')).not.toContain('<b>bold</b>');
    const tab = await session.browser.newPage();
    let dialogs = 0;
    tab.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await tab.goto(pathToFileURL(file).href);
    await tab.locator('td').first().click();
    await expect.poll(() => tab.locator('#why').textContent()).toContain('ns/<b>bold</b>');
    expect(await tab.locator('#why b').count()).toBe(0);
    expect(dialogs).toBe(0);
    await tab.close();
  }, 60_000);
});

export { SCREENSHOTS };
