// The hash-chained, append-only audit trail (HIPAA 45 CFR 164.312(b), (c)):
// the one write path (a state change and its record in one transaction), the
// blocker that routes records to a fault segment when the main chain cannot be
// extended safely, the checkpoint kept outside the database, and retention.
// Verifying is in audit-verifier.ts, reading in audit-reader.ts, the key and
// markers in audit-meta.ts.
import { createHmac } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';
import { isoTime, type Clock } from '../../shared/clock.js';
import { maskPhiDeep, type PhiLevel } from '../../shared/phi.js';
import type { AuditExportFormat, AuditFault, AuditRecord, AuditVerifyReport } from '../../shared/domain/audit.js';
import type { Db } from '../store/database.js';
import { UnitOfWork } from '../store/unit-of-work.js';
import { AuditMeta, sameHex } from './audit-meta.js';
import { checkpointMac, compareWithCheckpoint, writeCheckpointFile, type Checkpoint } from './audit-checkpoint.js';
import { AuditReader, type AuditFilter } from './audit-reader.js';
import { AuditVerifier, PARALLEL_VERIFY_MIN } from './audit-verifier.js';
import type { AuditEntry, AuditLogOptions, HashedFields, VerifyMode } from './audit-types.js';

export type { AuditEntry, AuditLogOptions } from './audit-types.js';
import { recordMac } from './chain-walk.js';
import { FaultSegments, memorySegmentKeys } from './fault-segment.js';
import { purgePrefix, retentionCutoff } from './audit-retention.js';

export { GENESIS_HASH } from './audit-meta.js';
export { csvCell, type AuditFilter } from './audit-reader.js';
export { PARALLEL_VERIFY_MIN, STARTUP_VERIFY_MIN, type VerifyMode } from './audit-verifier.js';

export { MIN_RETENTION_YEARS } from './audit-retention.js';

export class AuditLog {
  private readonly meta: AuditMeta;
  private readonly segments: FaultSegments;
  private readonly reader: AuditReader;
  private readonly verifier: AuditVerifier;
  private readonly faultListeners = new Set<(fault: AuditFault) => void>();
  private lastBlocker: AuditFault | null = null;
  /** a rollback shown by a checkpoint held outside this machine (the relay): reported by every later verification */
  private externalFault: AuditFault | null = null;
  private readonly listeners = new Set<(lastSeq: number) => void>();
  private readonly uow: UnitOfWork;
  private readonly stmts;

  /** how hard audit details are masked (from the resilience profile) */
  phiLevel: PhiLevel = 'STRICT';

