import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { freePort } from '../support/servers.js';
import { tempDir } from '../helpers.js';

describe('a SEV1 with its emergency runbook (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let api: Server | null = null;
  let apiPort: number;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    apiPort = await freePort();
    writeFileSync(`${dir}/token`, TOKENS.wardA);
    writeFileSync(`${dir}/probes.yaml`, `probes:\n  - { id: api-health, name: API health, kind: http, url: "http://127.0.0.1:${apiPort}/health", interval: 300, timeout: 200, retries: 0, severity: SEV3 }\n`);
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--probes', `${dir}/probes.yaml`, '--profile', 'research', '--notify-sink', 'none']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await page.goto(running.launchUrl);
    await signIn(page, 'rn.ortiz', 'Ana Ortiz');
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    api?.close();
    await relay?.close();
    cleanup();
  });

  const runbook = () => page.locator('[data-testid="runbook"][data-runbook-id="emergency-sev1"]');
  const step = (id: string) => runbook().locator(`[data-step-id="${id}"]`);

  it('opens the SEV1 incident with the SEV1 emergency runbook attached', async () => {
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ key: 'api-down', severity: 'SEV1', summary: 'Medical AI API down', service: 'medical-ai-api' }));
    await page.getByTestId('incident-row').filter({ hasText: 'Medical AI API down' }).click({ timeout: 10_000 });
    await runbook().waitFor({ timeout: 10_000 });
    expect(await runbook().locator('h3').textContent()).toContain('Emergency response: SEV1');
  });

  it('ticks manual steps, attributed to the operator', async () => {
    await step('emergency-mode').getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => step('emergency-mode').getByTestId('step-by').textContent()).toMatch(/^done by rn\.ortiz at /);
    await step('bridge').getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => step('bridge').getByTestId('step-by').textContent()).toMatch(/^done by rn\.ortiz/);
  });

  it('will not tick the probe-verified step while its probe is down, and ticks it itself when the probe recovers', async () => {
    await expect.poll(() => step('assess-api').getByTestId('step-probe').textContent(), { timeout: 10_000 }).toMatch(/^probe api-health: down/);
    expect(await step('assess-api').getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('runbook-probe-down') });

    api = createServer((_q, r) => r.end('ok'));
    await new Promise<void>((r) => api!.listen(apiPort, '127.0.0.1', () => r()));
    await expect.poll(() => step('assess-api').getByTestId('step-by').textContent(), { timeout: 10_000 }).toMatch(/^done by system at .* — verified by probe api-health: HTTP 200/);
    await page.screenshot({ path: screenshotPath('runbook') });
  });

  it('starts a runbook on its own and ticks the next step with the space key', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Runbooks' }).click();
    await page.getByTestId('start-hipaa-compliance-incident').click();
    const contain = page.locator('[data-runbook-id="hipaa-compliance-incident"] [data-step-id="contain"]');
    await contain.waitFor();
    await page.locator('body').press(' ');
    await expect.poll(() => contain.getByTestId('step-by').textContent(), { timeout: 5000 }).toMatch(/^done by rn\.ortiz/);
  });

  it('lists each step in the audit view with operator and time', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit' }).click();
    const manual = page.getByTestId('audit-row').filter({ hasText: 'runbook.step_done' });
    await expect.poll(() => manual.count(), { timeout: 5000 }).toBe(3);
    for (const text of await manual.allTextContents()) expect(text).toContain('rn.ortiz');
    const verified = page.getByTestId('audit-row').filter({ hasText: 'runbook.step_verified' });
    await expect.poll(() => verified.count()).toBeGreaterThanOrEqual(1);
    expect(await verified.first().textContent()).toContain('system');
    expect(await manual.first().locator('span').nth(1).getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
  it('records nothing the person did not choose: o opens the override form and n the note field, on a decision step and on a manual step', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Runbooks' }).click();
    await page.getByTestId('start-emergency-sev2').click();
    const sev2 = page.locator('[data-runbook-id="emergency-sev2"]').last();
    await sev2.waitFor();
    // move the focus to the decision step with j, then press o and n on it
    const decision = sev2.locator('[data-step-id="patient-impact"]');
    for (let i = 0; i < 12 && !(await decision.getAttribute('class'))?.includes('step-focused'); i++) await page.locator('body').press('j');
    expect(await decision.getAttribute('class')).toContain('step-focused');
    await page.locator('body').press('o');
    await decision.getByLabel('Override reason').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('body').press('n');
    await page.waitForTimeout(300);
    expect(await decision.getByTestId('step-by').count(), 'the decision step stays unanswered').toBe(0);
    // a manual step: n opens a note field and ticks nothing until "Done with note"
    const manual = sev2.locator('[data-step-id="bridge"]');
    for (let i = 0; i < 12 && !(await manual.getAttribute('class'))?.includes('step-focused'); i++) await page.locator('body').press('j');
    await page.locator('body').press('n');
    await manual.getByLabel('Step note').waitFor();
    await page.waitForTimeout(300);
    expect(await manual.getByTestId('step-by').count(), 'n alone does not mark the step done').toBe(0);
    await manual.getByLabel('Step note').fill('bridge line 4411 opened');
    await manual.getByRole('button', { name: 'Done with note' }).click();
    await expect.poll(() => manual.getByTestId('step-by').textContent(), { timeout: 5000 }).toMatch(/^done by rn\.ortiz .* — bridge line 4411 opened/);
    expect(await decision.getByTestId('step-by').count()).toBe(0);
  });
  it('continues past a probe check that cannot pass in this outage with one key, and says so on the step', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Incidents' }).click();
    await page.getByTestId('incident-row').filter({ hasText: 'Medical AI API down' }).click();
    const check = step('assess-model');
    await check.getByRole('button', { name: 'Cannot verify — continue' }).click();
    await expect.poll(() => check.getByTestId('step-by').textContent(), { timeout: 5000 }).toMatch(/^overridden by rn\.ortiz .* — could not be verified \(probe .+ not passing\); continued$/);
  });
});
