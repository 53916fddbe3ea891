import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole } from '../support/browser-mode.js';
import { post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

describe('the console fed by a relay (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    writeFileSync(`${dir}/token`, TOKENS.wardA, { mode: 0o600 });
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--relay-ping-ms', '500']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(running.launchUrl);
    await page.getByLabel('User ID').fill('eng.patel');
    await page.getByLabel('Display name').fill('Dev Patel');
    await page.getByRole('button', { name: 'Sign in' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await relay?.close();
    cleanup();
  });

  it('shows the feed connected in the status bar', async () => {
    await expect.poll(() => page.getByTestId('feed-state').textContent(), { timeout: 10_000 }).toBe('Feed: connected');
  });

  it('shows a posted alert with its severity, rendering hostile text as text', async () => {
    const summary = '<img src=x onerror="alert(1)"> Model service down';
    const r = await post(`${relay.url}/v1/alerts`, JSON.stringify({ key: 'model-down', severity: 'SEV1', summary, service: 'model-service' }));
    expect(r.status).toBe(202);
    const row = page.getByTestId('alert-row').first();
    await expect.poll(() => row.locator('.summary').textContent(), { timeout: 10_000 }).toBe(summary);
    expect(await row.locator('.sev').textContent()).toBe('SEV1');
    expect(await page.locator('.alert-row img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: screenshotPath('alerts') });
  });

  it('shows the feed reconnecting when the relay goes away, with the time since', async () => {
    await relay.close();
    await expect.poll(() => page.getByTestId('feed-state').textContent(), { timeout: 10_000 }).toMatch(/^Feed: (reconnecting|offline) since /);
  });
});
