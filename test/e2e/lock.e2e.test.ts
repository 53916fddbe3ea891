import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

describe('automatic lock (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  const sink = `${dir}/notifications.jsonl`;

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    writeFileSync(`${dir}/token`, TOKENS.wardA);
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--lock-after-ms', '2000', '--notify-sink', `file:${sink}`]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(running.launchUrl);
    await signIn(page, 'rn.ortiz', 'Ana Ortiz', '2468');
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ key: 'before-lock', severity: 'SEV2', summary: 'Cache latency high', service: 'redis' }));
    await page.getByTestId('incident-row').first().waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await relay?.close();
    cleanup();
  });

  it('locks after the inactivity period and shows only counts', async () => {
    await page.getByTestId('lock-screen').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('incident-row').count()).toBe(0);
    expect(await page.getByText('Cache latency high').count()).toBe(0);
    expect(await page.getByTestId('lock-count-SEV2').textContent()).toBe('1');
    expect(await page.getByTestId('lock-reason').textContent()).toMatch(/^Locked after \d+ min without input\./);
    // the PIN field has the focus: the person types it straight away
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('PIN');
  });

  it('still pages a SEV1 arriving while locked, showing no details', async () => {
    const summary = 'Model service down for patient John Smith MRN 12345678';
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ key: 'while-locked', severity: 'SEV1', summary, service: 'model-service' }));
    await expect.poll(() => existsSync(sink) && readFileSync(sink, 'utf8').includes('SEV1 · model-service'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('lock-count-SEV1').textContent(), { timeout: 10_000 }).toBe('1');
    const text = (await page.locator('body').textContent()) ?? '';
    for (const secret of ['John Smith', '12345678', 'Model service down', 'Cache latency high']) expect(text).not.toContain(secret);
    await page.screenshot({ path: screenshotPath('locked') });
  });

  it('unlocks with the PIN and shows the incidents again', async () => {
    await page.getByLabel('PIN').fill('2468');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByTestId('incident-row').first().waitFor({ timeout: 5000 });
    expect(await page.getByTestId('incident-row').count()).toBe(2);
  });

  it('locks with Ctrl+L and says it was locked by hand', async () => {
    await page.locator('body').press('Control+l');
    await page.getByTestId('lock-screen').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('lock-reason').textContent()).toMatch(/^Locked by hand\./);
    await page.getByLabel('PIN').fill('2468');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByTestId('incident-row').first().waitFor({ timeout: 5000 });
  });
});
