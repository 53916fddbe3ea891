// The audit key in use and the single-row markers it guards (anchor, head,
// checkpoint, fullcheck, keycheck), each with a MAC under the key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditFault } from '../../shared/domain/audit.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Db } from '../store/database.js';

export const GENESIS_HASH = '0'.repeat(64);
const KEY_CHECK_LABEL = 'medical-ai-oncall-console/audit-key-check/v1';

export type Mark = { seq: number; hash: string };

export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export class AuditMeta {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    /** null when the key file is missing */
    readonly key: Buffer | null,
  ) {
    this.stmts = {
      meta: db.prepare(`SELECT seq, hash, mac FROM audit_meta WHERE name = ?`),
      setMeta: db.prepare(
        `INSERT INTO audit_meta (name, seq, hash, mac) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`,
      ),
      count: db.prepare(`SELECT count(*) AS n FROM audit_log`),
      bySeq: db.prepare(`SELECT hash FROM audit_log WHERE seq = ?`),
      maxSeq: db.prepare('SELECT max(seq) FROM audit_log').pluck(),
    };
  }

  /** Only reached on paths the blocker has cleared (a key is present). */
  requireKey(): Buffer {
    if (!this.key) throw new ConsoleError('E_AUDIT_KEY_MISSING', 'integrity', 'the audit key is missing');
    return this.key;
  }

  /** HMAC-SHA-256 under the audit key. */
  hex(message: string): string {
    return createHmac('sha256', this.requireKey()).update(message).digest('hex');
  }

  keyCheck(): { hash: string } | undefined {
    return this.stmts.meta.get('keycheck') as { hash: string } | undefined;
  }

  /** True when the key in use is the one the chain was written with. */
  keyMatches(): boolean {
    const row = this.keyCheck();
    return this.key !== null && row !== undefined && sameHex(row.hash, this.hex(KEY_CHECK_LABEL));
  }

  private mac(name: string, m: Mark): string {
    return createHmac('sha256', this.requireKey()).update(JSON.stringify(['meta', name, m.seq, m.hash])).digest('hex');
  }

  read(name: string): Mark {
    const row = this.stmts.meta.get(name) as { seq: number; hash: string } | undefined;
    if (!row) throw new ConsoleError('E_AUDIT_META', 'integrity', `the audit ${name} row is missing`);
    return { seq: row.seq, hash: row.hash };
  }

  readChecked(name: string): { mark: Mark; valid: boolean } | null {
    const row = this.stmts.meta.get(name) as { seq: number; hash: string; mac: string } | undefined;
    if (!row) return null;
    const mark = { seq: row.seq, hash: row.hash };
    return { mark, valid: sameHex(row.mac, this.mac(name, mark)) };
  }

  write(name: string, m: Mark): void {
    this.stmts.setMeta.run(name, m.seq, m.hash, this.mac(name, m));
  }

  /**
   * Why the main chain cannot be extended safely now, or null: the key, the
   * key check, the head marker and its MAC, and that the log ends exactly at
   * the head (a row forged after it, or a cut).
   */
  blocker(): AuditFault | null {
    if (!this.key) return { kind: 'key_missing', seq: 0, message: 'the audit key is missing while the log holds records: restore audit.key from the backup made with the database' };
    const check = this.keyCheck();
    if (!check) return { kind: 'marker_missing', seq: 0, message: 'the audit key check marker was removed from the database' };
    if (!this.keyMatches()) {
      return { kind: 'wrong_key', seq: 0, message: 'the audit key in use is not the key this audit log was written with' };
    }
    const head = this.readChecked('head');
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

  /** A new, empty log gets its key check and markers; anything else is reported, never rebuilt. */
  init(): void {
    if (!this.key) return;
    const keyCheck = this.hex(KEY_CHECK_LABEL);
    this.db.transaction(() => {
      if (!this.stmts.meta.get('keycheck')) {
        const anyRecords = (this.stmts.count.get() as { n: number }).n > 0;
        if (anyRecords) return; // reported by blocker() and verify(): never a reason not to start
        if (this.stmts.meta.get('head')) return; // markers without a key check: reported, not rebuilt
        this.stmts.setMeta.run('keycheck', 0, keyCheck, keyCheck);
        this.write('anchor', { seq: 0, hash: GENESIS_HASH });
        this.write('head', { seq: 0, hash: GENESIS_HASH });
        this.write('checkpoint', { seq: 0, hash: GENESIS_HASH });
      }
    }).immediate();
  }
}
