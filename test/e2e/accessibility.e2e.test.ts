// axe-core (WCAG 2.1 A and AA rules) on every view of the console, with a
// paged SEV1 on screen: sign-in, incidents with a detail, runbooks, contacts,
// health, dashboard, hand-off, audit, status, and the lock screen. Prints the
// violations found by rule; none may be critical or serious.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium, startBrowserMode, type RunningConsole, signIn } from '../support/browser-mode.js';
import { post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

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
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  const found: Record<string, Violation[]> = {};
  const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    writeFileSync(`${dir}/token`, TOKENS.wardA);
    running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--notify-sink', 'none']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(running.launchUrl);
  });
  afterAll(async () => {
    const lines = Object.entries(found).map(([view, vs]) => `  ${view}: ${vs.length === 0 ? 'none' : vs.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}+)`).join(', ')}`);
    console.log(`axe violations by view:\n${lines.join('\n')}`);
    await browser?.close();
    await running?.stop();
    await relay?.close();
    cleanup();
  });

  const check = async (view: string) => {
    const vs = await axe(page);
    found[view] = vs;
    const grave = vs.filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(grave.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), view).toEqual([]);
  };

  it('sign-in', async () => {
    await page.getByLabel('User ID').waitFor();
    await check('sign-in');
  });

  it('incidents with a paged SEV1 and its detail', async () => {
    await signIn(page, 'eng.kim', 'Jo Kim');
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [{ key: 'api-down', severity: 'SEV1', summary: 'Medical AI API down', service: 'medical-ai-api' }, { key: 'cache', severity: 'SEV3', summary: 'Cache latency high', service: 'redis' }] }));
    await page.getByTestId('incident-row').filter({ hasText: 'Medical AI API down' }).click({ timeout: 10_000 });
    await page.getByTestId('incident-detail').waitFor();
    await check('incidents');
  });

  for (const view of ['Runbooks', 'Contacts', 'Health', 'Dashboard', 'Hand-off', 'Audit', 'Status']) {
    it(view.toLowerCase(), async () => {
      await nav(view);
      await page.waitForTimeout(300);
      await check(view.toLowerCase());
    });
  }

  it('lock screen', async () => {
    await page.keyboard.press('Control+l');
    await page.getByTestId('lock-screen').waitFor({ timeout: 5000 });
    await check('lock');
  });
});
