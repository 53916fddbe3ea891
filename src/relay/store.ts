import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Alert } from '../shared/domain/alert.js';
import { AuditCheckpointSchema, type AuditCheckpoint, type RelayAck } from '../shared/relay-protocol.js';
import type { NewAlert } from './normalize.js';
import type { AppendRequest, AppendResult, EncodedAlert, RelayStorage, StoredSilence, StoredWriteBack, WriteBackJob } from './storage.js';

export type { AppendRequest, AppendResult, StoredSilence, StoredWriteBack, WriteBackJob } from './storage.js';

/** Sequence numbers of one epoch of the key index (2^10 = 1,024): see the schema. */
export const EPOCH_BITS = 10;

/** Rows per INSERT statement, largest first (the last is 1: any count is made of them). */
const INSERT_ROWS = [100, 10, 1] as const;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- AUTOINCREMENT: a sequence number is never reused, even after retention purges
  CREATE TABLE IF NOT EXISTS alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  -- The newest alert of a key. Keys are hashes (Alertmanager's fingerprints, PagerDuty's dedup keys), so an
  -- index on the key alone puts every new alert's entry on a page of its own: one 4 KiB page rewritten per
  -- alert at each commit, the relay's cost tripled in a storm. Indexed by epoch (1,024 sequence numbers)
  -- first, a commit's new entries share the few pages of the newest epoch or two; a lookup goes epoch by
  -- epoch, newest first. (Epochs of 4,096 left a commit rewriting all ~30 pages of one: a fifth of the log's
  -- writes in a storm.) PagerDuty keys, one event per request and looked up on each, keep an exact index.
  -- Retention needs no index of its own: it deletes from the log's start (see purgeOlderThan).
  DROP INDEX IF EXISTS alerts_key;
  DROP INDEX IF EXISTS alerts_epoch_key;
  DROP INDEX IF EXISTS alerts_received;
  CREATE INDEX IF NOT EXISTS alerts_epoch${EPOCH_BITS}_key ON alerts(seq >> ${EPOCH_BITS}, key);
  CREATE INDEX IF NOT EXISTS alerts_pd_key ON alerts(key, seq) WHERE substr(key, 1, 3) = 'pd:';
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
  -- the PagerDuty routing key of each dedup key, for acknowledge/resolve sent back (kept here, never streamed)
  CREATE TABLE IF NOT EXISTS pd_route (
    dedup_key   TEXT PRIMARY KEY,
    routing_key TEXT NOT NULL,
    at_ms       INTEGER NOT NULL
  );
  -- write-back to the sources, queued in the transaction that stores the console's action
  CREATE TABLE IF NOT EXISTS writeback (
    id          INTEGER PRIMARY KEY,
    ack_id      TEXT NOT NULL,
    target      TEXT NOT NULL,
    op          TEXT NOT NULL,
    subject     TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at_ms  INTEGER NOT NULL,
    last_error  TEXT,
    done_at_ms  INTEGER,
    UNIQUE (ack_id, target, op, subject)
  );
  CREATE INDEX IF NOT EXISTS writeback_due ON writeback(state, next_at_ms);
  -- the silences the relay made in Alertmanager, per incident
  CREATE TABLE IF NOT EXISTS silence (
    silence_id   TEXT PRIMARY KEY,
    incident_key TEXT NOT NULL,
    am_url       TEXT NOT NULL,
    alert_keys   TEXT NOT NULL,
    body         TEXT NOT NULL,
    ends_at_ms   INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'active'
  );
  CREATE INDEX IF NOT EXISTS silence_incident ON silence(incident_key, state);
  CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    reason TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
