// Types the audit modules share.
import type { AuditSubjectType } from '../../shared/domain/audit.js';
import type { SegmentKeyStore } from './fault-segment.js';

/** The stored fields a record's hash covers (besides its seq). */
export interface HashedFields {
  ts: string;
  operator: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: string;
  prevHash: string;
}

/** full: from the anchor; incremental: from the last checkpoint; startup: at least the last 10,000 records or since the last full run. */
export type VerifyMode = 'full' | 'incremental' | 'startup';

export interface AuditLogOptions {
  /** keys of fault segments (default: in memory, for tests) */
  segmentKeys?: SegmentKeyStore;
  /** the last checkpoint kept outside the database (beside the key) */
  checkpointFile?: string;
}

export interface AuditEntry {
  operator: string;
  action: string;
  subjectType: AuditSubjectType;
  subjectId: string;
  details?: Record<string, unknown>;
}
