import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileKeyStore } from '../../src/main/audit/key-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { ack, openAudit, seedAudit, tamper } from '../support/audit-fixture.js';

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

  it('backs up while records are being appended; the copy verifies on its own; never overwrites', async () => {
    const { dir: live, cleanup: done } = tempDir();
    try {
      seedAudit(live, 50);
      const writer = openAudit(live);
      let appended = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 20; i++) writer.audit.append(ack(++appended));
      }, 5);
      const out = join(live, '..', `${live.split('/').pop()}-backup`);
      const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/audit/cli.ts', 'backup', '--out', out, '--data-dir', live], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (status) => res({ status, stdout, stderr }));
      });
      clearInterval(timer);
      writer.close();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout) as { records: number; verified: boolean };
      expect(report.verified).toBe(true);
      expect(report.records).toBeGreaterThanOrEqual(50);
      expect(appended).toBeGreaterThan(0); // the writer really ran during the backup
      expect(readdirSync(out).sort()).toEqual(['audit.key', 'console.db']);
      const again = cli('verify', '--data-dir', out);
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, checked: report.records });
      const refused = cli('backup', '--out', out, '--data-dir', live);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('is not empty; a backup never overwrites');
      spawnSync('rm', ['-rf', out]);
    } finally {
      done();
    }
  });

  it('never makes a second key beside a keychain-sealed one', () => {
    const { dir: sealed, cleanup: done } = tempDir();
    try {
      writeFileSync(join(sealed, 'audit.key.sealed'), 'sealed by the OS keychain');
      expect(() => new FileKeyStore(sealed).load()).toThrow(/sealed by the OS keychain .*open this data folder with the Electron app/);
      expect(existsSync(join(sealed, 'audit.key'))).toBe(false);
    } finally {
      done();
    }
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
