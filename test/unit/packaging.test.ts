import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/browser-mode.js';
import { listSources } from '../support/import-rules.js';

interface BuilderConfig {
  appId: string;
  icon: string;
  asar: boolean;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('packs every bundled resource the console reads', () => {
    const source = listSources(join(ROOT, 'src/main')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const used = [...source.matchAll(/resourcePath\('([^']+)'\)/g)].map((m) => `resources/${m[1]}`);
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const path of used) {
      const covered = config.files.some((f) => f === path || f === `${path}/**`);
      expect(covered, `${path} is read at run time but not in electron-builder.yml files`).toBe(true);
    }
  });

  it('sets the hardening fuses, asar, the icon and the four targets', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true); // better-sqlite3 rebuilt for Electron's ABI
    expect(config.asarUnpack.some((p) => p.includes('better-sqlite3'))).toBe(true);
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(readFileSync(join(ROOT, config.icon)).subarray(1, 4).toString()).toBe('PNG');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });
});
