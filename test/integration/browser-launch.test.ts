// Browser mode opens the console in a browser. The browser's command line is
// readable by every local user (ps, /proc/<pid>/cmdline): it may carry only a
// one-time launch code, never the bridge's long-lived token.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/browser-mode.js';
import { tempDir } from '../helpers.js';

describe('browser mode hands the browser a one-time launch code, never the token', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it('puts no token on the browser process command line; the code works once', async () => {
    // a stand-in browser: records its pid, uses the link once (as a browser would), and stays up to be inspected
    const fake = join(dir, 'fake-browser.cjs');
    writeFileSync(
      fake,
      `#!${process.execPath}
const fs = require('node:fs');
const url = process.argv.find((a) => a.startsWith('--app='))?.slice(6);
fs.writeFileSync(${JSON.stringify(join(dir, 'browser.pid'))}, String(process.pid));
fetch(url, { redirect: 'manual' }).then((r) => {
  fs.writeFileSync(${JSON.stringify(join(dir, 'browser.result'))}, JSON.stringify({ status: r.status, cookie: r.headers.get('set-cookie') }));
  setTimeout(() => process.exit(0), 3000);
});
`,
    );
    chmodSync(fake, 0o755);
    const child = spawn(process.execPath, [join(ROOT, 'dist/main/cli.cjs'), '--data-dir', join(dir, 'console'), '--probes', 'none', '--notify-sink', 'none'], {
      env: { ...process.env, MAOC_BROWSER: fake, DISPLAY: ':0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => (out += c.toString()) && out.includes('"ready"') && resolve());
        child.once('exit', (code) => reject(new Error(`browser mode exited ${code}`)));
      });
      for (let i = 0; i < 100 && !existsSync(join(dir, 'browser.result')); i++) await new Promise((r) => setTimeout(r, 50));
      const pid = readFileSync(join(dir, 'browser.pid'), 'utf8');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const { token } = JSON.parse(readFileSync(join(dir, 'console', 'bridge.json'), 'utf8')) as { token: string };
      const consoleArgs = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      console.log(`browser command line: ${cmdline.filter((a) => a.startsWith('--app=')).join(' ')}`);
      expect(cmdline.join(' ')).not.toContain(token);
      expect(consoleArgs).not.toContain(token);
      const app = cmdline.find((a) => a.startsWith('--app='))!;
      expect(app).toMatch(/^--app=http:\/\/127\.0\.0\.1:\d+\/launch\?code=[A-Za-z0-9_-]{32}$/);
      const result = JSON.parse(readFileSync(join(dir, 'browser.result'), 'utf8')) as { status: number; cookie: string };
      expect(result.status).toBe(303);
      expect(result.cookie).toContain('HttpOnly; SameSite=Strict');
      // someone who read the command line afterwards gets nothing from it
      expect((await fetch(app.slice(6), { redirect: 'manual' })).status).toBe(403);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 30_000);
});
