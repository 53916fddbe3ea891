// Who is on call, on screen: the Contacts view's "On call now" per role with
// the next seven days and a gap warned; an override added there by an admin;
// the incident detail's "Call now: <person> (<role>) · <number>"; the Health
// warning for a first-responder role with nobody on call in the next 24 h.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT, screenshotPath, signIn } from '../support/browser-mode.js';
import { post } from '../support/relay-fixture.js';
import { openWard, type Ward } from '../support/ward.js';

// Omar alone covers the engineers (a rotation of one, always on); the clinical leads only on
// weekdays 08:00–18:00 UTC, so every 24 hours hold a gap (nights and weekends).
const SCHEDULES = `timeZone: UTC
schedules:
  - role: On-Call Engineer
    layers:
      - { name: primary, rotation: weekly, start: "2020-01-06T08:00", participants: [Omar Haddad] }
  - role: On-Call Clinical Lead
    layers:
      - { name: office hours, rotation: daily, start: "2020-01-06T08:00", restrictions: [weekday], participants: [Priya Raman, Tomás Byrne] }
`;

describe('who is on call (browser mode, Chromium)', () => {
  let ward: Ward;
  let page: Page;
  const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();

  beforeAll(async () => {
    ward = await openWard({
      viewport: { width: 1400, height: 900 },
      args: ['--probes', 'none'],
      prepare: (dir) => {
        mkdirSync(dir);
        copyFileSync(join(ROOT, 'resources/contacts.example.yaml'), `${dir}/contacts.yaml`);
        writeFileSync(`${dir}/schedules.yaml`, SCHEDULES);
      },
    });
    page = ward.page;
    await signIn(page, 'eng.kim', 'Jo Kim'); // the first operator: an admin
  });
  afterAll(() => ward?.close());

  it('shows "On call now" per role with its number, the next 7 days, and the gap warned', async () => {
    await nav('Contacts');
    const board = page.getByTestId('on-call-now');
    await board.waitFor({ timeout: 10_000 });
    const engineer = board.getByTestId('on-call-role').filter({ hasText: 'On-Call Engineer' });
    expect(await engineer.locator('td').first().textContent()).toContain('Omar Haddad');
    expect(await engineer.locator('td').first().textContent()).toContain('+1-555-0142');
    const lead = board.getByTestId('on-call-role').filter({ hasText: 'On-Call Clinical Lead' });
    expect(await lead.getByRole('listitem').filter({ hasText: 'gap' }).count()).toBeGreaterThan(0);
    expect(await board.getByRole('status').textContent()).toMatch(/Nobody on call for On-Call Clinical Lead/);
    await page.screenshot({ path: screenshotPath('contacts-on-call') });
  });

  it('takes an override from the form and names the new person at once', async () => {
    const form = page.getByRole('form', { name: 'Add an override' });
    await form.getByLabel('Role').selectOption('On-Call Engineer');
    await form.getByLabel('Person').selectOption('Lena Fischer');
    await form.getByLabel('Reason').fill('I take the night');
    await form.getByRole('button', { name: 'Add override' }).click();
    const engineer = page.getByTestId('on-call-role').filter({ hasText: 'On-Call Engineer' });
    await expect.poll(() => engineer.locator('td').first().textContent(), { timeout: 10_000 }).toContain('Lena Fischer');
    expect(await engineer.locator('td').first().textContent()).toContain('override: I take the night');
  });

  it('says "Call now: <person> (<role>) · <number>" in the incident detail', async () => {
    await nav('Incidents');
    await post(`${ward.relay.url}/v1/alerts`, JSON.stringify({ key: 'api-down', severity: 'SEV1', summary: 'Medical AI API down', service: 'medical-ai-api' }));
    await page.getByTestId('incident-row').filter({ hasText: 'Medical AI API down' }).click({ timeout: 10_000 });
    const call = page.getByTestId('call-now').filter({ hasText: 'On-Call Engineer' });
    await call.waitFor({ timeout: 10_000 });
    expect((await call.textContent())!.replace(/\s+/g, ' ')).toMatch(/Call now: Lena Fischer \(On-Call Engineer\) · ☎ \+1-555-0143/);
    await expect.poll(() => page.getByText(/^Open \d+ \(\d+ unacked\)/).textContent(), { timeout: 5000 }).toMatch(/^Open 1 \(1 unacked\)/);
    await page.screenshot({ path: screenshotPath('incident-call-now') });
  });

  it('warns in Health that a first-responder role has nobody on call in the next 24 hours', async () => {
    await nav('Health');
    const warning = page.getByTestId('on-call-gap-warning');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.textContent()).toContain('On-Call Clinical Lead');
  });
});
