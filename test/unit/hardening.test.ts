import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMainProcess, checkWindowOptions, REQUIRED_WEB_PREFERENCES } from '../support/hardening.js';
import { contentSecurityPolicy } from '../../src/main/web/bridge.js';
import { RENDERER_CSP } from '../../src/main/electron/window-options.js';

const root = resolve(__dirname, '../..');
const windowOptions = readFileSync(join(root, 'src/main/electron/window-options.ts'), 'utf8');
const main = readFileSync(join(root, 'src/main/electron/main.ts'), 'utf8');

describe('Electron hardening, checked from the code', () => {
  it('every window is made with the hardened webPreferences', () => {
    expect(checkWindowOptions(windowOptions)).toEqual([]);
  });

  it('the main process refuses navigation, new windows, webviews and permissions, sets the CSP, and validates IPC', () => {
    expect(checkMainProcess(main)).toEqual([]);
  });

  for (const [key, want] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
    it(`fails when a copy weakens webPreferences.${key}`, () => {
      const weakened = windowOptions.replace(new RegExp(`(\\b${key}\\s*:\\s*)(true|false)`), `$1${String(!want)}`);
      expect(weakened).not.toBe(windowOptions);
      expect(checkWindowOptions(weakened)).toEqual([`webPreferences.${key} is ${String(!want)} (must be ${want})`]);
    });
  }

  it('fails when a copy of main lets windows open or skips the sender check', () => {
    expect(checkMainProcess(main.replace("({ action: 'deny' })", "({ action: 'allow' })"))).toContain('window.open is not refused (setWindowOpenHandler → deny)');
    expect(checkMainProcess(main.replace('if (!trustedSender(event))', 'if (false)'))).toContain('IPC does not check the sender');
  });

  it('both shells use a strict CSP: no inline or remote script, no framing', () => {
    for (const csp of [RENDERER_CSP, contentSecurityPolicy('http://127.0.0.1:1234')]) {
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
    }
  });
});
