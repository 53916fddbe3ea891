import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AuditLog, type AuditEntry } from '../../src/main/audit/audit-log.js';
import { FileKeyStore, type AuditKeyStore } from '../../src/main/audit/key-store.js';
import { closeDatabase, openDatabase, type Db } from '../../src/main/store/database.js';
import { DATABASE_FILE } from '../../src/main/platform/paths.js';
import type { Clock } from '../../src/shared/clock.js';
import { FakeClock } from '../helpers.js';

export function dbFile(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

export function openAudit(dataDir: string, clock: Clock = new FakeClock(), keyStore: AuditKeyStore = new FileKeyStore(dataDir)): { db: Db; audit: AuditLog; close: () => void } {
  const db = openDatabase(dbFile(dataDir));
  const audit = new AuditLog(db, keyStore.load(), clock);
  return { db, audit, close: () => closeDatabase(db) };
}

export function ack(i: number): AuditEntry {
  return { operator: 'rn.jones', action: 'incident.acknowledged', subjectType: 'incident', subjectId: `MAI-20261122-0800${String(i).padStart(2, '0')}`, details: { note: `ack ${i}` } };
}

/** Write n records and close the database cleanly. */
export function seedAudit(dataDir: string, n: number, clock = new FakeClock()): void {
  const { audit, close } = openAudit(dataDir, clock);
  for (let i = 1; i <= n; i++) {
    audit.append(ack(i));
    clock.advance(1000);
  }
  close();
}

/**
 * Run SQL with Debian's sqlite3 shell, the way someone with file access would:
 * the append-only triggers are dropped first and put back afterwards.
 */
export function tamper(dataDir: string, sql: string, { restoreTriggers = true } = {}): void {
  const file = dbFile(dataDir);
  const names = execFileSync('sqlite3', [file, "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name IN ('audit_log', 'audit_meta')"], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const triggers = execFileSync('sqlite3', [file, "SELECT sql || ';' FROM sqlite_master WHERE type='trigger' AND tbl_name IN ('audit_log', 'audit_meta')"], { encoding: 'utf8' });
  const script = [
    ...names.map((n) => `DROP TRIGGER IF EXISTS ${n};`),
    sql,
    restoreTriggers ? triggers : '',
  ].join('\n');
  execFileSync('sqlite3', [file], { input: script, encoding: 'utf8' });
}
