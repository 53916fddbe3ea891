// An attacker with write access to the data folder, against a data folder of
// several hundred real records made by driving the console. Each tamper is
// applied to a fresh copy; the CLI and the console's start-up must each name
// the record and the kind; the console must start and page in every case.
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { runAuditCli } from '../../src/main/audit/cli.js';
import { StaticKeyStore } from '../../src/main/audit/key-store.js';
import type { AuditFaultKind, AuditVerifyReport } from '../../src/shared/domain/audit.js';
import type { Alert } from '../../src/shared/domain/alert.js';
import { alertBuilder } from '../support/alerts.js';
import { tamper } from '../support/audit-fixture.js';
import { tempDir, testConsole } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';

const ROOT = resolve(__dirname, '../..');
const build = alertBuilder('relay-x');
let seq = 0;
const alert = (key: string, severity: Alert['severity'] = 'SEV2'): Alert => (seq++, build(key, { severity }));

async function cliVerify(dir: string): Promise<{ code: number; report: AuditVerifyReport }> {
  let text = '';
  const code = await runAuditCli(['verify', '--data-dir', dir, '--operator', 'compliance.officer'], (s) => (text += s));
  return { code, report: JSON.parse(text) as AuditVerifyReport };
}

interface Golden {
  /** several hundred real records, made by driving the console */
  dir: string;
  /** an older backup of the same folder */
  older: string;
  /** the last record's seq */
  head: number;
}

interface Run {
  startup: AuditVerifyReport;
  blocker: string | null;
  paged: boolean;
  breakOpen: boolean;
  segment: number | null;
}

type ExpectReported = (kind: AuditFaultKind, at: number | ((head: number) => number), label: string) => Promise<void>;

const it = consoleTest.extend<{ dir: string; golden: Golden; found: string[]; startAndPage: (keyStore?: StaticKeyStore) => Promise<Run>; expectReported: ExpectReported }>({
  golden: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { dir, cleanup } = tempDir();
      const golden = join(dir, 'golden');
      const older = join(dir, 'older');
      const oncall = testConsole(golden);
      await oncall.start();
      const s = oncall.services();
      s.operator.signIn('rn.okafor', 'Chidi Okafor'); // the first operator: admin
      s.operator.add('eng.lee', 'Sam Lee', 'engineer', '7310');
      for (let i = 0; i < 120; i++) s.intake.receive('relay-x', [alert(`svc-${i}`)]);
      for (const inc of s.incidents.list().slice(0, 60)) s.incidents.acknowledge(inc.id, s.operator.operator);
      await oncall.stop();
      cpSync(golden, older, { recursive: true });
      const again = testConsole(golden);
      await again.start();
      const t = again.services();
      t.operator.signIn('eng.lee', 'Sam Lee', '7310');
      for (const inc of t.incidents.list().slice(0, 40)) t.incidents.note(inc.id, 'checked the model service', t.operator.operator);
      await again.stop();
      const head = (await cliVerify(golden)).report.toSeq + 1; // the CLI records its own run
      expect(head).toBeGreaterThan(300);
      await use({ dir: golden, older, head });
      cleanup();
    },
    { scope: 'file' },
  ],
  found: [
    async ({ golden }, use) => {
      const found: string[] = [];
      await use(found);
      console.log(`audit attacks against ${golden.head} records: ${found.length} tampers, each named by the CLI and at start-up, console paged every time:\n  ${found.join('\n  ')}`);
    },
    { scope: 'file' },
  ],
  /** each test attacks its own copy of the golden folder */
  dir: async ({ golden }, use) => {
    const { dir, cleanup } = tempDir();
    const copy = join(dir, 'attacked');
    cpSync(golden.dir, copy, { recursive: true });
    await use(copy);
    cleanup();
  },
  /** Start the console on the (attacked) folder, let an alert arrive, and show that it pages. */
  startAndPage: async ({ boot, pages }, use) => {
    await use(async (keyStore) => {
      const oncall = await boot(keyStore ? { keyStore } : {});
      try {
        const s = oncall.services();
        const a = alert(`after-tamper-${seq}`, 'SEV1');
        s.intake.receive('relay-x', [a]);
        await new Promise((r) => setTimeout(r, 50));
        const inc = s.incidents.findOpen(a.key);
        return {
          startup: s.startupVerification,
          blocker: s.audit.blocker()?.kind ?? null,
          paged: inc !== null && pages.some((p) => p.incidentId === inc.id),
          breakOpen: s.incidents.findOpen('audit:integrity') !== null,
          segment: s.audit.segment,
        };
      } finally {
        await oncall.stop();
      }
    });
  },
  /** the CLI and the console's start-up both name the record and the kind, and the console pages */
  expectReported: async ({ dir, golden, startAndPage, found }, use) => {
    await use(async (kind, at, label) => {
      const seqAt = typeof at === 'function' ? at(golden.head) : at;
      const cli = await cliVerify(dir);
      expect(cli.code, label).toBe(2);
      expect(cli.report.fault, label).toMatchObject({ kind, seq: seqAt });
      const run = await startAndPage();
      // start-up covers the newest 10,000 records (all of these): it names the same record
      expect(run.startup.fault, `${label} at start-up`).toMatchObject({ kind, seq: seqAt });
      expect(run.paged, `${label}: the console pages`).toBe(true);
      expect(run.breakOpen, `${label}: audit_trail_break incident`).toBe(true);
      found.push(`${label}: ${kind} at #${seqAt}`);
    });
  },
});

