// A ward for an end-to-end test: a relay on loopback, the console in browser
// mode subscribed to it (its own process, from the build), and Chromium on
// the console's launch link — started once per file, stopped with `close()`.
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { tempDir } from '../helpers.js';
import { launchChromium, startBrowserMode, type RunningConsole } from './browser-mode.js';
import { startRelay, TOKENS } from './relay-fixture.js';

export interface Ward {
  dir: string;
  relay: Relay;
  running: RunningConsole;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** `prepare` may write the console's data folder (`<dir>/console`) before it starts; `args` are extra console flags. */
export async function openWard(options: { args?: string[]; viewport?: { width: number; height: number }; prepare?: (consoleDir: string) => void } = {}): Promise<Ward> {
  const { dir, cleanup } = tempDir();
  const relay = await startRelay(`${dir}/relay`);
  writeFileSync(`${dir}/token`, TOKENS.wardA);
  options.prepare?.(`${dir}/console`);
  const running = await startBrowserMode(`${dir}/console`, ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--notify-sink', 'none', ...(options.args ?? [])]);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  await page.goto(running.launchUrl);
  return {
    dir,
    relay,
    running,
    browser,
    page,
    async close() {
      await browser.close();
      await running.stop();
      await relay.close();
      cleanup();
    },
  };
}
