// Where audit records go while the main chain cannot be extended safely. A
// segment starts from a statement of the fault, MAC'd with a key of its own
// (never the possibly wrong key in use), and chains its records from there.
// Nothing is lost, nothing is appended to the main chain under a wrong key.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { AuditFault, AuditRecord, AuditSubjectType } from '../../shared/domain/audit.js';
import type { Db } from '../store/database.js';
import { recordMac, walkChain, type ChainRow } from './chain-walk.js';

/** Keys of fault segments: one per segment, kept outside the database like the main key. */
export interface SegmentKeyStore {
  create(id: number): Buffer;
  load(id: number): Buffer | null;
}

/** `audit-segment-<id>.key` files (0600) beside the main key. */
export function fileSegmentKeys(dir: string): SegmentKeyStore {
  const file = (id: number) => join(dir, `audit-segment-${id}.key`);
  return {
    create(id) {
      const key = randomBytes(32);
      writeFileSync(file(id), key, { mode: 0o600, flag: 'wx' });
      return key;
    },
    load(id) {
      return existsSync(file(id)) ? readFileSync(file(id)) : null;
    },
  };
}

export function memorySegmentKeys(): SegmentKeyStore {
  const keys = new Map<number, Buffer>();
  return {
    create(id) {
      const k = randomBytes(32);
      keys.set(id, k);
      return k;
    },
    load: (id) => keys.get(id) ?? null,
  };
}

export interface SegmentEntry {
  ts: string;
  operator: string;
  action: string;
  subjectType: AuditSubjectType;
  subjectId: string;
  details: string;
}

export interface SegmentReport {
  id: number;
  startedAt: string;
  fault: { kind: string; seq: number; message: string };
  records: number;
  ok: boolean;
  problem: string | null;
}

function statementMac(key: Buffer, id: number, startedAt: string, f: AuditFault): string {
  return createHmac('sha256', key).update(JSON.stringify(['segment/v1', id, startedAt, f.kind, f.seq, f.message])).digest('hex');
}

export class FaultSegments {
  private open: { id: number; key: Buffer; seq: number; hash: string; faultKind: string } | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: SegmentKeyStore,
  ) {}

  get current(): number | null {
    return this.open?.id ?? null;
  }

  /** Append to the open segment, opening one for this fault first (in the caller's transaction). */
  append(entry: SegmentEntry, fault: AuditFault): AuditRecord {
    if (!this.open || this.open.faultKind !== fault.kind) this.start(fault);
    const s = this.open!;
    const seq = s.seq + 1;
    const hash = recordMac(createHmac, s.key, seq, entry.ts, entry.operator, entry.action, entry.subjectType, entry.subjectId, entry.details, s.hash);
    this.db
      .prepare('INSERT INTO audit_segment_log (segment, seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, seq, entry.ts, entry.operator, entry.action, entry.subjectType, entry.subjectId, entry.details, s.hash, hash);
    const record: AuditRecord = { seq, segment: s.id, ...entry, prevHash: s.hash, hash };
    s.seq = seq;
    s.hash = hash;
    return record;
  }

  /** Back on the main chain: the next fault opens a new segment. */
  close(): void {
    this.open = null;
  }

  private start(fault: AuditFault): void {
    const id = ((this.db.prepare('SELECT max(id) FROM audit_segment').pluck().get() as number | null) ?? 0) + 1;
    const key = this.keys.create(id);
    const startedAt = isoTime(this.clock.now());
    const mac = statementMac(key, id, startedAt, fault);
    this.db.prepare('INSERT INTO audit_segment (id, started_at, fault_kind, fault_seq, fault_message, statement_mac) VALUES (?, ?, ?, ?, ?, ?)').run(id, startedAt, fault.kind, fault.seq, fault.message.slice(0, 500), mac);
    this.open = { id, key, seq: 0, hash: mac, faultKind: fault.kind };
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM audit_segment').pluck().get() as number;
  }

  /** Verify every segment with its own key. */
  verify(): SegmentReport[] {
    const segments = this.db.prepare('SELECT id, started_at, fault_kind, fault_seq, fault_message, statement_mac FROM audit_segment ORDER BY id').all() as {
      id: number;
      started_at: string;
      fault_kind: string;
      fault_seq: number;
      fault_message: string;
      statement_mac: string;
    }[];
    return segments.map((g) => {
      const records = this.db.prepare('SELECT count(*) FROM audit_segment_log WHERE segment = ?').pluck().get(g.id) as number;
      const base = { id: g.id, startedAt: g.started_at, fault: { kind: g.fault_kind, seq: g.fault_seq, message: g.fault_message }, records };
      const key = this.keys.load(g.id);
      if (!key) return { ...base, ok: false, problem: `the key of segment ${g.id} (audit-segment-${g.id}.key) is missing` };
      if (statementMac(key, g.id, g.started_at, { kind: g.fault_kind as AuditFault['kind'], seq: g.fault_seq, message: g.fault_message }) !== g.statement_mac) {
        return { ...base, ok: false, problem: `the opening statement of segment ${g.id} was changed` };
      }
      const rows = this.db
        .prepare('SELECT seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM audit_segment_log WHERE segment = ? ORDER BY seq')
        .raw(true)
        .iterate(g.id) as IterableIterator<ChainRow>;
      const walk = walkChain(rows, 0, g.statement_mac, (r) => recordMac(createHmac, key, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]));
      if (walk.stop) return { ...base, ok: false, problem: `segment ${g.id}: record #${walk.lastSeq + 1} was changed, removed or reordered` };
      return { ...base, ok: true, problem: null };
    });
  }

  /** Oldest first, for exports. */
  *iterate(): Generator<AuditRecord> {
    yield* this.db
      .prepare(
        `SELECT segment, seq, ts, operator, action, subject_type AS subjectType, subject_id AS subjectId, details, prev_hash AS prevHash, hash
         FROM audit_segment_log ORDER BY segment, seq`,
      )
      .iterate() as IterableIterator<AuditRecord>;
  }
}