describe('audit trail against an attacker with the data folder', () => {
  const K = 150;
  for (const [column, value] of [
    ['ts', "'2020-01-01T00:00:00.000Z'"],
    ['operator', "'dr.mallory'"],
    ['action', "'incident.resolved'"],
    ['subject_type', "'console'"],
    ['subject_id', "'MAI-19990101-000000'"],
    ['details', `'{"note":"nothing happened"}'`],
    ['prev_hash', `'${'0'.repeat(64)}'`],
    ['hash', `'${'f'.repeat(64)}'`],
  ] as const) {
    it(`names an edit of ${column} at its record`, async ({ dir, expectReported }) => {
      tamper(dir, `UPDATE audit_log SET ${column} = ${value} WHERE seq = ${K};`);
      await expectReported('edited', K, `edit ${column}`);
    });
  }

  it('names a deleted record', async ({ dir, expectReported }) => {
    tamper(dir, `DELETE FROM audit_log WHERE seq = ${K};`);
    await expectReported('deleted', K, 'delete');
  });

  it('names swapped records', async ({ dir, expectReported }) => {
    tamper(
      dir,
      `CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq = ${K};
       CREATE TEMP TABLE b AS SELECT * FROM audit_log WHERE seq = ${K + 1};
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) = (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM b) WHERE seq = ${K};
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) = (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM a) WHERE seq = ${K + 1};`,
    );
    await expectReported('reordered', K, 'swap');
  });

  it('names a record inserted in the middle (the rest renumbered)', async ({ dir, expectReported }) => {
    tamper(
      dir,
      `CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq >= ${K} ORDER BY seq;
       DELETE FROM audit_log WHERE seq >= ${K};
       INSERT INTO audit_log SELECT seq + 1, ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM t;
       INSERT INTO audit_log VALUES (${K}, '2026-11-23T03:00:00.000Z', 'dr.mallory', 'incident.acknowledged', 'incident', 'MAI-1', '{}', '${'0'.repeat(64)}', '${'a'.repeat(64)}');`,
    );
    await expectReported('inserted', K, 'insert in the middle');
  });

  it('names a record forged at the head (and the console, whose next append it blocks, pages)', async ({ dir, golden, expectReported }) => {
    tamper(dir, `INSERT INTO audit_log VALUES (${golden.head + 1}, '2026-11-23T03:00:00.000Z', 'dr.mallory', 'incident.acknowledged', 'incident', 'MAI-1', '{}', (SELECT hash FROM audit_log WHERE seq = ${golden.head}), '${'b'.repeat(64)}');`);
    await expectReported('inserted', (h) => h + 1, 'forged append');
  });

  for (const s of [0, -7]) {
    it(`names a record forged at seq ${s}`, async ({ dir, expectReported }) => {
      tamper(dir, `INSERT INTO audit_log VALUES (${s}, '2026-11-23T03:00:00.000Z', 'dr.mallory', 'incident.acknowledged', 'incident', 'MAI-1', '{}', '${'0'.repeat(64)}', '${'c'.repeat(64)}');`);
      await expectReported('forged', s, `forged at seq ${s}`);
    });
  }

  it('names a truncated tail', async ({ dir, golden, expectReported }) => {
    tamper(dir, `DELETE FROM audit_log WHERE seq > ${golden.head - 10};`);
    await expectReported('truncated', (h) => h - 9, 'truncate');
  });

  it('names the first changed record when every later hash was recomputed without the key', async ({ dir, golden, expectReported }) => {
    // edit, then "fix" the chain with plain SHA-256 as someone without the key would
    tamper(dir, `UPDATE audit_log SET details = '{"note":"forged"}' WHERE seq = ${K}; UPDATE audit_log SET hash = lower(hex(randomblob(32))) WHERE seq >= ${K}; UPDATE audit_meta SET hash = (SELECT hash FROM audit_log WHERE seq = ${golden.head}) WHERE name = 'golden.head';`);
    await expectReported('edited', K, 'recomputed without the key');
  });

  for (const marker of ['keycheck', 'head', 'anchor', 'checkpoint']) {
    it(`names a deleted ${marker} marker and still starts`, async ({ dir, found, startAndPage }) => {
      tamper(dir, `DELETE FROM audit_meta WHERE name = '${marker}';`);
      const cli = await cliVerify(dir);
      expect(cli.code).toBe(2);
      expect(cli.report.fault).toMatchObject({ kind: 'marker_missing' });
      expect(cli.report.fault!.message).toContain(marker === 'keycheck' ? 'key check' : marker);
      const run = await startAndPage();
      expect(run.paged).toBe(true);
      expect(run.breakOpen).toBe(true);
      found.push(`delete ${marker} marker: marker_missing`);
    });
  }

  it('never appends under a wrong key: a segment instead, and the main chain verifies when the right key is back', async ({ dir, found, startAndPage }) => {
    const wrong = await startAndPage(new StaticKeyStore(randomBytes(32)));
    expect(wrong.startup.fault).toMatchObject({ kind: 'wrong_key' });
    expect(wrong.blocker).toBe('wrong_key');
    expect(wrong.segment).not.toBeNull();
    expect(wrong.paged).toBe(true);
    const cli = await cliVerify(dir); // right key (the file) restored
    expect(cli.report.ok).toBe(true);
    expect(cli.report.segments?.[0]).toMatchObject({ fault: { kind: 'wrong_key' }, ok: true });
    expect(cli.report.segments![0]!.records).toBeGreaterThan(2);
    found.push('wrong key, then the right one: main chain intact, records in a segment verified with its own key');
  });

  it('names a deleted key file, never makes a new key for a non-empty log, and still pages', async ({ dir, found, startAndPage }) => {
    rmSync(join(dir, 'audit.key'));
    const cli = await cliVerify(dir);
    expect(cli.report.fault).toMatchObject({ kind: 'key_missing' });
    const run = await startAndPage();
    expect(run.startup.fault).toMatchObject({ kind: 'key_missing' });
    expect(run.paged).toBe(true);
    expect(existsSync(join(dir, 'audit.key'))).toBe(false);
    found.push('delete the key file: key_missing (no new key made)');
  });

  it('names a rollback to an older backup with the figures', async ({ dir, golden, found, startAndPage }) => {
    copyFileSync(join(golden.older, 'console.db'), join(dir, 'console.db'));
    for (const f of ['console.db-wal', 'console.db-shm']) if (existsSync(join(dir, f))) rmSync(join(dir, f));
    const cli = await cliVerify(dir);
    expect(cli.report.fault).toMatchObject({ kind: 'rolled_back' });
    const kept = (JSON.parse(readFileSync(join(dir, 'audit.checkpoint'), 'utf8')) as { seq: number }).seq;
    expect(cli.report.fault!.message).toMatch(new RegExp(`the log ends at #\\d+, but the checkpoint .* is at #${kept}`));
    const run = await startAndPage();
    expect(run.startup.fault).toMatchObject({ kind: 'rolled_back' });
    expect(run.paged).toBe(true);
    found.push(`roll back to an older backup: rolled_back (${cli.report.fault!.message.slice(0, 60)}…)`);
  });

  it('names a wiped log and markers', async ({ dir, found, startAndPage }) => {
    tamper(dir, 'DELETE FROM audit_log; DELETE FROM audit_meta;');
    const cli = await cliVerify(dir);
    expect(cli.report.fault).toMatchObject({ kind: 'rolled_back', seq: 1 });
    const run = await startAndPage();
    expect(run.startup.fault).toMatchObject({ kind: 'rolled_back' });
    expect(run.paged).toBe(true);
    found.push('wipe log and markers: rolled_back at #1');
  });

  it('the CLI prints a report for a database file that is no database at all', async ({ dir }) => {
    for (const f of ['console.db-wal', 'console.db-shm']) rmSync(join(dir, f), { force: true });
    writeFileSync(join(dir, 'console.db'), randomBytes(8192));
    const cli = await cliVerify(dir);
    expect(cli.code).toBe(2);
    expect(cli.report).toMatchObject({ ok: false, fault: { kind: 'unreadable' } });
  });

  it('the real CLI prints its report whatever it finds (forged head row)', async ({ dir, golden }) => {
    tamper(dir, `INSERT INTO audit_log VALUES (${golden.head + 1}, '2026-11-23T03:00:00.000Z', 'x', 'y', 'incident', 'z', '{}', 'p', 'q');`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/audit/cli.ts', 'verify', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({ ok: false, fault: { kind: 'inserted', seq: golden.head + 1 } });
  }, 30_000);
});

describe('a running console whose database gets a forged row while alerts arrive', () => {
  consoleTest('keeps paging, moves its records to a segment and pages the audit break', async ({ dir, oncall, pages, boot }) => {
    const s = oncall.services();
    for (let i = 0; i < 5; i++) s.intake.receive('relay-x', [alert(`live-${i}`)]);
    const head = s.audit.stats().lastSeq;
    tamper(dir, `INSERT INTO audit_log VALUES (${head + 1}, '2026-11-23T03:00:00.000Z', 'dr.mallory', 'incident.acknowledged', 'incident', 'MAI-1', '{}', 'p', 'q');`);
    const after = alert('after-forgery', 'SEV1');
    s.intake.receive('relay-x', [after]);
    await new Promise((r) => setTimeout(r, 100));
    const inc = s.incidents.findOpen(after.key);
    expect(inc).not.toBeNull();
    expect(pages.some((p) => p.incidentId === inc!.id)).toBe(true);
    expect(s.audit.segment).not.toBeNull();
    expect(s.incidents.findOpen('audit:integrity')).toMatchObject({ severity: 'SEV1' });
    expect(oncall.status().audit.segment).not.toBeNull();
    await oncall.stop();
    // and it starts again
    const again = await boot();
    expect(again.services().audit.blocker()).toMatchObject({ kind: 'inserted', seq: head + 1 });
  });
});
