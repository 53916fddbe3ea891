import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import { maskPhiDeep, type PhiLevel } from '../../shared/phi.js';
import type {
  AuditExportFormat,
  AuditFault,
  AuditRecord,
  AuditSubjectType,
  AuditVerifyReport,
} from '../../shared/domain/audit.js';
import type { Db } from '../store/database.js';
import { CHAIN_COLUMNS, recordMac, walkChain, type ChainRow, type WalkResult } from './chain-walk.js';
import { walkInWorker } from './verify-worker.js';

/** Below this many records a second thread costs more than it saves. */
export const PARALLEL_VERIFY_MIN = 200_000;

export const GENESIS_HASH = '0'.repeat(64);
export const MIN_RETENTION_YEARS = 7;
const REQUIRED_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete'];
const KEY_CHECK_LABEL = 'medical-ai-oncall-console/audit-key-check/v1';

export interface AuditEntry {
  operator: string;
  action: string;
  subjectType: AuditSubjectType;
  subjectId: string;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  operator?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  beforeSeq?: number | undefined;
}

/** The stored fields a record's hash covers (besides its seq). */
interface HashedFields {
  ts: string;
  operator: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: string;
  prevHash: string;
}

type Mark = { seq: number; hash: string };

/** HMAC-SHA-256 under the audit key, for the meta rows and the key check. */
class Hmac {
  constructor(readonly key: Buffer) {}
  hex(message: string): string {
    return createHmac('sha256', this.key).update(message).digest('hex');
  }
}

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * The hash-chained, append-only audit trail (HIPAA 45 CFR 164.312(b), (c)).
 * Each record's hash is an HMAC over its canonical encoding and the previous
 * record's hash; the key lives outside the database.
 */
export class AuditLog {
  private readonly mac: Hmac;
  private readonly listeners = new Set<(lastSeq: number) => void>();
  private pendingNotify = 0;
  private lastReport: AuditVerifyReport | null = null;
  private readonly stmts;

  /** how hard audit details are masked (from the resilience profile) */
  phiLevel: PhiLevel = 'STRICT';

  constructor(
    private readonly db: Db,
    key: Buffer,
    private readonly clock: Clock,
  ) {
    this.mac = new Hmac(key);
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO audit_log (seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      meta: db.prepare(`SELECT seq, hash, mac FROM audit_meta WHERE name = ?`),
      setMeta: db.prepare(
        `INSERT INTO audit_meta (name, seq, hash, mac) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`,
      ),
      count: db.prepare(`SELECT count(*) AS n FROM audit_log`),
      bySeq: db.prepare(
        `SELECT ts, operator, action, subject_type AS subjectType, subject_id AS subjectId, details,
                prev_hash AS prevHash, hash
         FROM audit_log WHERE seq = ?`,
      ),
      rowsAfter: db.prepare(
        `SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq`,
      ),
    };
    this.initMeta();
  }

  // ---------------------------------------------------------------- writing

  /** Append one record in its own (or the caller's) transaction. */
  append(entry: AuditEntry): AuditRecord {
    return this.commit(entry, () => undefined).record;
  }

  /**
   * The one write path: run a state change and its audit record in one
   * transaction. Listeners hear about it only after the commit.
   */
  commit<T>(entry: AuditEntry, change: (db: Db) => T): { result: T; record: AuditRecord } {
    const run = this.db.transaction(() => {
      const result = change(this.db);
      const record = this.appendInTransaction(entry);
      return { result, record };
    });
    const out = run.immediate();
    this.pendingNotify = out.record.seq;
    if (!this.db.inTransaction) this.flushNotify();
    return out;
  }

  /** Append several records in one transaction (used for batched writes). */
  appendBatch(entries: AuditEntry[]): AuditRecord[] {
    const run = this.db.transaction(() => entries.map((e) => this.appendInTransaction(e)));
    const records = run.immediate();
    if (records.length > 0) {
      this.pendingNotify = records.at(-1)!.seq;
      if (!this.db.inTransaction) this.flushNotify();
    }
    return records;
  }

