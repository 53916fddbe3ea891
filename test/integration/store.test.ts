import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect } from 'vitest';
import { openDatabase, closeDatabase, schemaVersion } from '../../src/main/store/database.js';
import { MIGRATIONS } from '../../src/main/store/migrations.js';
import { consoleTest } from '../support/fixtures.js';

describe('local store', () => {
  consoleTest('opens in WAL mode with foreign keys, a busy timeout, synchronous=FULL and every migration applied', ({ dir }) => {
    const db = openDatabase(join(dir, 'console.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    closeDatabase(db);
  });

  consoleTest('applies only the migrations a database lacks, in order', ({ dir }) => {
    const file = join(dir, 'console.db');
    const extra = { version: MIGRATIONS.at(-1)!.version + 1, name: 'test table', sql: 'CREATE TABLE later (x INTEGER);' };
    closeDatabase(openDatabase(file));
    const db = openDatabase(file, { migrations: [...MIGRATIONS, extra] });
    expect(schemaVersion(db)).toBe(extra.version);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'later'`).pluck().get()).toBe(1);
    closeDatabase(db);
  });

  consoleTest('upgrades a version-7 database: incident category from its first alert, times in ms, kept by triggers afterwards', ({ dir }) => {
    const file = join(dir, 'console.db');
    const v7 = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 7) });
    v7.prepare(`INSERT INTO feed_alert VALUES ('r', 1, 'k', 'firing', 'SEV2', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', ?)`).run(JSON.stringify({ labels: { category: 'model_degradation' } }));
    v7.prepare(`INSERT INTO incident (id, key, severity, service, summary, source, state, opened_at, acknowledged_at, updated_at)
                VALUES ('MAI-20261101-000000', 'k', 'SEV2', 'model', 's', 'native', 'acknowledged', '2026-11-01T00:00:00.000Z', '2026-11-01T00:04:00.250Z', '2026-11-01T00:04:00.250Z')`).run();
    v7.prepare(`INSERT INTO incident_alert VALUES ('r', 1, 'MAI-20261101-000000')`).run();
    closeDatabase(v7);

    const db = openDatabase(file);
    const row = () => db.prepare('SELECT category, opened_ms, acknowledged_ms, resolved_ms FROM incident').get();
    expect(row()).toEqual({ category: 'model_degradation', opened_ms: Date.parse('2026-11-01T00:00:00.000Z'), acknowledged_ms: Date.parse('2026-11-01T00:04:00.250Z'), resolved_ms: null });
    db.prepare(`UPDATE incident SET state = 'resolved', resolved_at = '2026-11-01T01:00:00.001Z'`).run();
    expect(row()).toMatchObject({ resolved_ms: Date.parse('2026-11-01T01:00:00.001Z') });
    closeDatabase(db);
  });

  consoleTest('refuses a database written by a newer console', ({ dir }) => {
    const file = join(dir, 'console.db');
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => openDatabase(file)).toThrow(/E_STORE_TOO_NEW: the database has schema version 999/);
  });

  consoleTest('refuses to start on a corrupt database file with a clear error', async ({ dir, boot }) => {
    writeFileSync(join(dir, 'console.db'), Buffer.alloc(8192, 0x5a));
    await expect(boot()).rejects.toThrow(/E_STORE_CORRUPT: the database at .* is unreadable or damaged/);
  });

  consoleTest('writes "console started" and "console stopped", checkpoints the WAL, and starts next time from the checkpoint', async ({ dir, boot }) => {
    const first = await boot();
    first.services().operator.signIn('rn.jones', 'Rita Jones');
    await first.stop();
    const wal = join(dir, 'console.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);

    const second = await boot();
    const s = second.services();
    // not "0 checked" after a clean stop: start-up covers the newest 10,000 records (here: all four)
    expect(s.startupVerification).toMatchObject({ ok: true, mode: 'startup', fromSeq: 1, checked: 4 });
    const actions = s.audit.list({}, 10).records.map((r) => r.action).reverse();
    expect(actions).toEqual(['console.started', 'operator.registered', 'operator.signed_in', 'console.stopped', 'console.started']);
  });

  consoleTest('keeps the audit key outside the database, readable only by its owner', async ({ dir, boot }) => {
    await (await boot()).stop();
    const key = join(dir, 'audit.key');
    expect(statSync(key).size).toBe(32);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });
});
