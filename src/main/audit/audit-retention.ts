// Retention: records older than the retention period (never less than 7
// years, HIPAA) go as a contiguous prefix, and the chain's anchor moves past
// them; the database refuses any younger delete.
import { ConsoleError } from '../../shared/errors.js';
import type { Db } from '../store/database.js';
import type { AuditMeta, Mark } from './audit-meta.js';

export const MIN_RETENTION_YEARS = 7;

/** The instant before which records may go; refuses a period under the minimum. */
export function retentionCutoff(nowMs: number, retentionYears: number): string {
  if (!(retentionYears >= MIN_RETENTION_YEARS)) {
    throw new ConsoleError('E_AUDIT_RETENTION', 'input', `audit retention must be at least ${MIN_RETENTION_YEARS} years (HIPAA); ${retentionYears} was asked`);
  }
  const cutoff = new Date(nowMs);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears);
  return cutoff.toISOString();
}

/** Inside the purge's transaction: delete the prefix older than `cutoff`, move the anchor (and the checkpoint) past it. */
export function purgePrefix(db: Db, meta: AuditMeta, cutoff: string): { purged: number; anchorSeq: number } {
    const firstYoung = (db.prepare('SELECT min(seq) AS s FROM audit_log WHERE ts >= ?').get(cutoff) as { s: number | null }).s;
    const boundary = firstYoung === null ? meta.read('head').seq : firstYoung - 1;
    const last = db.prepare('SELECT seq, hash FROM audit_log WHERE seq <= ? ORDER BY seq DESC LIMIT 1').get(boundary) as
      | Mark
      | undefined;
    if (!last) return { purged: 0, anchorSeq: meta.read('anchor').seq };
    db.prepare('INSERT INTO audit_purge_gate (open) VALUES (1)').run();
    try {
      const purged = db.prepare('DELETE FROM audit_log WHERE seq <= ?').run(last.seq).changes;
      meta.write('anchor', last);
      if (meta.read('checkpoint').seq < last.seq) meta.write('checkpoint', last);
      return { purged, anchorSeq: last.seq };
    } finally {
      db.prepare('DELETE FROM audit_purge_gate').run();
    }
}
