import { z } from 'zod';

export const AUDIT_SUBJECT_TYPES = ['console', 'operator', 'incident', 'runbook', 'probe', 'config', 'audit', 'schedule'] as const;
export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];

/** One audit record as stored and as shown (details already PHI-masked). */
export interface AuditRecord {
  seq: number;
  /** set on records written to a fault segment (see AuditLog): the segment's id */
  segment?: number;
  ts: string; // ISO-8601 UTC with milliseconds
  operator: string;
  action: string;
  subjectType: AuditSubjectType;
  subjectId: string;
  details: string; // canonical JSON
  prevHash: string;
  hash: string;
}

export type AuditFaultKind =
  | 'edited' // content no longer matches its hash
  | 'deleted' // a gap in the sequence or a missing predecessor
  | 'reordered' // a record sits where another belongs
  | 'truncated' // the tail is shorter than the stored head says
  | 'wrong_key' // the key in use is not the one the chain was written with
  | 'head_tampered' // the stored head/checkpoint fails its MAC
  | 'marker_missing' // a stored marker (key check, head, anchor, checkpoint) was removed
  | 'inserted' // a record was added after the last one this console wrote, without the key
  | 'forged' // a record lies outside the chain (at or below its start, or seq <= 0)
  | 'key_missing' // the audit key file is gone while the log holds records
  | 'rolled_back' // the log ends before the checkpoint kept outside the database
  | 'unreadable' // the database (or the log in it) cannot be read at all
  | 'schema'; // a protecting trigger has been removed

export interface AuditFault {
  kind: AuditFaultKind;
  /** the first record affected (for deleted/truncated: the first missing seq) */
  seq: number;
  message: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  mode: 'full' | 'incremental' | 'startup';
  checked: number;
  fromSeq: number;
  toSeq: number;
  durationMs: number;
  verifiedAt: string;
  fault: AuditFault | null;
  /** fault segments (records written while the main chain could not be extended), each verified with its own key */
  segments?: { id: number; startedAt: string; fault: { kind: string; seq: number; message: string }; records: number; ok: boolean; problem: string | null }[];
}

export const AuditExportFormatSchema = z.enum(['jsonl', 'csv']);
export type AuditExportFormat = z.infer<typeof AuditExportFormatSchema>;
