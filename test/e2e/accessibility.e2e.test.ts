// axe-core (WCAG 2.1 A and AA rules, and best practice) on every view of the
// console in each theme (dark, light, night), with a paged SEV1 on screen:
// sign-in, incidents with a detail, runbooks, contacts, health, dashboard,
// hand-off, audit, status, and the lock screen. Prints the violations found by
// view; none may be critical or serious. A screenshot of each view in each
// theme goes to test-results/screenshots/view-<view>-<theme>.png.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath, signIn } from '../support/browser-mode.js';
import { post } from '../support/relay-fixture.js';
import { openWard, type Ward } from '../support/ward.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

async function axe(page: Page): Promise<Violation[]> {
  // through the DevTools protocol, not a script tag: the console's CSP (script-src 'self') stays on
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
  // evaluated in the page (DOM types are not this file's): the rule sets of WCAG 2.1 A and AA, and best practice
  return (await page.evaluate(`(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  })()`)) as Violation[];
}

describe('accessibility of every view (axe-core, Chromium)', () => {
  let ward: Ward;
  let page: Page;
  const found: Record<string, Violation[]> = {};
  const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();

  beforeAll(async () => {
    ward = await openWard();
    page = ward.page;
  });
  afterAll(async () => {
    const lines = Object.entries(found).map(([view, vs]) => `  ${view}: ${vs.length === 0 ? 'none' : vs.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}+)`).join(', ')}`);
    console.log(`axe violations by view:\n${lines.join('\n')}`);
    await ward?.close();
  });

  const check = async (view: string) => {
    const vs = await axe(page);
    found[view] = vs;
    const grave = vs.filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(grave.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), view).toEqual([]);
  };

  const THEMES = ['dark', 'light', 'dim'] as const;
  const theme = async (t: (typeof THEMES)[number]) => {
    await page.getByLabel('Theme').selectOption(t);
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe(t);
  };
  const VIEWS = ['Incidents', 'Runbooks', 'Contacts', 'Health', 'Dashboard', 'Hand-off', 'Audit', 'Status'];

  for (const t of THEMES) {
    it(`sign-in (${t})`, async () => {
      await page.getByLabel('User ID').waitFor();
      await theme(t);
      await check(`sign-in ${t}`);
      await page.screenshot({ path: screenshotPath(`view-sign-in-${t}`) });
    });
  }

  it('signs in and is paged a SEV1 (focus moves to the work; the SEV1 is announced at once)', async () => {
    await signIn(page, 'eng.kim', 'Jo Kim');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');
    await post(`${ward.relay.url}/v1/alerts`, JSON.stringify({ alerts: [{ key: 'api-down', severity: 'SEV1', summary: 'Medical AI API down', service: 'medical-ai-api' }, { key: 'cache', severity: 'SEV3', summary: 'Cache latency high', service: 'redis' }] }));
    await page.getByTestId('incident-row').filter({ hasText: 'Medical AI API down' }).click({ timeout: 10_000 });
    await page.getByTestId('incident-detail').waitFor();
    await expect.poll(() => page.getByTestId('announce-urgent').textContent(), { timeout: 5000 }).toBe('1 SEV1 incident not acknowledged. Press g to go to the oldest.');
    expect(await page.getByTestId('announce-polite').textContent()).toMatch(/^2 new incidents; 2 open\.$/);
  });

  for (const t of THEMES) {
    for (const view of VIEWS) {
      it(`${view.toLowerCase()} (${t})`, async () => {
        await theme(t);
        await nav(view);
        if (view === 'Incidents') await page.getByTestId('incident-detail').waitFor();
        await page.waitForTimeout(250);
        await check(`${view.toLowerCase()} ${t}`);
        await page.screenshot({ path: screenshotPath(`view-${view.toLowerCase()}-${t}`) });
      });
    }
  }

  for (const t of THEMES) {
    it(`lock screen (${t})`, async () => {
      await theme(t);
      if ((await page.getByTestId('lock-screen').count()) === 0) await page.keyboard.press('Control+l');
      await page.getByTestId('lock-screen').waitFor({ timeout: 5000 });
      await check(`lock ${t}`);
      await page.screenshot({ path: screenshotPath(`view-lock-${t}`) });
    });
  }
});
