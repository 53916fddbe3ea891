// The audit head kept outside the database — in a file beside the key, and at
// the relay — signed with the audit key, so that rolling the database back to
// an older copy, or wiping the log and its markers, shows.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuditFault } from '../../shared/domain/audit.js';
import { sameHex } from './audit-meta.js';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  mac: string;
}

export function checkpointMac(key: Buffer, seq: number, hash: string, at: string): string {
  return createHmac('sha256', key).update(JSON.stringify(['checkpoint-file/v1', seq, hash, at])).digest('hex');
}

export function writeCheckpointFile(file: string, c: Checkpoint): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(c) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** The checkpoint in the file; null when there is none; 'unreadable' when it is not one. */
export function readCheckpointFile(file: string): Checkpoint | 'unreadable' | null {
  if (!existsSync(file)) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    if (typeof c.seq !== 'number' || typeof c.hash !== 'string' || typeof c.at !== 'string' || typeof c.mac !== 'string') return 'unreadable';
    return c;
  } catch {
    return 'unreadable';
  }
}

/**
 * A log that ends before the checkpoint, or holds another record at its
 * place, was rolled back, cut or replaced. `held` names the checkpoint in the
 * message ("the checkpoint held by the relay since …").
 */
export function compareWithCheckpoint(c: Checkpoint, lastSeq: number, hashAt: (seq: number) => string | undefined, held: string): AuditFault | null {
  if (c.seq > lastSeq) {
    return { kind: 'rolled_back', seq: lastSeq + 1, message: `the log ends at #${lastSeq}, but ${held} is at #${c.seq}: the database was rolled back, truncated or wiped` };
  }
  const hash = c.seq > 0 ? hashAt(c.seq) : undefined;
  if (c.seq > 0 && (hash === undefined || !sameHex(hash, c.hash))) {
    return { kind: 'rolled_back', seq: c.seq, message: `record #${c.seq} is not the one ${held} names: the log was replaced` };
  }
  return null;
}
