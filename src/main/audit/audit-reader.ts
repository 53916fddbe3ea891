// Reading the audit trail: filtered pages (newest first), streamed exports
// (JSON Lines or CSV, fault-segment records included), counts. Read only.
import type { AuditExportFormat, AuditRecord } from '../../shared/domain/audit.js';
import type { ReadableDb } from '../store/database.js';
import type { FaultSegments } from './fault-segment.js';
import { sql, where, type Fragment } from '../store/sql.js';

export interface AuditFilter {
  operator?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  beforeSeq?: number | undefined;
}

export class AuditReader {
  constructor(
    private readonly db: ReadableDb,
    private readonly segments: FaultSegments,
  ) {}

  stats(): { records: number; lastSeq: number } {
    return { records: (this.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, lastSeq: (this.db.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number | null) ?? 0 };
  }

  segmentRecords(): number {
    return this.db.prepare('SELECT count(*) FROM audit_segment_log').pluck().get() as number;
  }

  private where(filter: AuditFilter): Fragment {
    return where(
      filter.operator ? sql`operator = ${filter.operator}` : null,
      filter.action ? sql`action = ${filter.action}` : null,
      filter.since ? sql`ts >= ${new Date(filter.since).toISOString()}` : null,
      filter.until ? sql`ts < ${new Date(filter.until).toISOString()}` : null,
      filter.beforeSeq ? sql`seq < ${filter.beforeSeq}` : null,
    );
  }

  /** Newest first. `total` counts every record matching the filter (ignoring beforeSeq). */
  list(filter: AuditFilter, limit: number): { records: AuditRecord[]; total: number } {
    const w = this.where(filter);
    const rows = this.db
      .prepare(
        `SELECT seq, ts, operator, action, subject_type AS subjectType, subject_id AS subjectId,
                details, prev_hash AS prevHash, hash
         FROM audit_log ${w.text} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...w.params, limit) as AuditRecord[];
    const t = this.where({ ...filter, beforeSeq: undefined });
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${t.text}`).get(...t.params) as { n: number }).n;
    return { records: rows, total };
  }

  /** Oldest first, streamed, for exports. */
  *iterate(filter: AuditFilter): Generator<AuditRecord> {
    const w = this.where(filter);
    yield* this.db
      .prepare(
        `SELECT seq, ts, operator, action, subject_type AS subjectType, subject_id AS subjectId,
                details, prev_hash AS prevHash, hash
         FROM audit_log ${w.text} ORDER BY seq`,
      )
      .iterate(...w.params) as IterableIterator<AuditRecord>;
  }

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