  constructor(
    private readonly db: Db,
    key: Buffer | null,
    private readonly clock: Clock,
    private readonly options: AuditLogOptions = {},
  ) {
    this.meta = new AuditMeta(db, key);
    this.uow = new UnitOfWork(db);
    this.segments = new FaultSegments(db, clock, options.segmentKeys ?? memorySegmentKeys());
    this.reader = new AuditReader(db, this.segments);
    this.verifier = new AuditVerifier({
      db,
      meta: this.meta,
      segments: this.segments,
      clock,
      checkpointFile: options.checkpointFile,
      recordHash: (seq, r) => this.recordHash(seq, r),
      checkpointMac: (seq, hash, at) => this.checkpointMac(seq, hash, at),
      externalFault: () => this.externalFault,
    });
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO audit_log (seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bySeq: db.prepare(`SELECT hash FROM audit_log WHERE seq = ?`),
      maxSeq: db.prepare('SELECT max(seq) FROM audit_log').pluck(),
      lastRow: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
    };
    try {
      this.meta.init();
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
    if (this.clearIn()) return null;
    return this.meta.blocker();
  }

  /**
   * The transaction (of this log's unit of work) in which the main chain was
   * found clear and records were appended: until it ends, nobody else can
   * write (it holds the write lock), so the later appends in it skip the
   * check, and the head marker is written once, just before the commit.
   */
  private verifiedIn = 0;

  private clearIn(): boolean {
    return this.verifiedIn !== 0 && this.verifiedIn === this.uow.transactionId;
  }

  /** The chain's head: in a transaction that appended, its last record (the marker is written at the commit). */
  private head(): { seq: number; hash: string } {
    if (this.clearIn()) {
      // read, not remembered: a part rolled back inside the transaction (a savepoint of anyone's) takes its records with it
      const row = this.stmts.lastRow.get() as { seq: number; hash: string } | undefined;
      if (row) return row;
    }
    return this.meta.read('head');
  }

  // ---------------------------------------------------------------- writing

  /** Append one record in its own (or the caller's) transaction. */
  append(entry: AuditEntry): AuditRecord {
    if (this.clearIn()) {
      // inside a transaction whose chain is checked: the record is one INSERT, atomic on its own (no savepoint)
      const record = this.appendMain(entry);
      this.notifyAppended(record.seq);
      return record;
    }
    return this.commit(entry, () => undefined).record;
  }

  /**
   * The one write path: run a state change and its audit record in one
   * transaction. Listeners hear about it only after the commit.
   */
  commit<T>(entry: AuditEntry, change: (db: Db) => T): { result: T; record: AuditRecord } {
    const out = this.uow.run(() => {
      const result = change(this.db);
      const record = this.appendInTransaction(entry);
      return { result, record };
    });
    this.notifyAppended(out.record.seq);
    return out;
  }

  /** Append several records in one transaction (used for batched writes). */
  appendBatch(entries: AuditEntry[]): AuditRecord[] {
    const records = this.uow.run(() => entries.map((e) => this.appendInTransaction(e)));
    if (records.length > 0) this.notifyAppended(records.at(-1)!.seq);
    return records;
  }

  /**
   * Run several audited changes (each through commit/append) in one
   * transaction; listeners hear once, after the outer commit.
   */
  transaction<T>(fn: () => T): T {
    return this.uow.run(fn);
  }

  /**
   * Audited changes as a part of the transaction open now, without a savepoint
   * of their own: all or nothing with it (a failure dooms the transaction; see
   * UnitOfWork.join). Their own transaction when none is open.
   */
  join<T>(fn: () => T): T {
    return this.uow.join(fn);
  }

  /**
   * Run `fn` after the outermost commit of the transaction open now (at once
   * when none is), never after a rollback: how a change made inside somebody
   * else's transaction tells its listeners. Each call runs, in order.
   */
  afterCommit(fn: () => void): void {
    this.uow.afterCommit(null, fn);
  }

  onAppended(listener: (lastSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners hear the newest record once, after the outermost commit. */
  private notifyAppended(seq: number): void {
    this.uow.afterCommit('audit.appended', () => {
      for (const l of this.listeners) l(seq);
    });
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
      if (fresh) this.uow.afterCommit('audit.fault', () => {
        for (const l of this.faultListeners) l(blocker);
      });
      this.lastBlocker = blocker;
      return record;
    }
    if (this.segments.current !== null) this.segments.close();
    this.lastBlocker = null;
    const record = this.appendMain(entry);
    // the head marker: once, at the commit, on whatever record is last then (a part rolled back inside leaves the one
    // before it); at once when the transaction is not this log's own
    const tx = this.uow.transactionId;
    if (this.uow.beforeCommit('audit.head', () => this.moveHead())) this.verifiedIn = tx;
    else this.meta.write('head', { seq: record.seq, hash: record.hash });
    return record;
  }

  /** At the commit: the head marker onto the last record, if the records appended in the transaction left one that moved it. */
  private moveHead(): void {
    const last = this.stmts.lastRow.get() as { seq: number; hash: string } | undefined;
    if (!last) return; // every record of the transaction was rolled back, and the log is empty: the marker stays
    const marker = this.meta.read('head');
    if (marker.seq !== last.seq || marker.hash !== last.hash) this.meta.write('head', last);
  }

  private appendMain(entry: AuditEntry): AuditRecord {
    const head = this.head();
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
    return record;
  }

  private recordHash(seq: number, r: HashedFields): string {
    return recordMac(createHmac, this.meta.requireKey(), seq, r.ts, r.operator, r.action, r.subjectType, r.subjectId, r.details, r.prevHash);
  }

  // ---------------------------------------------------------------- the checkpoint outside the database

  private checkpointMac(seq: number, hash: string, at: string): string {
    return checkpointMac(this.meta.requireKey(), seq, hash, at);
  }

  /** Keep the head beside the key (written only while the main chain is healthy). */
  writeCheckpointFile(): boolean {
    const file = this.options.checkpointFile;
    const c = this.checkpoint();
    if (!file || !c) return false;
    writeCheckpointFile(file, c);
    return true;
  }

  /** The head, signed with the audit key, for keeping outside the database (the file, the relay); null while the chain is faulty. */
  checkpoint(): Checkpoint | null {
    if (this.blocker()) return null;
    const head = this.head();
    const at = isoTime(this.clock.now());
    return { seq: head.seq, hash: head.hash, at, mac: this.checkpointMac(head.seq, head.hash, at) };
  }

  /**
   * Compare the log with the checkpoint the relay kept for this console. A
   * checkpoint that does not carry this key's MAC is ignored; a fault found is
   * reported by every later verification.
   */
  checkExternalCheckpoint(c: Checkpoint, holder: string): AuditFault | null {
    if (!this.meta.key || !sameHex(c.mac, this.checkpointMac(c.seq, c.hash, c.at))) return null;
    const last = (this.stmts.maxSeq.get() as number | null) ?? 0;
    const fault = compareWithCheckpoint(c, last, (seq) => (this.stmts.bySeq.get(seq) as { hash: string } | undefined)?.hash, `the checkpoint held by ${holder} since ${c.at}`);
    if (fault) {
      this.externalFault = fault;
      this.verifier.makeReport('full', performance.now(), fault, fault.seq, fault.seq, 0);
    }
    return fault;
  }

  // ---------------------------------------------------------------- verifying and reading (delegated)

  /** True when the key in use is the one the chain was written with. */
  keyMatches(): boolean {
    return this.meta.keyMatches();
  }

  /** Walk the chain and report the first bad record (see AuditVerifier). */
  verify(mode: VerifyMode = 'full'): AuditVerifyReport {
    return this.verifier.verify(mode);
  }

  verifyAsync(mode: VerifyMode = 'full', parallelMin = PARALLEL_VERIFY_MIN): Promise<AuditVerifyReport> {
    return this.verifier.verifyAsync(mode, parallelMin);
  }

  lastVerification(): AuditVerifyReport | null {
    return this.verifier.lastVerification();
  }

  stats(): { records: number; lastSeq: number } {
    return this.reader.stats();
  }

  segmentRecords(): number {
    return this.reader.segmentRecords();
  }

  list(filter: AuditFilter, limit: number): { records: AuditRecord[]; total: number } {
    return this.reader.list(filter, limit);
  }

  iterate(filter: AuditFilter): Generator<AuditRecord> {
    return this.reader.iterate(filter);
  }

  export(format: AuditExportFormat, filter: AuditFilter = {}): { content: string; records: number } {
    return this.reader.export(format, filter);
  }

  // ---------------------------------------------------------------- retention

  /**
   * Remove records older than the retention period (never less than 7 years),
   * as a contiguous prefix, and move the chain's anchor past them. The purge
   * is itself an audit record. The database refuses any younger delete.
   */
  purge(operator: string, retentionYears: number): { purged: number; anchorSeq: number } {
    const cutoff = retentionCutoff(this.clock.now(), retentionYears);
    const { result } = this.commit({ operator, action: 'audit.purged', subjectType: 'audit', subjectId: 'audit_log', details: { retentionYears, cutoff } }, (db) => purgePrefix(db, this.meta, cutoff));
    return result;
  }
}
