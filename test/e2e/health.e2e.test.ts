import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { freePort } from '../support/servers.js';
import { tempDir } from '../helpers.js';

describe('the Health view (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let api: Server;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const apiPort = await freePort();
    const deadPort = await freePort();
    api = createServer((_q, r) => r.end('ok'));
    await new Promise<void>((r) => api.listen(apiPort, '127.0.0.1', () => r()));
    writeFileSync(
      `${dir}/probes.yaml`,
      [
        'probes:',
        `  - { id: api, name: API health, kind: http, url: "http://127.0.0.1:${apiPort}/health", critical: true, severity: SEV1, interval: 500 }`,
        `  - { id: cache, name: Redis cache, kind: redis, port: ${deadPort}, interval: 500, timeout: 200 }`,
        '  - { id: broken, name: Broken, kind: http, interval: -1, url: "http://x" }',
        '',
      ].join('\n'),
    );
    running = await startBrowserMode(`${dir}/console`, ['--probes', `${dir}/probes.yaml`, '--profile', 'critical_care', '--notify-sink', 'none']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(running.launchUrl);
    await signIn(page, 'eng.kim', 'Jo Kim');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Health' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    api?.close();
    cleanup();
  });

  it('shows each probe with its state, the safety indicators, and the config error naming the bad probe', async () => {
    const card = (id: string) => page.locator(`[data-probe-id="${id}"]`);
    await expect.poll(() => card('api').getByTestId('probe-state').textContent(), { timeout: 10_000 }).toBe('up');
    await expect.poll(() => card('cache').getByTestId('probe-state').textContent(), { timeout: 10_000 }).toBe('down');
    expect(await card('cache').textContent()).toContain('ECONNREFUSED');
    expect(await page.getByRole('alert').filter({ hasText: 'probe "broken": interval' }).count()).toBe(1);
    expect(await page.getByTestId('indicator').count()).toBe(6);
    await expect.poll(() => page.getByTestId('probe-summary').textContent(), { timeout: 5000 }).toBe('Probes 1/2 up');
    await page.screenshot({ path: screenshotPath('health') });
  });

  it('raises a local incident for the failing probe (critical care: after two failures)', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Incidents' }).click();
    const row = page.getByTestId('incident-row').filter({ hasText: 'Redis cache' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.locator('.sev').textContent()).toBe('SEV2');
  });
});
