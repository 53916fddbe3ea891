// Where the Electron runtime binary is, or why it is not there.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export function findElectronRuntime() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH || process.env.MAOC_ELECTRON_PATH) {
    const p = process.env.MAOC_ELECTRON_PATH;
    if (p && existsSync(p)) return { path: p };
  }
  try {
    const require = createRequire(import.meta.url);
    const path = require('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: 'the electron package is installed but its runtime binary is not' };
  } catch {
    return { reason: 'the electron package was installed without its runtime binary (the download is not possible here)' };
  }
}
