import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { ConsoleError } from '../../shared/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;
/** A prepared statement (for services that prepare theirs once). */
export type Statement = Database.Statement<unknown[]>;
/** A connection that may write: the one write path (AuditLog.commit) and the services that change state. */
export type WritableDb = Db;

// Works from the esbuild CJS bundles, tsx and vitest alike.
const requireHere: NodeRequire = typeof require === 'function' ? require : createRequire(import.meta.url);

/** Where better-sqlite3 is, for a worker thread (its source evaluated, so it cannot resolve modules itself) to open its own connection. */
export function sqliteModulePath(): string {
  return requireHere.resolve('better-sqlite3');
}

/** A statement a read-only consumer may run: no `run`, so no INSERT, UPDATE or DELETE through it. */
export interface ReadStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): ReadStatement;
  raw(toggle?: boolean): ReadStatement;
}

/** What read-only consumers (KPIs, the hand-off report, audit reading) get: statements without `run`, no transactions, no exec. */
export interface ReadableDb {
  prepare(sql: string): ReadStatement;
}

export interface OpenOptions {
  /** defaults to the shipped list; tests may pass their own */
  migrations?: Migration[];
  readonly?: boolean;
}

/**
 * Open (creating if needed) the console's database: WAL, foreign keys,
 * busy timeout, synchronous=FULL so a committed human action survives power
 * loss, and every pending migration applied in order.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new ConsoleError('E_STORE_OPEN', 'unavailable', `cannot open the database at ${file} (${(err as Error).message})`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // statement journals (a savepoint's, a statement's with triggers) in memory, not in temporary files:
      // they only undo a statement or savepoint inside an open transaction and are never needed after a crash
      db.pragma('temp_store = MEMORY');
    }
    db.pragma('foreign_keys = ON');
    // Reading the schema fails fast on a file that is not a database; the
    // page-by-page integrity check is O(size) and belongs to a full verify.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!options.readonly) migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    db.close();
    if (err instanceof ConsoleError) throw err;
    throw new ConsoleError(
      'E_STORE_CORRUPT',
      'integrity',
      `the database at ${file} is unreadable or damaged (${(err as Error).message}); restore it from a backup or move it aside`,
    );
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const current = schemaVersion(db);
  const latest = sorted.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new ConsoleError(
      'E_STORE_TOO_NEW',
      'state',
      `the database has schema version ${current}, newer than this console knows (${latest}); upgrade the console`,
    );
  }
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** SQLite's own page-level integrity check (slow on big files: on demand only). */
export function integrityCheck(db: Db): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

/** Checkpoint the WAL into the main file and close. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
