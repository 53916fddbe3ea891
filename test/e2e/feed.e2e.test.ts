import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium, screenshotPath, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

const PHI = ['John Smith', '12345678', '1962'];

describe('alerts to incidents to acknowledgement (browser mode, Chromium)', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const sink = `${dir}/notifications.jsonl`;

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    writeFileSync(`${dir}/token`, TOKENS.wardA, { mode: 0o600 });
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--relay-ping-ms', '500', '--notify-sink', `file:${sink}`]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(running.launchUrl);
    await signIn(page, 'eng.patel', 'Dev Patel');
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

  it('turns a posted alert into a SEV-graded incident, rendering hostile text as text', async () => {
    const summary = '<img src=x onerror="alert(1)"> Model service down for patient John Smith MRN 12345678 DOB 03/14/1962';
    const r = await post(`${relay.url}/v1/alertmanager`, JSON.stringify({
      version: '4', status: 'firing', receiver: 'console', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '',
      alerts: [{ status: 'firing', labels: { alertname: 'ModelServiceDown', severity: 'critical', service: 'model-service' }, annotations: { summary }, startsAt: new Date().toISOString(), fingerprint: 'e2e0000000000001' }],
    }));
    expect(r.status).toBe(202);
    const row = page.getByTestId('incident-row').first();
    await expect.poll(() => row.getByTestId('incident-summary').textContent(), { timeout: 10_000 }).toBe(summary);
    expect(await row.locator('.sev').textContent()).toBe('SEV1');
    expect(await row.getByTestId('incident-state').textContent()).toBe('triggered');
    expect(await page.locator('.incident-row img, .incident-detail img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: screenshotPath('incidents') });
  });

  it('sent a PHI-free desktop notification', async () => {
    await expect.poll(() => existsSync(sink) && readFileSync(sink, 'utf8').length > 0, { timeout: 5000 }).toBe(true);
    const n = JSON.parse(readFileSync(sink, 'utf8').trim().split('\n')[0]!) as { title: string; message: string; sound: boolean };
    expect(n.title).toBe('SEV1 · model-service');
    expect(n.message).toMatch(/^MAI-\d{8}-\d{6} · respond within 15 min$/);
    expect(n.sound).toBe(true);
    for (const phi of PHI) expect(JSON.stringify(n)).not.toContain(phi);
  });

  it('acknowledges with the a key, and the audit view shows it with the operator', async () => {
    // the alarm bar shows the waiting SEV1 whether or not the desktop notification worked
    await expect.poll(() => page.getByTestId('alarm-bar').textContent(), { timeout: 5000 }).toMatch(/^1 SEV1 unacknowledged — oldest \d+ min/);
    await page.locator('body').press('a');
    const row = page.getByTestId('incident-row').first();
    await expect.poll(() => row.getByTestId('incident-state').textContent(), { timeout: 5000 }).toBe('acknowledged');
    // and acknowledging clears it
    await expect.poll(() => page.getByTestId('alarm-bar').count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.getByTestId('acknowledged-by').textContent()).toBe('by Dev Patel (eng.patel)');
    await page.screenshot({ path: screenshotPath('incident-acknowledged') });
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit' }).click();
    const ack = page.getByTestId('audit-row').filter({ hasText: 'incident.acknowledged' }).first();
    await ack.waitFor();
    expect(await ack.textContent()).toContain('eng.patel');
  });

  it('keeps the alert\'s PHI out of notifications, audit details and log lines', async () => {
    const token = running.token;
    const r = await fetch(`${running.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'audit.export', input: { format: 'jsonl' } }) });
    const audit = ((await r.json()) as { result: { content: string; records: number } }).result;
    expect(audit.records).toBeGreaterThan(3);
    const notifications = readFileSync(sink, 'utf8');
    const logs = running.stderr();
    expect(logs.length).toBeGreaterThan(0);
    // the PHI in the incoming alert was noticed: a phi_violation event by kind, never by value
    const detected = audit.content.split('\n').filter((l) => l.includes('"action":"phi.detected"')).map((l) => JSON.parse(l) as { details: { kinds: string[] } });
    expect(detected).toHaveLength(1);
    expect(detected[0]!.details.kinds.sort()).toEqual(['dob', 'mrn', 'name']);
    const status = ((await (await fetch(`${running.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'console.status', input: {} }) })).json()) as { result: { resilience: { errorsByCategory: Record<string, number> } } }).result;
    expect(status.resilience.errorsByCategory.phi_violation).toBe(1);
    for (const [where, text] of [['notifications', notifications], ['audit details', audit.content], ['log lines', logs]] as const) {
      for (const phi of PHI) expect(text, `${where} contain ${phi}`).not.toContain(phi);
    }
  });

  it('shows the feed reconnecting when the relay goes away, with the time since', async () => {
    await relay.close();
    await expect.poll(() => page.getByTestId('feed-state').textContent(), { timeout: 10_000 }).toMatch(/^Feed: (reconnecting|offline) since /);
  });
});
