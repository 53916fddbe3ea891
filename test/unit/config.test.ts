import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/main/core/config.js';
import { defaultDataDir } from '../../src/main/platform/paths.js';

describe('configuration', () => {
  it('defaults the data dir to the per-user app-data folder of each platform', () => {
    expect(defaultDataDir({}, 'linux', '/home/ana')).toBe('/home/ana/.local/share/medical-ai-oncall-console');
    expect(defaultDataDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/ana')).toBe('/data/medical-ai-oncall-console');
    expect(defaultDataDir({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Application Support/medical-ai-oncall-console');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana')).toContain('medical-ai-oncall-console');
  });

  it('lets the environment and then a flag override the data dir', () => {
    expect(resolveConfig({ env: { MAOC_DATA_DIR: '/tmp/env-dir' } }).dataDir).toBe('/tmp/env-dir');
    expect(resolveConfig({ env: { MAOC_DATA_DIR: '/tmp/env-dir' }, argv: ['--data-dir', '/tmp/flag-dir'] }).dataDir).toBe('/tmp/flag-dir');
    expect(resolveConfig({ env: {}, argv: ['--data-dir=/tmp/eq-dir'] }).dataDir).toBe('/tmp/eq-dir');
  });

  it('refuses an audit retention below seven years, naming the setting', () => {
    expect(() => resolveConfig({ env: {}, argv: ['--audit-retention-years', '6'] })).toThrow(
      /E_CONFIG: invalid configuration: audit\.retentionYears: must be at least 7 years/,
    );
    expect(resolveConfig({ env: {}, argv: ['--audit-retention-years', '10'] }).audit.retentionYears).toBe(10);
  });

  it('refuses a port outside 0-65535', () => {
    expect(() => resolveConfig({ env: {}, argv: ['--port', '70000'] })).toThrow(/browser\.port/);
  });
});
