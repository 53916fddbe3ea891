// The selected incident stays where the eye is: rows arriving above it push
// the list, not the row; and j moves the selection down by one row without the
// list jumping under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signIn } from '../support/browser-mode.js';
import { post } from '../support/relay-fixture.js';
import { openWard, type Ward } from '../support/ward.js';

describe('the selected row under a storm (Chromium, 1280×800)', () => {
  let ward: Ward;
  let page: Page;
  // the row's place in the list's window (the bars above the list may come and go with the alarms): both read in one
  // go in the page, as two reads from here could straddle a bar appearing and be off by its height
  const selectedTop = async () =>
    (await page.evaluate(`(() => {
      const list = document.querySelector('.incident-list');
      return Math.round(list.querySelector('.incident-row.selected').getBoundingClientRect().top - list.getBoundingClientRect().top);
    })()`)) as number;
  const selectedId = () => page.locator('.incident-row.selected').getAttribute('data-incident-id');

  beforeAll(async () => {
    ward = await openWard({ args: ['--probes', 'none'] });
    page = ward.page;
    await signIn(page, 'rn.ortiz', 'Ana Ortiz');
    await post(`${ward.relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 40 }, (_, i) => ({ key: `sev3-${i}`, severity: 'SEV3', summary: `Cache latency high on node ${i}`, service: 'redis' })) }));
    await page.getByText(/^40 shown$/).waitFor({ timeout: 10_000 });
  });
  afterAll(() => ward?.close());

  it('keeps the selected row in place when ten worse incidents arrive above it', async () => {
    await page.getByTestId('incident-row').nth(6).click();
    const id = await selectedId();
    const top = await selectedTop();
    await post(`${ward.relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 10 }, (_, i) => ({ key: `sev2-${i}`, severity: 'SEV2', summary: `Model latency high ${i}`, service: 'model-service' })) }));
    await expect.poll(() => page.getByText(/^50 shown$/).count(), { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(200);
    expect(await selectedId()).toBe(id);
    expect(Math.abs((await selectedTop()) - top)).toBeLessThanOrEqual(2);
  });

  it('moves the selection one row down with j, the list staying put', async () => {
    const top = await selectedTop();
    await page.locator('#main').focus();
    await page.keyboard.press('j');
    await page.waitForTimeout(200);
    expect(Math.abs((await selectedTop()) - (top + 48))).toBeLessThanOrEqual(2);
  });
});
