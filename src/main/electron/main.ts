// Electron entry: app lifecycle, the one window, IPC bound to the contract.
// Everything else lives in the plain-Node core.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, nativeImage, session, Tray, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../shared/ipc-channels.js';
import { createConsole, type OnCallConsole } from '../core/console.js';
import { resolveConfig } from '../core/config.js';
import { dispatch } from '../core/dispatch.js';
import { createLogger } from '../platform/logger.js';
import { APP_VERSION } from '../platform/version.js';
import { SafeStorageKeyStore } from './safe-storage-key-store.js';
import { RENDERER_CSP, secureWindowOptions } from './window-options.js';

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
let mainWindow: BrowserWindow | null = null;
let oncall: OnCallConsole | null = null;

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Only our own window's top frame, showing our own renderer, may call main. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  return (
    mainWindow !== null &&
    event.sender === mainWindow.webContents &&
    event.senderFrame !== null &&
    event.senderFrame === event.sender.mainFrame &&
    event.senderFrame.url.split('#')[0] === rendererUrl
  );
}

/** A tray icon with the open count in its tooltip; clicking it brings the window forward. */
function createTray(): Tray | null {
  try {
    const tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON));
    tray.setToolTip('Medical AI On-Call');
    tray.on('click', () => {
      mainWindow?.show();
      mainWindow?.focus();
    });
    return tray;
  } catch {
    return null; // some desktops have no tray; the badge and notifications still work
  }
}

// 16×16 red square, inline so that packaging needs no extra asset
const TRAY_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAHUlEQVR42mP8z8BQz0AEYBxVSF+FjKMKR4ECAQBXiB/xX2cD2wAAAABJRU5ErkJggg==';

async function boot(): Promise<void> {
  const logger = createLogger();
  const config = resolveConfig({ argv: process.argv.slice(1), mode: 'electron', electronRuntime: true, version: APP_VERSION });
  app.setPath('userData', join(config.dataDir, 'electron'));
  oncall = createConsole(config, { logger, keyStore: new SafeStorageKeyStore(config.dataDir) });
  await oncall.start();

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });

  const handlers = oncall.handlers;
  ipcMain.handle(IPC_REQUEST_CHANNEL, (event, name: unknown, input: unknown) => {
    if (!trustedSender(event)) {
      return { ok: false, error: { code: 'E_IPC_SENDER', category: 'auth', message: 'this window may not call the console' } };
    }
    return dispatch(handlers, name, input, { transport: 'ipc' }, logger);
  });
  const tray = createTray();
  oncall.events.on((name, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, name, payload);
    if (name === 'status.changed') {
      const open = (payload as { incidents: { open: number; unacknowledged: number } }).incidents;
      app.setBadgeCount(open.unacknowledged);
      tray?.setToolTip(`Medical AI On-Call: ${open.open} open, ${open.unacknowledged} unacknowledged`);
    }
    if (name === 'incident.focus' && mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
    }
  });

  mainWindow = new BrowserWindow(secureWindowOptions(join(__dirname, 'preload.cjs')));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  await mainWindow.loadFile(rendererIndex);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('window-all-closed', () => app.quit());
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped || !oncall) return;
    event.preventDefault();
    void oncall.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(boot)
    .catch((err: unknown) => {
      process.stderr.write(`E_START: ${(err as Error).message}\n`);
      app.exit(1);
    });
}
