// Node entry for browser mode (and `--status`): `node dist/main/cli.cjs`.
import { join } from 'node:path';
import { runBrowserMode } from './web/browser-mode.js';
import { createConsole } from './core/console.js';
import { resolveConfig } from './core/config.js';
import { APP_VERSION } from './version.js';
import { ConsoleError } from '../shared/errors.js';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--status')) {
    const oncall = createConsole(resolveConfig({ argv: [...argv, '--probes', 'none'], mode: 'browser', version: APP_VERSION }), { tickMs: 0 });
    await oncall.start();
    const status = oncall.status();
    await oncall.stop();
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return;
  }
  await runBrowserMode({ argv, rendererDir: join(__dirname, '..', 'renderer'), electronRuntime: argv.includes('--electron-runtime') });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof ConsoleError ? err.message : `E_START: ${(err as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
