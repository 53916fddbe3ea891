// A night shift at the keyboard only, at 1280×800 and at 1920×1080: sign in
// (the name fills itself), get paged, go to the page (g), acknowledge (a), open
// its runbook (Alt+3 opens on this incident's run), continue past the checks
// that cannot pass in this outage (c), answer the clinical question by its
// number (1), undo a resolve (r, u), and hand off: summary, Ctrl+Enter, the
// receiving nurse signs with her PIN. Every key is counted and printed, with
// what the decision alone costs by Tab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath, signIn } from '../support/browser-mode.js';
import { post } from '../support/relay-fixture.js';
import { openWard, type Ward } from '../support/ward.js';

for (const size of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  describe(`a night shift by keyboard at ${size.width}×${size.height} (Chromium)`, () => {
    let ward: Ward;
    let page: Page;
    let keys = 0;
    let typed = 0;
    const counts: string[] = [];
    const press = async (key: string, times = 1) => {
      for (let i = 0; i < times; i++) await page.keyboard.press(key);
      keys += times;
    };
    const type = async (text: string) => {
      await page.keyboard.type(text);
      typed += text.length;
    };
    const step = (id: string) => page.locator(`.runbook-main [data-step-id="${id}"]`);

    beforeAll(async () => {
      ward = await openWard({ viewport: size, args: ['--probes', 'none'] });
      page = ward.page;
      // before the shift: the admin registers the two nurses (not counted)
      await signIn(page, 'eng.admin', 'Sam Admin');
      await page.getByRole('navigation', { name: 'Sections' }).waitFor();
      const client = `(n, i) => fetch('/api/request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: n, input: i }) }).then((r) => r.json())`;
      await page.evaluate(`(${client})('operators.add', { userId: 'rn.ortiz', displayName: 'Ana Ortiz', role: 'clinician', pin: '2468' })`);
      await page.evaluate(`(${client})('operators.add', { userId: 'rn.day', displayName: 'Dee Day', role: 'clinician', pin: '5813' })`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('User ID').waitFor();
    });
    afterAll(async () => {
      console.log(`night shift at ${size.width}×${size.height}: ${keys} keys pressed (plus ${typed} characters typed) — ${counts.join('; ')}`);
      await ward?.close();
    });

    it('signs in by user id alone: the display name fills itself', async () => {
      await page.getByLabel('User ID').focus();
      await type('rn.ortiz');
      // filled as typed, or as soon as the console has said who signed in here before (it may answer after the typing)
      await expect.poll(() => page.getByLabel('Display name').inputValue(), { timeout: 5000 }).toBe('Ana Ortiz');
      await page.getByLabel(/^PIN/).focus(); // the PIN is typed, not counted as a navigation key
      await type('2468');
      await press('Enter');
      await page.getByRole('navigation', { name: 'Sections' }).waitFor();
      counts.push(`sign-in ${keys}`);
    });

    it('goes to the page with g and acknowledges it with a; the alarm clears', async () => {
      await post(`${ward.relay.url}/v1/alerts`, JSON.stringify({ alerts: [{ key: 'noise', severity: 'SEV3', summary: 'Cache latency high', service: 'redis' }, { key: 'api-down', severity: 'SEV1', summary: 'Medical AI API down', service: 'medical-ai-api' }] }));
      await page.getByTestId('alarm-bar').waitFor({ timeout: 10_000 });
      const before = keys;
      await press('g');
      await expect.poll(() => page.locator('.incident-row.selected [data-testid="incident-summary"]').textContent()).toBe('Medical AI API down');
      await press('a');
      await expect.poll(() => page.locator('.incident-row.selected [data-testid="incident-state"]').textContent()).toBe('acknowledged');
      // the SEV1's alarm clears (the SEV3 still waiting takes the bar, in its own colour)
      await expect.poll(() => page.getByTestId('alarm-bar').textContent()).not.toContain('SEV1');
      counts.push(`page to acknowledged ${keys - before}`);
    });

    it("answers the runbook's clinical question by number after continuing past the checks that cannot pass", async () => {
      const before = keys;
      await press('Alt+3');
      await expect.poll(() => page.locator('.runbook-main [data-testid="runbook"]').getAttribute('data-runbook-id'), { timeout: 5000 }).toBe('emergency-sev1');
      // what the decision costs without its key: Tabs from the top of the view to the "yes" button
      let tabs = 0;
      await page.locator('#main').focus();
      for (; tabs < 200; tabs++) {
        if ((await page.evaluate(`(() => { const a = document.activeElement; const st = a && a.closest('[data-step-id]'); return st && st.getAttribute('data-step-id') === 'patient-impact' && a.textContent.endsWith('yes'); })()`)) === true) break;
        await page.keyboard.press('Tab');
      }
      await page.locator('#main').focus();
      for (const id of ['assess-api', 'assess-database', 'assess-model', 'assess-cache']) {
        await press('c');
        await expect.poll(() => step(id).getByTestId('step-by').textContent(), { timeout: 5000 }).toMatch(/by rn\.ortiz/);
      }
      expect(await step('patient-impact').locator('.key-hint').allTextContents()).toEqual(['1', '2']);
      await press('1');
      await expect.poll(() => step('patient-impact').getByTestId('step-by').textContent(), { timeout: 5000 }).toMatch(/^answered “yes” by rn\.ortiz/);
      counts.push(`runbook to the clinical answer ${keys - before} (the answer alone by Tab: ${tabs} Tabs + Enter, here 1 key)`);
      await page.screenshot({ path: screenshotPath(`night-shift-runbook-${size.width}`) });
    });

    it('holds a resolve for 5 s and undoes it with u: nothing recorded', async () => {
      await press('Alt+1');
      await page.getByTestId('incident-detail').waitFor();
      await press('r');
      await page.getByTestId('undo-resolve').waitFor();
      await press('u');
      await expect.poll(() => page.getByTestId('undo-resolve').count()).toBe(0);
      await page.waitForTimeout(5500);
      expect(await page.locator('.incident-row.selected [data-testid="incident-state"]').textContent()).toBe('acknowledged');
      const audit = await page.evaluate(`fetch('/api/request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'audit.list', input: { action: 'incident.resolved' } }) }).then((r) => r.json())`);
      expect((audit as { result: { records: unknown[] } }).result.records).toEqual([]);
    }, 15_000);

    it('shows every key with ?', async () => {
      await press('?');
      await page.getByTestId('key-help').waitFor();
      expect(await page.getByTestId('key-help').textContent()).toContain('Answer the focused decision with that option');
      await press('Escape');
      await expect.poll(() => page.getByTestId('key-help').count()).toBe(0);
    });

    it('hands off: a summary, Ctrl+Enter, and the receiving nurse signs with her PIN', async () => {
      const before = keys;
      await press('Alt+6');
      await page.getByRole('textbox', { name: /Summary for the next shift/ }).waitFor({ timeout: 5000 });
      // the cursor is in the summary: what is typed goes there, never to the console's keys
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.placeholder'), { timeout: 5000 }).toMatch(/^What happened/);
      await type('API down 02:10, acknowledged; runbook answered: patients affected. Vendor called.');
      await press('Control+Enter');
      // (innerText through evaluate: a locator's textContent would wait its own 30 s for a missing element)
      await expect.poll(() => page.evaluate('(document.querySelector("[data-testid=handoff-summary]") || {}).textContent || ""'), { timeout: 5000 }).toContain('Vendor called.');
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.closest("form") && document.activeElement.closest("form").getAttribute("aria-label")')).toBe('Receive the hand-off');
      await type('rn.day');
      await press('Tab');
      await type('5813');
      await press('Enter');
      await expect.poll(() => page.evaluate('(document.querySelector("[data-testid=handoff-accepted]") || {}).textContent || ""'), { timeout: 5000 }).toMatch(/^Received by Dee Day \(rn\.day\) at /);
      counts.push(`hand-off signed ${keys - before}`);
      await page.screenshot({ path: screenshotPath(`night-shift-handoff-${size.width}`) });
    });
  });
}