  /**
   * Run several audited changes (each through commit/append) in one
   * transaction; listeners hear once, after the outer commit.
   */
  transaction<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    if (!this.db.inTransaction) this.flushNotify();
    return result;
  }

  onAppended(listener: (lastSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flushNotify(): void {
    const seq = this.pendingNotify;
    this.pendingNotify = 0;
    if (seq > 0) for (const l of this.listeners) l(seq);
  }

  private appendInTransaction(entry: AuditEntry): AuditRecord {
    const head = this.readMeta('head');
    const details = canonicalJson(maskPhiDeep(entry.details ?? {}, this.phiLevel));
    const record: AuditRecord = {
      seq: head.seq + 1,
      ts: isoTime(this.clock.now()),
      operator: entry.operator,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details,
      prevHash: head.hash,
      hash: '',
    };
    record.hash = this.recordHash(record.seq, record);
    this.stmts.insert.run(
      record.seq,
      record.ts,
      record.operator,
      record.action,
      record.subjectType,
      record.subjectId,
      record.details,
      record.prevHash,
      record.hash,
    );
    this.writeMeta('head', { seq: record.seq, hash: record.hash });
    return record;
  }

  private recordHash(seq: number, r: HashedFields): string {
    return recordMac(createHmac, this.mac.key, seq, r.ts, r.operator, r.action, r.subjectType, r.subjectId, r.details, r.prevHash);
  }

  // ---------------------------------------------------------------- meta rows

  private metaMac(name: string, m: Mark): string {
    return this.mac.hex(JSON.stringify(['meta', name, m.seq, m.hash]));
  }

  private readMeta(name: string): Mark {
    const row = this.stmts.meta.get(name) as { seq: number; hash: string } | undefined;
    if (!row) throw new ConsoleError('E_AUDIT_META', 'integrity', `the audit ${name} row is missing`);
    return { seq: row.seq, hash: row.hash };
  }

  private readMetaChecked(name: string): { mark: Mark; valid: boolean } | null {
    const row = this.stmts.meta.get(name) as { seq: number; hash: string; mac: string } | undefined;
    if (!row) return null;
    const mark = { seq: row.seq, hash: row.hash };
    return { mark, valid: sameHex(row.mac, this.metaMac(name, mark)) };
  }

  private writeMeta(name: string, m: Mark): void {
    this.stmts.setMeta.run(name, m.seq, m.hash, this.metaMac(name, m));
  }

  private initMeta(): void {
    const keyCheck = this.mac.hex(KEY_CHECK_LABEL);
    this.db.transaction(() => {
      if (!this.stmts.meta.get('keycheck')) {
        const anyRecords = (this.stmts.count.get() as { n: number }).n > 0;
        if (anyRecords) {
          throw new ConsoleError('E_AUDIT_META', 'integrity', 'the audit key check row is missing from a non-empty audit log');
        }
        this.stmts.setMeta.run('keycheck', 0, keyCheck, keyCheck);
        this.writeMeta('anchor', { seq: 0, hash: GENESIS_HASH });
        this.writeMeta('head', { seq: 0, hash: GENESIS_HASH });
        this.writeMeta('checkpoint', { seq: 0, hash: GENESIS_HASH });
      }
    }).immediate();
  }

  /** True when the key in use is the one the chain was written with. */
  keyMatches(): boolean {
    const row = this.stmts.meta.get('keycheck') as { hash: string } | undefined;
    return row !== undefined && sameHex(row.hash, this.mac.hex(KEY_CHECK_LABEL));
  }

  // ---------------------------------------------------------------- verifying

  /**
   * Walk the chain and report the first bad record. `incremental` starts at
   * the last verified checkpoint (start-up); `full` starts at the anchor.
   * A passing run moves the checkpoint forward.
   */
  verify(mode: 'full' | 'incremental' = 'full'): AuditVerifyReport {
    const started = performance.now();
    const prelude = this.verifyPrelude(mode, started);
    if ('report' in prelude) return prelude.report;
    const rows = this.stmts.rowsAfter.raw(true).iterate(prelude.start.seq) as IterableIterator<ChainRow>;
    const walk = walkChain(rows, prelude.start.seq, prelude.start.hash, (r) => this.rowMac(r));
    return this.conclude(mode, started, prelude.start, prelude.head, walk);
  }

  /**
   * As verify(), but a long walk is split across two threads (the second half
   * in a worker on its own read-only connection). Used by on-demand verifies.
   */
  async verifyAsync(mode: 'full' | 'incremental' = 'full', parallelMin = PARALLEL_VERIFY_MIN): Promise<AuditVerifyReport> {
    const started = performance.now();
    const prelude = this.verifyPrelude(mode, started);
    if ('report' in prelude) return prelude.report;
    const { start, head } = prelude;
    const file = this.db.name;
    const span = head.seq - start.seq;
    const mid = start.seq + Math.floor(span / 2);
    const midRow = this.stmts.bySeq.get(mid) as { hash: string } | undefined;
    if (span < parallelMin || this.db.memory || !midRow) return this.verify(mode);

    // The first half proves record #mid authentic; the second starts from its hash.
    const second = walkInWorker(file, this.mac.key, mid, midRow.hash, Number.MAX_SAFE_INTEGER);
    const firstRows = this.db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq`).raw(true).iterate(start.seq, mid) as IterableIterator<ChainRow>;
    const first = walkChain(firstRows, start.seq, start.hash, (r) => this.rowMac(r));
    const rest = await second;
    if (first.stop || first.lastSeq !== mid) return this.conclude(mode, started, start, head, first);
    const joined: WalkResult = { ...rest, checked: first.checked + rest.checked };
    return this.conclude(mode, started, start, head, joined);
  }

  private rowMac(r: ChainRow): string {
    return recordMac(createHmac, this.mac.key, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
  }

  private makeReport(mode: 'full' | 'incremental', started: number, fault: AuditFault | null, fromSeq: number, toSeq: number, checked: number): AuditVerifyReport {
    const r: AuditVerifyReport = {
      ok: fault === null,
      mode,
      checked,
      fromSeq,
      toSeq,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      verifiedAt: isoTime(this.clock.now()),
      fault,
    };
    this.lastReport = r;
    return r;
  }

  /** Key, schema and marker checks; where the walk starts and must end. */
  private verifyPrelude(mode: 'full' | 'incremental', started: number): { report: AuditVerifyReport } | { start: Mark; head: Mark } {
    const report = (fault: AuditFault, seq = 0) => ({ report: this.makeReport(mode, started, fault, seq, seq, 0) });

    if (!this.keyMatches()) {
      const first = (this.db.prepare('SELECT min(seq) AS s FROM audit_log').get() as { s: number | null }).s ?? 1;
      return report(
        {
          kind: 'wrong_key',
          seq: first,
          message: 'the audit key in use is not the key this audit log was written with; no record can be trusted until the right key is restored',
        },
        first,
      );
    }

    const triggers = new Set(
      (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).all() as { name: string }[]).map((t) => t.name),
    );
    const missing = REQUIRED_TRIGGERS.filter((t) => !triggers.has(t));
    if (missing.length > 0) {
      return report({ kind: 'schema', seq: 0, message: `the append-only trigger(s) ${missing.join(', ')} were removed from the database` });
    }

    const head = this.readMetaChecked('head');
    const anchor = this.readMetaChecked('anchor');
    const checkpoint = this.readMetaChecked('checkpoint');
    for (const [name, m] of [['head', head], ['anchor', anchor], ['checkpoint', checkpoint]] as const) {
      if (!m || !m.valid) {
        return report({ kind: 'head_tampered', seq: m?.mark.seq ?? 0, message: `the audit ${name} marker was altered or removed outside the console` });
      }
    }

    let start = anchor!.mark;
    if (mode === 'incremental' && checkpoint!.mark.seq > start.seq) {
      start = checkpoint!.mark;
      const row = this.stmts.bySeq.get(start.seq) as (HashedFields & { hash: string }) | undefined;
      if (!row) {
        return report({ kind: 'deleted', seq: start.seq, message: `record #${start.seq}, the last verified record, is missing` }, start.seq);
      }
      if (!sameHex(row.hash, start.hash) || this.recordHash(start.seq, row) !== row.hash) {
        return report({ kind: 'edited', seq: start.seq, message: `record #${start.seq}, the last verified record, was changed since it was verified` }, start.seq);
      }
    }
    return { start, head: head!.mark };
  }

  /** Turn where the walk stopped into a fault a person can act on. */
  private conclude(mode: 'full' | 'incremental', started: number, start: Mark, head: Mark, walk: WalkResult): AuditVerifyReport {
    const done = (fault: AuditFault | null, toSeq: number) => this.makeReport(mode, started, fault, start.seq + 1, toSeq, walk.checked);
    const stop = walk.stop;
    if (stop?.type === 'gap') {
      const { expected, got } = stop;
      const last = got - 1;
      return done(
        {
          kind: 'deleted',
          seq: expected,
          message:
            last === expected
              ? `record #${expected} was deleted (the log jumps from #${expected - 1} to #${got})`
              : `records #${expected} to #${last} were deleted (the log jumps from #${expected - 1} to #${got})`,
        },
        got,
      );
    }
    if (stop?.type === 'mac') {
      const [seq, ts, operator, action, subjectType, subjectId, details, prevHash, hash] = stop.row;
      const movedFrom = this.findOriginalPosition(seq, { ts, operator, action, subjectType, subjectId, details, prevHash }, hash);
      return done(
        movedFrom !== null
          ? { kind: 'reordered', seq, message: `record #${seq} holds record #${movedFrom}: records were reordered` }
          : { kind: 'edited', seq, message: `record #${seq} (${action}) was edited after it was written` },
        seq,
      );
    }
    if (stop?.type === 'link') {
      return done({ kind: 'reordered', seq: stop.seq, message: `record #${stop.seq} does not follow record #${stop.seq - 1}: records were reordered or replaced` }, stop.seq);
    }

    const lastSeq = walk.lastSeq;
    if (head.seq > lastSeq) {
      return done(
        {
          kind: 'truncated',
          seq: lastSeq + 1,
          message:
            head.seq === lastSeq + 1
              ? `record #${head.seq}, the last one written, is missing: the log was truncated`
              : `records #${lastSeq + 1} to #${head.seq} are missing: the log was truncated after #${lastSeq}`,
        },
        lastSeq,
      );
    }
    if (head.seq < lastSeq || head.hash !== walk.lastHash) {
      return done(
        { kind: 'edited', seq: Math.min(head.seq + 1, lastSeq), message: `the log's end does not match the last record this console wrote (#${head.seq})` },
        lastSeq,
      );
    }
    this.writeMeta('checkpoint', { seq: lastSeq, hash: walk.lastHash });
    return done(null, lastSeq);
  }

  /** Does this content verify at another position? Then it was moved, not edited. */
  private findOriginalPosition(
    at: number,
    fields: HashedFields,
    hash: string,
  ): number | null {
    const maxSeq = this.readMeta('head').seq;
    const window = 4096;
    for (let d = 1; d <= window; d++) {
      for (const candidate of [at - d, at + d]) {
        if (candidate < 1 || candidate > maxSeq) continue;
        if (this.recordHash(candidate, fields) === hash) return candidate;
      }
    }
    return null;
  }

  lastVerification(): AuditVerifyReport | null {
    return this.lastReport;
  }

  // ---------------------------------------------------------------- reading

  stats(): { records: number; lastSeq: number } {
    return { records: (this.stmts.count.get() as { n: number }).n, lastSeq: this.readMeta('head').seq };
  }

  private where(filter: AuditFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.operator) (clauses.push('operator = ?'), params.push(filter.operator));
    if (filter.action) (clauses.push('action = ?'), params.push(filter.action));
    if (filter.since) (clauses.push('ts >= ?'), params.push(new Date(filter.since).toISOString()));
    if (filter.until) (clauses.push('ts < ?'), params.push(new Date(filter.until).toISOString()));
    if (filter.beforeSeq) (clauses.push('seq < ?'), params.push(filter.beforeSeq));
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Newest first. `total` counts every record matching the filter (ignoring beforeSeq). */
  list(filter: AuditFilter, limit: number): { records: AuditRecord[]; total: number } {
    const w = this.where(filter);
    const rows = this.db
      .prepare(
        `SELECT seq, ts, operator, action, subject_type AS subjectType, subject_id AS subjectId,
                details, prev_hash AS prevHash, hash
         FROM audit_log ${w.sql} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...w.params, limit) as AuditRecord[];
    const t = this.where({ ...filter, beforeSeq: undefined });
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${t.sql}`).get(...t.params) as { n: number }).n;
    return { records: rows, total };
  }

  /** Oldest first, streamed, for exports. */
  *iterate(filter: AuditFilter): Generator<AuditRecord> {
    const w = this.where(filter);
    yield* this.db
      .prepare(
        `SELECT seq, ts, operator, action, subject_type AS subjectType, subject_id AS subjectId,
                details, prev_hash AS prevHash, hash
         FROM audit_log ${w.sql} ORDER BY seq`,
      )
      .iterate(...w.params) as IterableIterator<AuditRecord>;
  }

  // ---------------------------------------------------------------- retention

  /**
   * Remove records older than the retention period (never less than 7 years),
   * as a contiguous prefix, and move the chain's anchor past them. The purge
   * is itself an audit record. The database refuses any younger delete.
   */
  purge(operator: string, retentionYears: number): { purged: number; anchorSeq: number } {
    if (!(retentionYears >= MIN_RETENTION_YEARS)) {
      throw new ConsoleError(
        'E_AUDIT_RETENTION',
        'input',
        `audit retention must be at least ${MIN_RETENTION_YEARS} years (HIPAA); ${retentionYears} was asked`,
      );
    }
    const cutoffDate = new Date(this.clock.now());
    cutoffDate.setUTCFullYear(cutoffDate.getUTCFullYear() - retentionYears);
    const cutoff = cutoffDate.toISOString();

    const { result } = this.commit(
      { operator, action: 'audit.purged', subjectType: 'audit', subjectId: 'audit_log', details: { retentionYears, cutoff } },
      (db) => {
        const firstYoung = (db.prepare('SELECT min(seq) AS s FROM audit_log WHERE ts >= ?').get(cutoff) as { s: number | null }).s;
        const boundary = firstYoung === null ? this.readMeta('head').seq : firstYoung - 1;
        const last = db.prepare('SELECT seq, hash FROM audit_log WHERE seq <= ? ORDER BY seq DESC LIMIT 1').get(boundary) as
          | Mark
          | undefined;
        if (!last) return { purged: 0, anchorSeq: this.readMeta('anchor').seq };
        db.prepare('INSERT INTO audit_purge_gate (open) VALUES (1)').run();
        try {
          const purged = db.prepare('DELETE FROM audit_log WHERE seq <= ?').run(last.seq).changes;
          this.writeMeta('anchor', last);
          if (this.readMeta('checkpoint').seq < last.seq) this.writeMeta('checkpoint', last);
          return { purged, anchorSeq: last.seq };
        } finally {
          db.prepare('DELETE FROM audit_purge_gate').run();
        }
      },
    );
    return result;
  }

  // ---------------------------------------------------------------- export

  export(format: AuditExportFormat, filter: AuditFilter = {}): { content: string; records: number } {
    const lines: string[] = [];
    const columns = ['seq', 'ts', 'operator', 'action', 'subjectType', 'subjectId', 'details', 'prevHash', 'hash'] as const;
    if (format === 'csv') lines.push(columns.join(','));
    let n = 0;
    for (const r of this.iterate(filter)) {
      n++;
      if (format === 'jsonl') lines.push(JSON.stringify({ ...r, details: JSON.parse(r.details) as unknown }));
      else lines.push(columns.map((c) => csvCell(String(r[c]))).join(','));
    }
    return { content: lines.length ? lines.join('\n') + '\n' : '', records: n };
  }
}

/** RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
