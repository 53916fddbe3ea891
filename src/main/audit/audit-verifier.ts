// Verifying the audit chain: walk every record from the anchor (or from the
// last checkpoint), report the first one a tamper changed — deleted,
// inserted, edited, reordered, truncated, rolled back — and judge the markers
// and the checkpoint kept outside the database after the walk.
import { createHmac } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { AuditFault, AuditVerifyReport } from '../../shared/domain/audit.js';
import type { Db } from '../store/database.js';
import { GENESIS_HASH, sameHex, type AuditMeta, type Mark } from './audit-meta.js';
import { compareWithCheckpoint, readCheckpointFile } from './audit-checkpoint.js';
import { CHAIN_COLUMNS, originalPosition, recordMac, walkChain, type ChainRow, type WalkResult } from './chain-walk.js';
import type { FaultSegments } from './fault-segment.js';
import type { HashedFields, VerifyMode } from './audit-types.js';

export type { HashedFields, VerifyMode } from './audit-types.js';
import { walkInWorker } from './verify-worker.js';

/** Below this many records a second thread costs more than it saves. */
export const PARALLEL_VERIFY_MIN = 200_000;
/** Start-up verification covers at least this many of the newest records. */
export const STARTUP_VERIFY_MIN = 10_000;
const REQUIRED_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_append_only', 'audit_meta_no_delete', 'audit_meta_guard'];

interface Prelude {
  start: Mark;
  /** null when the head marker is missing or fails its MAC */
  head: Mark | null;
  /** a marker fault, reported only when the walk itself finds nothing earlier */
  markerFault: AuditFault | null;
}

export interface VerifierDeps {
  db: Db;
  meta: AuditMeta;
  segments: FaultSegments;
  clock: Clock;
  checkpointFile?: string | undefined;
  recordHash(seq: number, r: HashedFields): string;
  checkpointMac(seq: number, hash: string, at: string): string;
  /** a rollback shown by a checkpoint held outside this machine (the relay) */
  externalFault(): AuditFault | null;
}

export class AuditVerifier {
  private lastReport: AuditVerifyReport | null = null;
  private readonly meta: AuditMeta;
  private readonly db: Db;
  private readonly stmts;

  constructor(private readonly deps: VerifierDeps) {
    this.meta = deps.meta;
    this.db = deps.db;
    this.stmts = {
      bySeq: this.db.prepare(
        `SELECT ts, operator, action, subject_type AS subjectType, subject_id AS subjectId, details,
                prev_hash AS prevHash, hash
         FROM audit_log WHERE seq = ?`,
      ),
      rowsAfter: this.db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq`),
      minSeq: this.db.prepare('SELECT min(seq) FROM audit_log').pluck(),
    };
  }

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
    if (this.deps.segments.count() === 0) return report;
    const r = { ...report, segments: this.deps.segments.verify() };
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
    const second = walkInWorker(file, this.meta.requireKey(), mid, midRow.hash, Number.MAX_SAFE_INTEGER);
    const firstRows = this.db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq`).raw(true).iterate(start.seq, mid) as IterableIterator<ChainRow>;
    const first = walkChain(firstRows, start.seq, start.hash, (r) => this.rowMac(r));
    const rest = await second;
    if (first.stop || first.lastSeq !== mid) return this.withSegments(this.conclude(mode, started, prelude, first));
    const joined: WalkResult = { ...rest, checked: first.checked + rest.checked };
    return this.withSegments(this.conclude(mode, started, prelude, joined));
  }

  private rowMac(r: ChainRow): string {
    return recordMac(createHmac, this.meta.requireKey(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
  }

  makeReport(mode: VerifyMode, started: number, fault: AuditFault | null, fromSeq: number, toSeq: number, checked: number): AuditVerifyReport {
    const r: AuditVerifyReport = {
      ok: fault === null,
      mode,
      checked,
      fromSeq,
      toSeq,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      verifiedAt: isoTime(this.deps.clock.now()),
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
    if (!this.meta.key) return report({ kind: 'key_missing', seq: first, message: 'the audit key is missing: no record can be checked until audit.key is restored from the backup made with the database' }, first);
    const check = this.meta.keyCheck();
    if (check && !this.meta.keyMatches()) {
      return report({ kind: 'wrong_key', seq: first, message: 'the audit key in use is not the key this audit log was written with; no record can be trusted until the right key is restored' }, first);
    }
    const triggers = new Set(
      (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_meta')`).all() as { name: string }[]).map((t) => t.name),
    );
    const missing = REQUIRED_TRIGGERS.filter((t) => !triggers.has(t));
    if (missing.length > 0) return report({ kind: 'schema', seq: 0, message: `the append-only trigger(s) ${missing.join(', ')} were removed from the database` });

    const marker = (name: string) => {
      const m = this.meta.readChecked(name);
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
        const full = this.meta.readChecked('fullcheck');
        const sinceFull = full?.valid ? full.mark.seq : anchorMark.seq;
        from = Math.max(anchorMark.seq, Math.min(from, sinceFull, head.mark.seq - STARTUP_VERIFY_MIN));
      }
      if (from > anchorMark.seq) {
        const row = this.stmts.bySeq.get(from) as (HashedFields & { hash: string }) | undefined;
        if (!row) return report({ kind: 'deleted', seq: from, message: `record #${from}, where this verification starts, is missing` }, from);
        if (this.deps.recordHash(from, row) !== row.hash || (from === checkpoint.mark.seq && !sameHex(row.hash, checkpoint.mark.hash))) {
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
      const movedFrom = originalPosition(seq, { ts, operator, action, subjectType, subjectId, details, prevHash }, hash, this.meta.read('head').seq, (s, f) => this.deps.recordHash(s, f));
      // a row that verifies nowhere, followed by what belongs here: slipped in, the rest renumbered
      const next = movedFrom === null ? (this.stmts.bySeq.get(seq + 1) as (HashedFields & { hash: string }) | undefined) : undefined;
      if (next && this.deps.recordHash(seq, next) === next.hash) {
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
    const outside = this.checkOutsideCheckpoint(lastSeq) ?? this.deps.externalFault();
    if (outside) return done(outside, lastSeq);
    if (lastSeq > 0 || this.meta.readChecked('checkpoint')) this.meta.write('checkpoint', { seq: lastSeq, hash: walk.lastHash });
    if (mode === 'full') this.meta.write('fullcheck', { seq: lastSeq, hash: walk.lastHash });
    return done(null, lastSeq);
  }

  /** Compare the walked log with the checkpoint file: a log that ends before it was rolled back or cut. */
  private checkOutsideCheckpoint(lastSeq: number): AuditFault | null {
    const file = this.deps.checkpointFile;
    const c = file ? readCheckpointFile(file) : null;
    if (c === null) return null;
    if (c === 'unreadable') return { kind: 'head_tampered', seq: lastSeq, message: `the audit checkpoint file ${file} is unreadable` };
    if (!sameHex(c.mac, this.deps.checkpointMac(c.seq, c.hash, c.at))) return { kind: 'head_tampered', seq: lastSeq, message: `the audit checkpoint file ${file} was altered` };
    return compareWithCheckpoint(c, lastSeq, (seq) => (this.stmts.bySeq.get(seq) as { hash: string } | undefined)?.hash, `the checkpoint kept outside the database (written ${c.at})`);
  }

  lastVerification(): AuditVerifyReport | null {
    return this.lastReport;
  }
}
