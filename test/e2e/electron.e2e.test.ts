import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication } from 'playwright-core';
import { ROOT, screenshotPath } from '../support/browser-mode.js';
import { tempDir } from '../helpers.js';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs
import { findElectronRuntime } from '../../scripts/electron-runtime.mjs';

const runtime = findElectronRuntime() as { path?: string; reason?: string };
if (!runtime.path) {
  // Said once, plainly, so a green run never hides that Electron went untested.
  console.warn(`[electron e2e] SKIPPED: Electron runtime missing (${runtime.reason}). Set MAOC_ELECTRON_PATH or install the runtime to run it.`);
}

describe.skipIf(!runtime.path)('the console shell in Electron', () => {
  let app: ElectronApplication;
  const { dir, cleanup } = tempDir();
  afterAll(async () => {
    await app?.close();
    cleanup();
  });

  it('opens one hardened window that signs in an operator', async () => {
    app = await _electron.launch({ executablePath: runtime.path!, args: [join(ROOT, 'dist/main/electron.cjs'), '--data-dir', dir, '--no-sandbox'] });
    const page = await app.firstWindow();
    // What a sandboxed, isolated renderer can reach: the contract client and nothing of Node.
    const reach = await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown>;
      return { require: typeof g.require, process: typeof g.process, api: Object.keys((g.oncall as object) ?? {}).sort() };
    });
    expect(reach).toEqual({ require: 'undefined', process: 'undefined', api: ['onEvent', 'request'] });
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    await page.getByLabel('User ID').fill('eng.lee');
    await page.getByLabel('Display name').fill('Sam Lee');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('operator').textContent()).toBe('Sam Lee (eng.lee)');
    await page.screenshot({ path: screenshotPath('electron-shell') });
  });
});
