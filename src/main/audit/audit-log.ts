import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
import { FaultSegments, memorySegmentKeys, type SegmentKeyStore } from './fault-segment.js';

/** Below this many records a second thread costs more than it saves. */
export const PARALLEL_VERIFY_MIN = 200_000;

export const GENESIS_HASH = '0'.repeat(64);
export const MIN_RETENTION_YEARS = 7;
const REQUIRED_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_append_only', 'audit_meta_no_delete', 'audit_meta_guard'];
/** Start-up verification covers at least this many of the newest records. */
export const STARTUP_VERIFY_MIN = 10_000;

export interface AuditLogOptions {
  /** keys of fault segments (default: in memory, for tests) */
  segmentKeys?: SegmentKeyStore;
  /** the last checkpoint kept outside the database (beside the key) */
  checkpointFile?: string;
}
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
/** full: from the anchor; incremental: from the last checkpoint; startup: at least the last 10,000 records or since the last full run. */
export type VerifyMode = 'full' | 'incremental' | 'startup';
interface Prelude {
  start: Mark;
  /** null when the head marker is missing or fails its MAC */
  head: Mark | null;
  /** a marker fault, reported only when the walk itself finds nothing earlier */
  markerFault: AuditFault | null;
}

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
  private readonly mac: Hmac | null;
  private readonly segments: FaultSegments;
  private readonly faultListeners = new Set<(fault: AuditFault) => void>();
  private pendingFault: AuditFault | null = null;
  private lastBlocker: AuditFault | null = null;
  /** a rollback shown by a checkpoint held outside this machine (the relay): reported by every later verification */
  private externalFault: AuditFault | null = null;
  private readonly listeners = new Set<(lastSeq: number) => void>();
  private pendingNotify = 0;
  private lastReport: AuditVerifyReport | null = null;
  private readonly stmts;

  /** how hard audit details are masked (from the resilience profile) */
  phiLevel: PhiLevel = 'STRICT';

  constructor(
    private readonly db: Db,
    key: Buffer | null,
    private readonly clock: Clock,
    private readonly options: AuditLogOptions = {},
  ) {
    this.mac = key ? new Hmac(key) : null;
    this.segments = new FaultSegments(db, clock, options.segmentKeys ?? memorySegmentKeys());
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
      maxSeq: db.prepare('SELECT max(seq) FROM audit_log').pluck(),
      minSeq: db.prepare('SELECT min(seq) FROM audit_log').pluck(),
    };
    try {
      this.initMeta();
    } catch (err) {
      // a damaged marker table is a fault to report and route around, never a reason not to start
      this.lastBlocker = { kind: 'marker_missing', seq: 0, message: `the audit markers cannot be read or written (${(err as Error).message.slice(0, 120)})` };
    }
  }

  /** Listeners hear (after the commit) when records start going to a fault segment. */
  onFault(listener: (fault: AuditFault) => void): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  /**
   * Why the main chain cannot be extended safely now, or null. Checked on
   * every append: the key, the key check, the head marker and its MAC, and
   * that the log ends exactly at the head (a row forged after it, or a cut).
   */
  blocker(): AuditFault | null {
    if (!this.mac) return { kind: 'key_missing', seq: 0, message: 'the audit key is missing while the log holds records: restore audit.key from the backup made with the database' };
    const check = this.stmts.meta.get('keycheck') as { hash: string } | undefined;
    if (!check) return { kind: 'marker_missing', seq: 0, message: 'the audit key check marker was removed from the database' };
    if (!sameHex(check.hash, this.mac.hex(KEY_CHECK_LABEL))) {
      return { kind: 'wrong_key', seq: 0, message: 'the audit key in use is not the key this audit log was written with' };
    }
    const head = this.readMetaChecked('head');
    if (!head) return { kind: 'marker_missing', seq: 0, message: 'the audit head marker was removed from the database' };
    if (!head.valid) return { kind: 'head_tampered', seq: head.mark.seq, message: 'the audit head marker was altered outside the console' };
    const max = this.stmts.maxSeq.get() as number | null;
    if (max !== null && max > head.mark.seq) return { kind: 'inserted', seq: head.mark.seq + 1, message: `record #${head.mark.seq + 1} was added to the log outside the console` };
    if (head.mark.seq > 0 && max !== null && max < head.mark.seq) return { kind: 'truncated', seq: max + 1, message: `the log ends at #${max}, before its head #${head.mark.seq}` };
    if (head.mark.seq > 0 && max !== null) {
      const row = this.stmts.bySeq.get(head.mark.seq) as { hash: string } | undefined;
      if (!row || !sameHex(row.hash, head.mark.hash)) return { kind: 'edited', seq: head.mark.seq, message: `record #${head.mark.seq}, the last one written, was changed` };
    }
    return null;
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
    const fault = this.pendingFault;
    this.pendingFault = null;
    if (fault) for (const l of this.faultListeners) l(fault);
  }

  /** The segment records go to now (null: the main chain). */
  get segment(): number | null {
    return this.segments.current;
  }

  private appendInTransaction(entry: AuditEntry): AuditRecord {
    const blocker = this.blocker();
    if (blocker) {
      const details = canonicalJson(maskPhiDeep(entry.details ?? {}, this.phiLevel));
      const fresh = this.segments.current === null || this.lastBlocker?.kind !== blocker.kind;
      const record = this.segments.append({ ts: isoTime(this.clock.now()), operator: entry.operator, action: entry.action, subjectType: entry.subjectType, subjectId: entry.subjectId, details }, blocker);
      if (fresh) this.pendingFault = blocker;
      this.lastBlocker = blocker;
      return record;
    }
    if (this.segments.current !== null) this.segments.close();
    this.lastBlocker = null;
    return this.appendMain(entry);
  }

  private appendMain(entry: AuditEntry): AuditRecord {
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
    return recordMac(createHmac, this.key, seq, r.ts, r.operator, r.action, r.subjectType, r.subjectId, r.details, r.prevHash);
  }

  // ---------------------------------------------------------------- meta rows

  /** Only reached on paths the blocker has cleared (a key is present). */
  private get key(): Buffer {
    if (!this.mac) throw new ConsoleError('E_AUDIT_KEY_MISSING', 'integrity', 'the audit key is missing');
    return this.mac.key;
  }

  private metaMac(name: string, m: Mark): string {
    return createHmac('sha256', this.key).update(JSON.stringify(['meta', name, m.seq, m.hash])).digest('hex');
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
    if (!this.mac) return;
    const keyCheck = this.mac.hex(KEY_CHECK_LABEL);
    this.db.transaction(() => {
      if (!this.stmts.meta.get('keycheck')) {
        const anyRecords = (this.stmts.count.get() as { n: number }).n > 0;
        if (anyRecords) return; // reported by blocker() and verify(): never a reason not to start
        if (this.stmts.meta.get('head')) return; // markers without a key check: reported, not rebuilt
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
    return this.mac !== null && row !== undefined && sameHex(row.hash, this.mac.hex(KEY_CHECK_LABEL));
  }

  // ---------------------------------------------------------------- verifying

  /**
   * Walk the chain and report the first bad record. `incremental` starts at
   * the last verified checkpoint (start-up); `full` starts at the anchor.
   * A passing run moves the checkpoint forward.
   */
  verify(mode: VerifyMode = 'full'): AuditVerifyReport {
    const started = performance.now();
    let report: AuditVerifyReport;
    try {
      const prelude = this.verifyPrelude(mode, started);
      if ('report' in prelude) report = prelude.report;
      else {
        const rows = this.stmts.rowsAfter.raw(true).iterate(prelude.start.seq) as IterableIterator<ChainRow>;
        const walk = walkChain(rows, prelude.start.seq, prelude.start.hash, (r) => this.rowMac(r));
        report = this.conclude(mode, started, prelude, walk);
      }
    } catch (err) {
      // an unreadable row or table is itself the finding: verification always reports
      report = this.makeReport(mode, started, { kind: 'unreadable', seq: 0, message: `the audit log could not be read to the end (${(err as Error).message.slice(0, 160)})` }, 0, 0, 0);
    }
    return this.withSegments(report);
  }

  private withSegments(report: AuditVerifyReport): AuditVerifyReport {
    if (this.segments.count() === 0) return report;
    const r = { ...report, segments: this.segments.verify() };
    this.lastReport = r;
    return r;
  }

  /**
   * As verify(), but a long walk is split across two threads (the second half
   * in a worker on its own read-only connection). Used by on-demand verifies.
   */
  async verifyAsync(mode: VerifyMode = 'full', parallelMin = PARALLEL_VERIFY_MIN): Promise<AuditVerifyReport> {
    const started = performance.now();
    let prelude;
    try {
      prelude = this.verifyPrelude(mode, started);
    } catch {
      return this.verify(mode);
    }
    if ('report' in prelude) return this.withSegments(prelude.report);
    const { start, head } = prelude;
    if (!head) return this.verify(mode);
    const file = this.db.name;
    const span = head.seq - start.seq;
    const mid = start.seq + Math.floor(span / 2);
    const midRow = this.stmts.bySeq.get(mid) as { hash: string } | undefined;
    if (span < parallelMin || this.db.memory || !midRow) return this.verify(mode);

    // The first half proves record #mid authentic; the second starts from its hash.
    const second = walkInWorker(file, this.key, mid, midRow.hash, Number.MAX_SAFE_INTEGER);
    const firstRows = this.db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq`).raw(true).iterate(start.seq, mid) as IterableIterator<ChainRow>;
    const first = walkChain(firstRows, start.seq, start.hash, (r) => this.rowMac(r));
    const rest = await second;
    if (first.stop || first.lastSeq !== mid) return this.withSegments(this.conclude(mode, started, prelude, first));
    const joined: WalkResult = { ...rest, checked: first.checked + rest.checked };
    return this.withSegments(this.conclude(mode, started, prelude, joined));
  }

  private rowMac(r: ChainRow): string {
    return recordMac(createHmac, this.key, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
  }

  private makeReport(mode: VerifyMode, started: number, fault: AuditFault | null, fromSeq: number, toSeq: number, checked: number): AuditVerifyReport {
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

  /**
   * Key and schema checks, rows outside the chain, and where the walk starts.
   * Markers are judged after the walk, so a tamper is reported at the first
   * record it changed, not at the marker it left inconsistent.
   */
  private verifyPrelude(mode: VerifyMode, started: number): { report: AuditVerifyReport } | Prelude {
    const report = (fault: AuditFault, seq = 0) => ({ report: this.makeReport(mode, started, fault, seq, seq, 0) });
    const first = (this.stmts.minSeq.get() as number | null) ?? 1;
    if (!this.mac) return report({ kind: 'key_missing', seq: first, message: 'the audit key is missing: no record can be checked until audit.key is restored from the backup made with the database' }, first);
    const check = this.stmts.meta.get('keycheck');
    if (check && !this.keyMatches()) {
      return report({ kind: 'wrong_key', seq: first, message: 'the audit key in use is not the key this audit log was written with; no record can be trusted until the right key is restored' }, first);
    }
    const triggers = new Set(
      (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_meta')`).all() as { name: string }[]).map((t) => t.name),
    );
    const missing = REQUIRED_TRIGGERS.filter((t) => !triggers.has(t));
    if (missing.length > 0) return report({ kind: 'schema', seq: 0, message: `the append-only trigger(s) ${missing.join(', ')} were removed from the database` });

    const marker = (name: string) => {
      const m = this.readMetaChecked(name);
      if (!m) return { mark: null, fault: { kind: 'marker_missing' as const, seq: 0, message: `the audit ${name} marker was removed from the database` } };
      if (!m.valid) return { mark: null, fault: { kind: 'head_tampered' as const, seq: m.mark.seq, message: `the audit ${name} marker was altered outside the console` } };
      return { mark: m.mark, fault: null };
    };
    const anchor = marker('anchor');
    const head = marker('head');
    const checkpoint = marker('checkpoint');
    const keycheckFault: AuditFault | null = check ? null : { kind: 'marker_missing', seq: 0, message: 'the audit key check marker was removed from the database' };
    const markerFault = keycheckFault ?? anchor.fault ?? head.fault ?? checkpoint.fault;
    const anchorMark = anchor.mark ?? { seq: 0, hash: GENESIS_HASH };

    // Every row is walked: one at or below the chain's start (seq <= 0 included) was put there by hand.
    const low = this.stmts.minSeq.get() as number | null;
    if (low !== null && low <= anchorMark.seq) {
      return report({ kind: 'forged', seq: low, message: `record #${low} lies before the start of the chain (#${anchorMark.seq + 1}): it was inserted outside the console` }, low);
    }

    let start = anchorMark;
    if (mode !== 'full' && head.mark && checkpoint.mark && checkpoint.mark.seq > anchorMark.seq) {
      let from = checkpoint.mark.seq;
      if (mode === 'startup') {
        const full = this.readMetaChecked('fullcheck');
        const sinceFull = full?.valid ? full.mark.seq : anchorMark.seq;
        from = Math.max(anchorMark.seq, Math.min(from, sinceFull, head.mark.seq - STARTUP_VERIFY_MIN));
      }
      if (from > anchorMark.seq) {
        const row = this.stmts.bySeq.get(from) as (HashedFields & { hash: string }) | undefined;
        if (!row) return report({ kind: 'deleted', seq: from, message: `record #${from}, where this verification starts, is missing` }, from);
        if (this.recordHash(from, row) !== row.hash || (from === checkpoint.mark.seq && !sameHex(row.hash, checkpoint.mark.hash))) {
          return report({ kind: 'edited', seq: from, message: `record #${from}, where this verification starts, was changed since it was verified` }, from);
        }
        start = { seq: from, hash: row.hash };
      }
    }
    return { start, head: head.mark, markerFault };
  }

  /** Turn where the walk stopped into a fault a person can act on. */
  private conclude(mode: VerifyMode, started: number, p: Prelude, walk: WalkResult): AuditVerifyReport {
    const { start, head } = p;
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
      if (head && seq > head.seq) {
        return done({ kind: 'inserted', seq, message: `record #${seq} (${action.slice(0, 60)}) was added after the last record this console wrote (#${head.seq}), without the audit key` }, seq);
      }
      const movedFrom = this.findOriginalPosition(seq, { ts, operator, action, subjectType, subjectId, details, prevHash }, hash);
      // a row that verifies nowhere, followed by what belongs here: slipped in, the rest renumbered
      const next = movedFrom === null ? (this.stmts.bySeq.get(seq + 1) as (HashedFields & { hash: string }) | undefined) : undefined;
      if (next && this.recordHash(seq, next) === next.hash) {
        return done({ kind: 'inserted', seq, message: `record #${seq} (${action.slice(0, 60)}) was inserted into the log; the records after it were renumbered` }, seq);
      }
      return done(
        movedFrom !== null
          ? { kind: 'reordered', seq, message: `record #${seq} holds record #${movedFrom}: records were reordered` }
          : { kind: 'edited', seq, message: `record #${seq} (${action.slice(0, 60)}) was edited after it was written` },
        seq,
      );
    }
    if (stop?.type === 'link') {
      return done({ kind: 'reordered', seq: stop.seq, message: `record #${stop.seq} does not follow record #${stop.seq - 1}: records were reordered or replaced` }, stop.seq);
    }

    const lastSeq = walk.lastSeq;
    if (head && head.seq > lastSeq) {
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
    if (head && head.seq < lastSeq) {
      return done({ kind: 'inserted', seq: head.seq + 1, message: `records after #${head.seq}, the last one this console wrote, were added` }, lastSeq);
    }
    if (head && head.hash !== walk.lastHash) {
      return done({ kind: 'edited', seq: Math.min(head.seq + 1, lastSeq), message: `the log's end does not match the last record this console wrote (#${head.seq})` }, lastSeq);
    }
    if (p.markerFault) return done(p.markerFault, lastSeq);
    const outside = this.checkOutsideCheckpoint(lastSeq, walk.lastHash) ?? this.externalFault;
    if (outside) return done(outside, lastSeq);
    if (lastSeq > 0 || this.readMetaChecked('checkpoint')) this.writeMeta('checkpoint', { seq: lastSeq, hash: walk.lastHash });
    if (mode === 'full') this.writeMeta('fullcheck', { seq: lastSeq, hash: walk.lastHash });
    return done(null, lastSeq);
  }

  // ---------------------------------------------------------------- the checkpoint outside the database

  private checkpointMac(seq: number, hash: string, at: string): string {
    return createHmac('sha256', this.key).update(JSON.stringify(['checkpoint-file/v1', seq, hash, at])).digest('hex');
  }

  /**
   * Keep the head outside the database (beside the key), so that rolling the
   * database back to an older copy, or wiping the log and its markers, shows.
   * Written only while the main chain is healthy.
   */
  writeCheckpointFile(): boolean {
    const file = this.options.checkpointFile;
    const c = this.checkpoint();
    if (!file || !c) return false;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(c) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  }

  /** The head, signed with the audit key, for keeping outside the database (the file, the relay); null while the chain is faulty. */
  checkpoint(): { seq: number; hash: string; at: string; mac: string } | null {
    if (this.blocker()) return null;
    const head = this.readMeta('head');
    const at = isoTime(this.clock.now());
    return { seq: head.seq, hash: head.hash, at, mac: this.checkpointMac(head.seq, head.hash, at) };
  }

  /**
   * Compare the log with the checkpoint the relay kept for this console: a
   * log that ends before it, or holds another record there, was rolled back or
   * replaced. A checkpoint that does not carry this key's MAC is ignored.
   */
  checkExternalCheckpoint(c: { seq: number; hash: string; at: string; mac: string }, holder: string): AuditFault | null {
    if (!this.mac || !sameHex(c.mac, this.checkpointMac(c.seq, c.hash, c.at))) return null;
    const last = (this.stmts.maxSeq.get() as number | null) ?? 0;
    let fault: AuditFault | null = null;
    if (c.seq > last) fault = { kind: 'rolled_back', seq: last + 1, message: `the log ends at #${last}, but the checkpoint held by ${holder} since ${c.at} is at #${c.seq}: the database was rolled back, truncated or wiped` };
    else {
      const row = this.stmts.bySeq.get(c.seq) as { hash: string } | undefined;
      if (c.seq > 0 && (!row || !sameHex(row.hash, c.hash))) fault = { kind: 'rolled_back', seq: c.seq, message: `record #${c.seq} is not the one the checkpoint held by ${holder} since ${c.at} names: the log was replaced` };
    }
    if (fault) {
      this.externalFault = fault;
      this.lastReport = this.makeReport('full', performance.now(), fault, fault.seq, fault.seq, 0);
    }
    return fault;
  }

  /** Compare the walked log with the checkpoint file: a log that ends before it was rolled back or cut. */
  private checkOutsideCheckpoint(lastSeq: number, lastHash: string): AuditFault | null {
    const file = this.options.checkpointFile;
    if (!file || !existsSync(file)) return null;
    let c: { seq: number; hash: string; at: string; mac: string };
    try {
      c = JSON.parse(readFileSync(file, 'utf8')) as typeof c;
      if (typeof c.seq !== 'number' || typeof c.hash !== 'string' || typeof c.at !== 'string' || typeof c.mac !== 'string') throw new Error('fields');
    } catch {
      return { kind: 'head_tampered', seq: lastSeq, message: `the audit checkpoint file ${file} is unreadable` };
    }
    if (!sameHex(c.mac, this.checkpointMac(c.seq, c.hash, c.at))) return { kind: 'head_tampered', seq: lastSeq, message: `the audit checkpoint file ${file} was altered` };
    if (c.seq > lastSeq) {
      return { kind: 'rolled_back', seq: lastSeq + 1, message: `the log ends at #${lastSeq}, but the checkpoint kept outside the database (written ${c.at}) is at #${c.seq}: the database was rolled back, truncated or wiped` };
    }
    const row = this.stmts.bySeq.get(c.seq) as { hash: string } | undefined;
    if (c.seq > 0 && (!row || !sameHex(row.hash, c.hash))) {
      return { kind: 'rolled_back', seq: c.seq, message: `record #${c.seq} is not the one the checkpoint kept outside the database (written ${c.at}) names: the log was replaced` };
    }
    return null;
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
    return { records: (this.stmts.count.get() as { n: number }).n, lastSeq: (this.stmts.maxSeq.get() as number | null) ?? 0 };
  }

  segmentRecords(): number {
    return this.db.prepare('SELECT count(*) FROM audit_segment_log').pluck().get() as number;
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
    const inFilter = (r: AuditRecord) =>
      (!filter.operator || r.operator === filter.operator) && (!filter.action || r.action === filter.action) && (!filter.since || r.ts >= new Date(filter.since).toISOString()) && (!filter.until || r.ts < new Date(filter.until).toISOString());
    const jsonDetails = (d: string): unknown => {
      try {
        return JSON.parse(d) as unknown;
      } catch {
        return d; // a hand-edited row: exported as stored, flagged by verify
      }
    };
    for (const r of this.iterate(filter)) {
      n++;
      if (format === 'jsonl') lines.push(JSON.stringify({ ...r, details: jsonDetails(r.details) }));
      else lines.push(columns.map((c) => csvCell(String(r[c]))).join(','));
    }
    // records written to fault segments while the main chain could not be extended
    for (const r of this.segments.iterate()) {
      if (!inFilter(r)) continue;
      n++;
      if (format === 'jsonl') lines.push(JSON.stringify({ ...r, details: jsonDetails(r.details) }));
      else lines.push(columns.map((c) => csvCell(c === 'seq' ? `S${r.segment}.${r.seq}` : String(r[c]))).join(','));
    }
    return { content: lines.length ? lines.join('\n') + '\n' : '', records: n };
  }
}

/** RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
