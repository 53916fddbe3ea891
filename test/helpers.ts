import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../src/shared/clock.js';
import { createConsole, type ConsoleDeps } from '../src/main/core/console.js';
import { resolveConfig } from '../src/main/core/config.js';

/** A fresh directory under the OS temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'maoc-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  constructor(public ms = Date.parse('2026-11-22T08:00:00.000Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

/** A console on `dataDir` with no probes, no OS notifications and no timers unless `deps`/`argv` say otherwise (the first of a repeated flag wins). */
export function testConsole(dataDir: string, deps: ConsoleDeps = {}, argv: readonly string[] = []) {
  return createConsole(resolveConfig({ argv: ['--data-dir', dataDir, ...argv, '--probes', 'none'], env: {}, mode: 'browser', version: 'test' }), { notificationSink: null, tickMs: 0, ...deps });
}
