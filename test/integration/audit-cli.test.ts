import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { seedAudit, tamper } from '../support/audit-fixture.js';

const ROOT = resolve(__dirname, '../..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main/audit/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('npm run audit', () => {
  const { dir, cleanup } = tempDir();
  beforeAll(() => seedAudit(dir, 5));
  afterAll(() => cleanup());

  it('exports JSON Lines and CSV', () => {
    const jsonl = cli('export', '--format', 'jsonl', '--data-dir', dir, '--operator', 'compliance.officer');
    expect(jsonl.status).toBe(0);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; details: { note: string } });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[0]!.details.note).toBe('ack 1');
    const csv = cli('export', '--format', 'csv', '--data-dir', dir);
    expect(csv.stdout.split('\n')[0]).toBe('seq,ts,operator,action,subjectType,subjectId,details,prevHash,hash');
    expect(csv.stdout).toContain('"{""note"":""ack 1""}"');
  });

  it('refuses an unknown format and a bad date, naming the option', () => {
    expect(cli('export', '--format', 'xml', '--data-dir', dir).stderr).toContain('--format: must be jsonl or csv');
    const bad = cli('export', '--since', 'yesterday', '--data-dir', dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--since: "yesterday" is not a date-time');
  });

  it('verifies (exit 0), then reports the tampered record (exit 2)', () => {
    const ok = cli('verify', '--data-dir', dir);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, mode: 'full' });
    tamper(dir, `UPDATE audit_log SET details = '{}' WHERE seq = 2;`);
    const bad = cli('verify', '--data-dir', dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_AUDIT_INTEGRITY: edited at record #2');
  });
});
