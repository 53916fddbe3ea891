import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { tempDir } from '../helpers.js';

describe('the console shell in browser mode (Chromium)', () => {
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  let cleanup: () => void;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    running = await startBrowserMode(t.dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(running.launchUrl);
  });

  afterAll(async () => {
    await browser?.close();
    const code = await running?.stop();
    expect(code).toBe(0);
    cleanup?.();
  });

  it('hides the bridge token from the address bar once loaded', async () => {
    await page.getByRole('heading', { name: 'Sign in to the on-call console' }).waitFor();
    expect(page.url()).not.toContain('token=');
  });

  it('signs an operator in and shows the status bar and the five sections', async () => {
    await signIn(page, 'rn.jones', 'Rita Jones');

    const bar = page.getByRole('banner', { name: 'Console status' });
    await expect.poll(() => bar.getByTestId('operator').textContent()).toBe('Rita Jones (rn.jones)');
    expect(await bar.getByTestId('feed-state').textContent()).toBe('Feed: local only');
    expect(await bar.getByTestId('degradation').textContent()).toBe('Normal');
    expect(await bar.locator('time.clock').count()).toBe(1);

    const nav = page.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('button').allTextContents()).toEqual(['Incidents', 'Health', 'Runbooks', 'Contacts', 'Dashboard', 'Hand-off', 'Audit', 'Status']);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();

    const file = screenshotPath('shell');
    await page.screenshot({ path: file });
    expect(existsSync(file) && statSync(file).size > 10_000).toBe(true);
  });

  it('shows the sign-in in the audit view, attributed to the operator', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit' }).click();
    const row = page.getByTestId('audit-row').filter({ hasText: 'operator.signed_in' });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('rn.jones');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByTestId('audit-verification').textContent()).toMatch(/^Chain verified \(full/);
    await page.screenshot({ path: screenshotPath('audit') });
  });

  it('exports the audit trail as CSV from the audit view', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('seq,ts,operator,action,subjectType,subjectId,details,prevHash,hash');
    expect(lines.some((l) => l.includes(',rn.jones,operator.signed_in,'))).toBe(true);
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
