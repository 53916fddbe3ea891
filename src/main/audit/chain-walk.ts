// The chain walk, kept self-contained (no imports used inside the functions)
// so that a worker thread can run the very same code from its source text.
import type { createHmac as CreateHmac } from 'node:crypto';

/** A stored record as read with .raw(): the column order of CHAIN_COLUMNS. */
export type ChainRow = [number, string, string, string, string, string, string, string, string];
export const CHAIN_COLUMNS = 'seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash';

export type WalkStop =
  | { type: 'gap'; expected: number; got: number }
  | { type: 'mac'; row: ChainRow }
  | { type: 'link'; seq: number };

export interface WalkResult {
  checked: number;
  lastSeq: number;
  lastHash: string;
  stop: WalkStop | null;
}

/**
 * HMAC-SHA-256 over the canonical encoding of a record: each field
 * length-prefixed, so no choice of contents makes two records encode alike.
 * Never change it: existing chains are verified with it.
 */
export function recordMac(
  hmac: typeof CreateHmac,
  key: Buffer,
  seq: number,
  ts: string,
  operator: string,
  action: string,
  subjectType: string,
  subjectId: string,
  details: string,
  prevHash: string,
): string {
  return hmac('sha256', key)
    .update(
      `v1|${seq}|${ts.length}:${ts}|${operator.length}:${operator}|${action.length}:${action}|` +
        `${subjectType.length}:${subjectType}|${subjectId.length}:${subjectId}|${details.length}:${details}|${prevHash}`,
    )
    .digest('hex');
}

/** Walk rows in seq order from a known-good mark; stop at the first fault. */
export function walkChain(
  rows: Iterable<ChainRow>,
  startSeq: number,
  startHash: string,
  mac: (row: ChainRow) => string,
): WalkResult {
  let expected = startSeq + 1;
  let prevHash = startHash;
  let checked = 0;
  for (const row of rows) {
    if (row[0] !== expected) return { checked, lastSeq: expected - 1, lastHash: prevHash, stop: { type: 'gap', expected, got: row[0] } };
    if (mac(row) !== row[8]) return { checked, lastSeq: expected - 1, lastHash: prevHash, stop: { type: 'mac', row } };
    if (row[7] !== prevHash) return { checked, lastSeq: expected - 1, lastHash: prevHash, stop: { type: 'link', seq: row[0] } };
    prevHash = row[8];
    expected++;
    checked++;
  }
  return { checked, lastSeq: expected - 1, lastHash: prevHash, stop: null };
}

/** Does this content verify at another position (within 4,096 of `at`)? Then it was moved, not edited. */
export function originalPosition<F>(at: number, fields: F, hash: string, maxSeq: number, recordHash: (seq: number, fields: F) => string): number | null {
  for (let d = 1; d <= 4096; d++) {
    for (const candidate of [at - d, at + d]) {
      if (candidate < 1 || candidate > maxSeq) continue;
      if (recordHash(candidate, fields) === hash) return candidate;
    }
  }
  return null;
}
