import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConsole, type OnCallConsole } from '../core/console.js';
import { resolveConfig } from '../core/config.js';
import { createLogger } from '../platform/logger.js';
import { APP_VERSION } from '../platform/version.js';
import { startBridge, type Bridge } from './bridge.js';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export interface BrowserModeOptions {
  argv: string[];
  /** folder of the built renderer */
  rendererDir: string;
  electronRuntime?: boolean;
}

/**
 * Run the console core with the loopback bridge and, unless --no-open, open the
 * renderer in Chromium's app mode. Prints one JSON line with the URL so that
 * scripts and the e2e suite can find it.
 */
export async function runBrowserMode(options: BrowserModeOptions): Promise<{ console: OnCallConsole; bridge: Bridge }> {
  const config = resolveConfig({ argv: options.argv, mode: 'browser', electronRuntime: options.electronRuntime ?? false, version: APP_VERSION });
  const logger = createLogger();
  const oncall = createConsole(config, { logger });
  await oncall.start();
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    await oncall.stop();
    throw new Error(`the renderer is not built (${options.rendererDir}/index.html missing): run npm run build`);
  }
  const bridge = await startBridge({
    handlers: oncall.handlers,
    events: oncall.events,
    staticDir: options.rendererDir,
    port: config.browser.port,
    logger,
  });
  // Where `--status` finds this console: readable only by this user, removed on stop.
  const bridgeFile = join(config.dataDir, 'bridge.json');
  writeFileSync(bridgeFile, JSON.stringify({ url: bridge.url, token: bridge.token, pid: process.pid }), { mode: 0o600 });
  // Only one-time launch codes leave this process (stdout, the browser's command line); the token stays in bridge.json (0600).
  const launchUrl = bridge.launchUrl;
  process.stdout.write(JSON.stringify({ ready: true, url: bridge.url, launchUrl, dataDir: config.dataDir }) + '\n');

  process.stdout.write(`Console running in browser mode: open ${launchUrl} within 60 s (one use; a fresh link: node dist/main/cli.cjs --launch-link)\n`);
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (config.browser.open && hasDisplay) {
    const browser = [process.env.MAOC_BROWSER ?? '', ...CHROMIUM_CANDIDATES].find((p) => p !== '' && existsSync(p));
    if (browser) {
      // a fresh one-time code on the command line, never the token
      // Chromium refuses to start as root with its sandbox (the console's own page is still CSP-locked)
      const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : [];
      const child = spawn(browser, [`--app=${bridge.launchUrl}`, ...asRoot, '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(config.dataDir, 'chromium-profile')}`], {
        stdio: 'ignore',
        detached: true,
      });
      child.on('error', () => undefined);
      child.unref();
    }
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'I_SHUTDOWN', `received ${signal}, stopping`);
    await bridge.close();
    rmSync(bridgeFile, { force: true });
    await oncall.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return { console: oncall, bridge };
}
