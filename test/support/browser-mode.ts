import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningConsole {
  child: ChildProcess;
  url: string;
  /** a one-time launch link (single use, 60 s) */
  launchUrl: string;
  /** the bridge's bearer token, from the 0600 bridge.json (never on a command line) */
  token: string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Start `node dist/main/cli.cjs` (browser mode) and wait for its ready line. */
export async function startBrowserMode(dataDir: string, extraArgs: string[] = []): Promise<RunningConsole> {
  const cli = join(ROOT, 'dist/main/cli.cjs');
  if (!existsSync(cli)) throw new Error('dist/main/cli.cjs is missing: run `npm run build` first (npm test does)');
  const args = extraArgs.includes('--probes') ? extraArgs : ['--probes', 'none', ...extraArgs];
  const child = spawn(process.execPath, [cli, '--no-open', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const ready = await new Promise<{ url: string; launchUrl: string }>((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`browser mode did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(line) as { url: string; launchUrl: string });
      }
    });
    child.on('exit', (code) => reject(new Error(`browser mode exited with ${code}: ${err}`)));
  });
  const { token } = JSON.parse(readFileSync(join(dataDir, 'bridge.json'), 'utf8')) as { token: string };
  return {
    child,
    ...ready,
    token,
    stderr: () => err,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res(child.exitCode);
        child.once('exit', (code) => res(code));
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (scripts/install-system-deps) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** Fill the sign-in form as a person would. */
export async function signIn(page: Page, userId: string, displayName: string, pin?: string): Promise<void> {
  await page.getByLabel('User ID').fill(userId);
  await page.getByLabel('Display name').fill(displayName);
  if (pin) await page.getByLabel(/^PIN/).fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
