// Node entry for browser mode (and `--status`): `node dist/main/cli.cjs`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBrowserMode } from './web/browser-mode.js';
import { createConsole } from './core/console.js';
import { resolveConfig } from './core/config.js';
import { APP_VERSION } from './platform/version.js';
import { ConsoleError } from '../shared/errors.js';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--launch-link')) {
    // a fresh one-time link from the running console (the token never leaves its 0600 file)
    const config = resolveConfig({ argv: [...argv, '--probes', 'none'], mode: 'browser', version: APP_VERSION });
    const bridgeFile = join(config.dataDir, 'bridge.json');
    if (!existsSync(bridgeFile)) throw new ConsoleError('E_NOT_RUNNING', 'state', `no console runs on ${config.dataDir} (no bridge.json)`);
    const { url, token } = JSON.parse(readFileSync(bridgeFile, 'utf8')) as { url: string; token: string };
    const res = await fetch(`${url}api/launch-code`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { launchUrl?: string };
    if (!body.launchUrl) throw new ConsoleError('E_LAUNCH_LINK', 'auth', 'the running console refused to make a link');
    process.stdout.write(`${body.launchUrl}\n`);
    return;
  }
  if (argv.includes('--status')) {
    const config = resolveConfig({ argv: [...argv, '--probes', 'none'], mode: 'browser', version: APP_VERSION });
    // Ask the running console (the same figures its Status view shows); else read the data dir.
    const bridgeFile = join(config.dataDir, 'bridge.json');
    if (existsSync(bridgeFile)) {
      try {
        const { url, token } = JSON.parse(readFileSync(bridgeFile, 'utf8')) as { url: string; token: string };
        const res = await fetch(`${url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'console.status', input: {} }) });
        const reply = (await res.json()) as { ok: boolean; result: unknown };
        if (reply.ok) {
          process.stdout.write(JSON.stringify({ source: 'running console', ...(reply.result as object) }, null, 2) + '\n');
          return;
        }
      } catch {
        // not running any more: fall through to the data dir
      }
    }
    const oncall = createConsole(config, { tickMs: 0, notificationSink: null });
    await oncall.start();
    const status = oncall.status();
    await oncall.stop();
    process.stdout.write(JSON.stringify({ source: 'data dir (no console running)', ...status }, null, 2) + '\n');
    return;
  }
  await runBrowserMode({ argv, rendererDir: join(__dirname, '..', 'renderer'), electronRuntime: argv.includes('--electron-runtime') });
}

// Last resort: a stray rejection or exception is logged, never a reason to stop paging.
process.on('unhandledRejection', (err) => process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level: 'error', code: 'E_UNHANDLED', msg: `unhandled rejection: ${(err as Error)?.name ?? 'unknown'}` })}\n`));

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof ConsoleError ? err.message : `E_START: ${(err as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
