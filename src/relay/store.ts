import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Alert } from '../shared/domain/alert.js';
import { AuditCheckpointSchema, type AuditCheckpoint, type RelayAck } from '../shared/relay-protocol.js';
import type { NewAlert } from './normalize.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- AUTOINCREMENT: a sequence number is never reused, even after retention purges
  CREATE TABLE IF NOT EXISTS alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS alerts_key ON alerts(key, seq);
  CREATE INDEX IF NOT EXISTS alerts_received ON alerts(received_at);
  -- acks are sequenced too, so a console that was away gets the ones it missed
  CREATE TABLE IF NOT EXISTS acks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    console_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  -- bad input is counted and described, never kept verbatim (it may hold PHI)
  -- one row per accepted HTTP delivery within the dedup window: a sender's retry
  -- of a request the relay stored (and then crashed before answering) is not stored twice
  CREATE TABLE IF NOT EXISTS delivery (
    digest    TEXT PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    count     INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS delivery_at ON delivery(at_ms);
  -- the latest audit checkpoint of each console (MAC'd by the console's key; the relay cannot forge one)
  CREATE TABLE IF NOT EXISTS audit_checkpoint (
    console_id  TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    reason TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
`;

export interface AppendRequest {
  alerts: NewAlert[];
  receivedAt: string;
  /** the delivery's identity (sha-256 of source and body, or of an Idempotency-Key); none for synthetic alerts */
  digest?: string;
  atMs: number;
}

export interface AppendResult {
  seqs: number[];
  duplicate: boolean;
}

/** The relay's durable log: SQLite, WAL, synchronous=FULL (an alert is on disk before the sender hears 2xx). */
export class RelayStore {
  readonly db: Database.Database;
  readonly relayId: string;
  private readonly insert;
  private readonly after;
  private readonly byKey;
  private readonly deliveryGet;
  private readonly deliveryPut;
  private readonly metaPut;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const row = this.db.prepare(`SELECT value FROM meta WHERE name = 'relay_id'`).get() as { value: string } | undefined;
    this.relayId = row?.value ?? randomUUID();
    if (!row) this.db.prepare(`INSERT INTO meta (name, value) VALUES ('relay_id', ?)`).run(this.relayId);
    this.insert = this.db.prepare('INSERT INTO alerts (key, received_at, body) VALUES (?, ?, ?)');
    this.after = this.db.prepare('SELECT seq, received_at, body FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?');
    this.byKey = this.db.prepare('SELECT body FROM alerts WHERE key = ? ORDER BY seq DESC LIMIT 1');
    this.deliveryGet = this.db.prepare('SELECT first_seq, count FROM delivery WHERE digest = ?');
    this.deliveryPut = this.db.prepare('INSERT INTO delivery (digest, at_ms, first_seq, count) VALUES (?, ?, ?, ?)');
    this.metaPut = this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  }

  /**
   * Store a batch in one transaction; returns each request's sequence numbers.
   * A request whose delivery digest is already stored is not stored again: its
   * first storing's sequence numbers are returned, with duplicate = true.
   */
  append(batch: AppendRequest[], meta: Record<string, string> = {}): AppendResult[] {
    return this.db.transaction(() => {
      const results = batch.map(({ alerts, receivedAt, digest, atMs }) => {
        if (digest) {
          const seen = this.deliveryGet.get(digest) as { first_seq: number; count: number } | undefined;
          if (seen) return { seqs: Array.from({ length: seen.count }, (_, i) => seen.first_seq + i), duplicate: true };
        }
        const seqs = alerts.map((a) => Number(this.insert.run(a.key, receivedAt, JSON.stringify(a)).lastInsertRowid));
        if (digest) this.deliveryPut.run(digest, atMs, seqs[0] ?? 0, seqs.length);
        return { seqs, duplicate: false };
      });
      for (const [name, value] of Object.entries(meta)) this.metaPut.run(name, value);
      return results;
    })();
  }

  meta(name: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE name = ?').pluck().get(name) as string | undefined) ?? undefined;
  }

  /** Forget deliveries older than the dedup window. */
  purgeDeliveries(beforeMs: number): number {
    return this.db.prepare('DELETE FROM delivery WHERE at_ms < ?').run(beforeMs).changes;
  }

  /**
   * Alerts after `seq` as JSON texts ready for a frame, at most `limit` of them
   * and at most `maxBytes` in all (always at least one, so one big alert still moves).
   */
  pageAfter(seq: number, limit: number, maxBytes: number): { lastSeq: number; json: string[]; bytes: number } {
    const json: string[] = [];
    let bytes = 0;
    let lastSeq = seq;
    for (const r of this.after.iterate(seq, limit) as IterableIterator<{ seq: number; received_at: string; body: string }>) {
      const text = `{"relayId":${JSON.stringify(this.relayId)},"seq":${r.seq},"receivedAt":${JSON.stringify(r.received_at)},${r.body.slice(1)}`;
      if (json.length > 0 && bytes + text.length + 1 > maxBytes) break;
      json.push(text);
      bytes += text.length + 1;
      lastSeq = r.seq;
    }
    return { lastSeq, json, bytes };
  }

  readAfter(seq: number, limit: number): Alert[] {
    return (this.after.all(seq, limit) as { seq: number; received_at: string; body: string }[]).map((r) => ({
      ...(JSON.parse(r.body) as NewAlert),
      relayId: this.relayId,
      seq: r.seq,
      receivedAt: r.received_at,
    }));
  }

  latestByKey(key: string): NewAlert | undefined {
    const row = this.byKey.get(key) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as NewAlert) : undefined;
  }

  lastSeq(): number {
    const row = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'alerts'`).get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  }

  /** Idempotent on the console-generated id. */
  storeAck(ack: RelayAck, consoleId: string, at: string): 'stored' | 'duplicate' {
    const r = this.db.prepare('INSERT OR IGNORE INTO acks (id, console_id, received_at, body) VALUES (?, ?, ?, ?)').run(ack.id, consoleId, at, JSON.stringify(ack));
    return r.changes === 1 ? 'stored' : 'duplicate';
  }

  /** Acks after `seq` made by other consoles than `exceptConsole`. */
  acksAfter(seq: number, exceptConsole: string, limit: number): { seq: number; ack: RelayAck; consoleId: string; receivedAt: string }[] {
    const rows = this.db.prepare('SELECT seq, console_id, received_at, body FROM acks WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as { seq: number; console_id: string; received_at: string; body: string }[];
    return rows.map((r) => ({ seq: r.seq, consoleId: r.console_id, receivedAt: r.received_at, ack: JSON.parse(r.body) as RelayAck })).filter((r) => r.consoleId !== exceptConsole);
  }

  lastAckSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) FROM acks').pluck().get() as number) ?? 0;
  }

  ackCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM acks').get() as { n: number }).n;
  }

  /** Keep a console's newest checkpoint; an older one never replaces a newer. */
  storeCheckpoint(consoleId: string, checkpoint: AuditCheckpoint, at: string): void {
    const old = this.checkpoint(consoleId);
    if (old && old.seq > checkpoint.seq) return;
    this.db.prepare('INSERT INTO audit_checkpoint (console_id, body, received_at) VALUES (?, ?, ?) ON CONFLICT(console_id) DO UPDATE SET body = excluded.body, received_at = excluded.received_at').run(consoleId, JSON.stringify(checkpoint), at);
  }

  checkpoint(consoleId: string): AuditCheckpoint | undefined {
    const body = this.db.prepare('SELECT body FROM audit_checkpoint WHERE console_id = ?').pluck().get(consoleId) as string | undefined;
    if (!body) return undefined;
    const parsed = AuditCheckpointSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  }

  quarantine(channel: string, reason: string, bytes: number, sha256: string, at: string): void {
    this.db.prepare('INSERT INTO quarantine (at, channel, reason, bytes, sha256) VALUES (?, ?, ?, ?, ?)').run(at, channel, reason, bytes, sha256);
  }

  quarantined(): { channel: string; reason: string }[] {
    return this.db.prepare('SELECT channel, reason FROM quarantine ORDER BY id').all() as { channel: string; reason: string }[];
  }

  purgeOlderThan(cutoffIso: string): number {
    return this.db.prepare('DELETE FROM alerts WHERE received_at < ?').run(cutoffIso).changes;
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a full or failing disk: the WAL is still valid and is replayed at the next open
    } finally {
      this.db.close();
    }
  }
}