`;

/** The relay's durable log: SQLite, WAL, synchronous=FULL (an alert is on disk before the sender hears 2xx). */
export class RelayStore implements RelayStorage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  readonly relayId: string;
  private readonly inserts: Map<number, Database.Statement>;
  private readonly after;
  private readonly byPdKey;
  private readonly byEpochKey;
  private readonly seqRange;
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
    this.inserts = new Map(INSERT_ROWS.map((rows) => [rows, this.db.prepare(`INSERT INTO alerts (key, received_at, body) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')}`)]));
    this.after = this.db.prepare('SELECT seq, received_at, body FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?');
    this.byPdKey = this.db.prepare(`SELECT body FROM alerts WHERE substr(key, 1, 3) = 'pd:' AND key = ? ORDER BY seq DESC LIMIT 1`).pluck();
    this.byEpochKey = this.db.prepare(`SELECT body FROM alerts WHERE (seq >> ${EPOCH_BITS}) = ? AND key = ? ORDER BY seq DESC LIMIT 1`).pluck();
    this.seqRange = this.db.prepare('SELECT (SELECT min(seq) FROM alerts) AS lo, (SELECT max(seq) FROM alerts) AS hi'); // (min and max in one SELECT would scan)
    this.deliveryGet = this.db.prepare('SELECT first_seq, count FROM delivery WHERE digest = ?');
    this.deliveryPut = this.db.prepare('INSERT INTO delivery (digest, at_ms, first_seq, count) VALUES (?, ?, ?, ?)');
    this.metaPut = this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  }

  /**
   * Store a batch in one transaction; returns each request's sequence numbers.
   * A request whose delivery digest is already stored is not stored again: its
   * first storing's sequence numbers are returned, with duplicate = true.
   */
  append(batch: readonly AppendRequest[], meta: Record<string, string> = {}): AppendResult[] {
    // IMMEDIATE: the write lock from the start (the log writer's thread and this one both commit; a deferred
    // transaction that read first could not take the lock once the other had committed)
    return this.db.transaction(() => {
      const results = batch.map(({ alerts, receivedAt, digest, atMs }) => {
        if (digest) {
          const seen = this.deliveryGet.get(digest) as { first_seq: number; count: number } | undefined;
          if (seen) return { seqs: Array.from({ length: seen.count }, (_, i) => seen.first_seq + i), duplicate: true };
        }
        const seqs = this.insertAll(alerts, receivedAt);
        if (digest) this.deliveryPut.run(digest, atMs, seqs[0] ?? 0, seqs.length);
        return { seqs, duplicate: false };
      });
      for (const [name, value] of Object.entries(meta)) this.metaPut.run(name, value);
      return results;
    }).immediate();
  }

  /**
   * The alerts inserted in statements of 100, 10 and 1 rows (one statement of 100 costs a quarter less than
   * 100 of one); their sequence numbers, consecutive within a statement (AUTOINCREMENT, one writer).
   */
  private insertAll(alerts: readonly EncodedAlert[], receivedAt: string): number[] {
    const seqs: number[] = [];
    let i = 0;
    for (const rows of INSERT_ROWS) {
      for (; alerts.length - i >= rows; i += rows) {
        const args: string[] = [];
        for (let j = i; j < i + rows; j++) args.push(alerts[j]!.key, receivedAt, alerts[j]!.json);
        const r = this.inserts.get(rows)!.run(...args);
        const last = Number(r.lastInsertRowid);
        if (r.changes !== rows) throw new Error(`inserted ${r.changes} alerts of ${rows}`);
        for (let k = rows - 1; k >= 0; k--) seqs.push(last - k);
      }
    }
    return seqs;
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
    const body = this.latestBody(key);
    return body === undefined ? undefined : (JSON.parse(body) as NewAlert);
  }

  private latestBody(key: string): string | undefined {
    if (key.startsWith('pd:')) return this.byPdKey.get(key) as string | undefined;
    const { lo, hi } = this.seqRange.get() as { lo: number | null; hi: number | null };
    if (lo === null || hi === null) return undefined;
    const size = 2 ** EPOCH_BITS; // (not >>: sequence numbers pass 2^31)
    for (let epoch = Math.floor(hi / size); epoch >= Math.floor(lo / size); epoch--) {
      const body = this.byEpochKey.get(epoch, key) as string | undefined;
      if (body !== undefined) return body;
    }
    return undefined;
  }

  lastSeq(): number {
    const row = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'alerts'`).get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  }

  /** What a stored action asks of the sources (set by the write-back when it is configured). */
  planWriteBack: ((ack: RelayAck) => WriteBackJob[]) | null = null;

  /** Idempotent on the console-generated id; the write-back it asks for is queued in the same transaction. */
  storeAck(ack: RelayAck, consoleId: string, at: string): 'stored' | 'duplicate' {
    return this.db.transaction(() => {
      const r = this.db.prepare('INSERT OR IGNORE INTO acks (id, console_id, received_at, body) VALUES (?, ?, ?, ?)').run(ack.id, consoleId, at, JSON.stringify(ack));
      if (r.changes !== 1) return 'duplicate' as const;
      const jobs = this.planWriteBack?.(ack) ?? [];
      const put = this.db.prepare('INSERT OR IGNORE INTO writeback (ack_id, target, op, subject, payload, next_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
      for (const j of jobs) put.run(ack.id, j.target, j.op, j.subject, JSON.stringify(j.payload), Date.parse(at) || Date.now());
      return 'stored' as const;
    })();
  }

  /** Write-back jobs due now, oldest first. */
  dueWriteBacks(nowMs: number, limit: number): StoredWriteBack[] {
    return (this.db.prepare(`SELECT id, ack_id AS ackId, target, op, subject, payload, attempts FROM writeback WHERE state = 'pending' AND next_at_ms <= ? ORDER BY id LIMIT ?`).all(nowMs, limit) as (Omit<StoredWriteBack, 'payload'> & { payload: string })[]).map(
      (r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }),
    );
  }

  finishWriteBack(id: number, state: 'done' | 'failed', nowMs: number, error?: string): void {
    this.db.prepare('UPDATE writeback SET state = ?, attempts = attempts + 1, done_at_ms = ?, last_error = ? WHERE id = ?').run(state, nowMs, error ?? null, id);
  }

  retryWriteBack(id: number, nextAtMs: number, error: string): void {
    this.db.prepare('UPDATE writeback SET attempts = attempts + 1, next_at_ms = ?, last_error = ? WHERE id = ?').run(nextAtMs, error.slice(0, 300), id);
  }

  writeBackCounts(): Record<string, number> {
    const rows = this.db.prepare('SELECT target, state, count(*) AS n FROM writeback GROUP BY target, state').all() as { target: string; state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [`${r.target}.${r.state}`, r.n]));
  }

  rememberRoute(dedupKey: string, routingKey: string, atMs: number): void {
    this.db.prepare('INSERT INTO pd_route (dedup_key, routing_key, at_ms) VALUES (?, ?, ?) ON CONFLICT(dedup_key) DO UPDATE SET routing_key = excluded.routing_key, at_ms = excluded.at_ms').run(dedupKey, routingKey, atMs);
  }

  routingKey(dedupKey: string): string | undefined {
    return (this.db.prepare('SELECT routing_key FROM pd_route WHERE dedup_key = ?').pluck().get(dedupKey) as string | undefined) ?? undefined;
  }

  putSilence(s: StoredSilence): void {
    this.db
      .prepare(`INSERT INTO silence (silence_id, incident_key, am_url, alert_keys, body, ends_at_ms, state) VALUES (?, ?, ?, ?, ?, ?, 'active') ON CONFLICT(silence_id) DO UPDATE SET ends_at_ms = excluded.ends_at_ms, body = excluded.body, alert_keys = excluded.alert_keys, state = 'active'`)
      .run(s.silenceId, s.incidentKey, s.amUrl, JSON.stringify(s.alertKeys), s.body, s.endsAtMs);
  }

  endSilence(silenceId: string, state: 'expired' | 'lapsed' | 'replaced'): void {
    this.db.prepare('UPDATE silence SET state = ? WHERE silence_id = ?').run(state, silenceId);
  }

  activeSilences(incidentKey?: string): StoredSilence[] {
    const rows = (incidentKey
      ? this.db.prepare(`SELECT * FROM silence WHERE state = 'active' AND incident_key = ?`).all(incidentKey)
      : this.db.prepare(`SELECT * FROM silence WHERE state = 'active'`).all()) as { silence_id: string; incident_key: string; am_url: string; alert_keys: string; body: string; ends_at_ms: number }[];
    return rows.map((r) => ({ silenceId: r.silence_id, incidentKey: r.incident_key, amUrl: r.am_url, alertKeys: JSON.parse(r.alert_keys) as string[], body: r.body, endsAtMs: r.ends_at_ms }));
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

  /**
   * The log's oldest alerts, up to the first received at or after the cutoff: read in sequence order from
   * the start, so it costs what it deletes and needs no index on the time (an index every alert would pay
   * for in a storm). Never an alert younger than the cutoff; one older than it stored after a younger one
   * (the clock set back) goes once that younger one has gone.
   */
  purgeOlderThan(cutoffIso: string): number {
    return this.db
      .prepare(`DELETE FROM alerts WHERE seq < coalesce((SELECT seq FROM alerts WHERE received_at >= ? ORDER BY seq LIMIT 1), (SELECT max(seq) FROM alerts) + 1)`)
      .run(cutoffIso).changes;
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
