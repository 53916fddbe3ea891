import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { openAudit } from '../support/audit-fixture.js';

const ROOT = resolve(__dirname, '../..');
const ROUNDS = 20;

/** Start the writer, let it commit for a random while, then SIGKILL it. Returns the seqs it reported as committed. */
function writeAndKill(dataDir: string, runMs: number): Promise<number[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/audit-writer.ts'), dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), runMs);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own: ${err}`));
      // the last line may be cut mid-write: keep only complete lines
      const lines = out.split('\n').slice(0, -1).filter((l) => /^\d+$/.test(l));
      resolvePromise(lines.map(Number));
    });
  });
}

describe('audit durability under kill -9', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it(`keeps every committed record and a valid chain across ${ROUNDS} kills`, async () => {
    let total = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const committed = await writeAndKill(dir, 60 + Math.floor(Math.random() * 200));
      const { db, audit, close } = openAudit(dir);
      try {
        const present = new Set((db.prepare('SELECT seq FROM audit_log').pluck().all() as number[]));
        const lost = committed.filter((s) => !present.has(s));
        expect(lost, `round ${round}: committed records lost`).toEqual([]);
        const report = audit.verify('full');
        expect(report.fault, `round ${round}`).toBeNull();
        expect(report.checked).toBe(present.size);
        total += committed.length;
      } finally {
        close();
      }
    }
    console.info(`[crash test] ${total} records reported committed across ${ROUNDS} SIGKILLs; none lost`);
    // the test only means something if the writer really committed under the knife
    expect(total).toBeGreaterThan(ROUNDS * 5);
  }, 120_000);
});
