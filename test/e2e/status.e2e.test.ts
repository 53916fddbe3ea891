import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, ROOT, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { freePort } from '../support/servers.js';
import { tempDir } from '../helpers.js';

describe('the Status view and --status agree (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dead = await freePort(); // no relay here: the feed's breaker will open
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', `ws://127.0.0.1:${dead}/v1/stream`, '--relay-token', 'x'.repeat(40), '--profile', 'critical_care', '--notify-sink', 'none']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(running.launchUrl);
    await signIn(page, 'eng.support', 'Support Desk');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Status' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    cleanup();
  });

  it('shows the feed breaker open in the view and in --status, with the same figures', async () => {
    const row = page.locator('[data-breaker="feed:relay"]');
    await expect.poll(() => row.getByTestId('breaker-state').textContent(), { timeout: 15_000 }).toBe('open');
    await page.screenshot({ path: screenshotPath('status') });

    const out = execFileSync(process.execPath, [join(ROOT, 'dist/main/cli.cjs'), '--status', '--data-dir', `${dir}/console`], { encoding: 'utf8' });
    const cli = JSON.parse(out) as { source: string; degradation: string; profile?: string; resilience: { profile: string; breakers: { name: string; state: string }[] }; incidents: { pendingSync: number } };
    expect(cli.source).toBe('running console');
    const feed = cli.resilience.breakers.find((b) => b.name === 'feed:relay');
    expect(feed?.state).toBe('open');
    expect(cli.resilience.profile).toBe('critical_care');
    expect(await page.getByTestId('status-degradation').textContent()).toBe(cli.degradation);
    expect(await page.getByTestId('status-outbox').textContent()).toBe(`${cli.incidents.pendingSync} pending sync`);
    const viewBreakers: string[] = [];
    for (const r of await page.locator('[data-breaker]').all()) viewBreakers.push(`${await r.getAttribute('data-breaker')}=${await r.getByTestId('breaker-state').textContent()}`);
    expect(viewBreakers.sort()).toEqual(cli.resilience.breakers.map((b) => `${b.name}=${b.state}`).sort());
  });
});
