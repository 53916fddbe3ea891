// The relay's log in a shared PostgreSQL, for two or more relays: any of them
// takes alerts and serves consoles; consoles fail over between them.
//
// One total order: sequence numbers come from a counter row locked (SELECT …
// FOR UPDATE) for the rest of the storing transaction, so numbers are handed
// out in commit order — a console that read "everything after N" can never
// miss a row that commits later with a smaller number. Dedup of a delivery
// (same digest) is checked under the same lock, so the same Alertmanager
// notification posted to two relays is stored once. The cost: commits are
// serial (one fsync each with synchronous_commit on); the relay's group
// commit puts many deliveries in one transaction, which is what keeps the
// rate up (see the README and `npm run bench -- ingest`).
//
// Live fan-out: every commit NOTIFYs `relay_committed`; each relay LISTENs
// and sends consoles what is new (a catch-up read by seq, never the payload);
// a one-second poll covers a dropped listener connection.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditCheckpointSchema, type AuditCheckpoint, type RelayAck } from '../shared/relay-protocol.js';
import type { RelayLog } from './log.js';
import type { NewAlert } from './normalize.js';
import type { AppendRequest, AppendResult, RelayStorage, StoredSilence, StoredWriteBack, WriteBackJob } from './storage.js';

const CHANNEL = 'relay_committed';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS relay_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_counter (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
  INSERT INTO relay_counter (name, value) VALUES ('alerts', 0), ('acks', 0) ON CONFLICT DO NOTHING;
  CREATE TABLE IF NOT EXISTS relay_alerts (seq BIGINT PRIMARY KEY, key TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS relay_alerts_key ON relay_alerts (key, seq);
  CREATE INDEX IF NOT EXISTS relay_alerts_received ON relay_alerts (received_at);
  CREATE TABLE IF NOT EXISTS relay_acks (seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, console_id TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_delivery (digest TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, first_seq BIGINT NOT NULL, count INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS relay_delivery_at ON relay_delivery (at_ms);
  CREATE TABLE IF NOT EXISTS relay_checkpoint (console_id TEXT PRIMARY KEY, body TEXT NOT NULL, received_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_quarantine (id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, channel TEXT NOT NULL, reason TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_pd_route (dedup_key TEXT PRIMARY KEY, routing_key TEXT NOT NULL, at_ms BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_writeback (
    id BIGSERIAL PRIMARY KEY, ack_id TEXT NOT NULL, target TEXT NOT NULL, op TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_at_ms BIGINT NOT NULL, last_error TEXT, done_at_ms BIGINT,
    UNIQUE (ack_id, target, op, subject));
  CREATE INDEX IF NOT EXISTS relay_writeback_due ON relay_writeback (state, next_at_ms);
  CREATE TABLE IF NOT EXISTS relay_silence (silence_id TEXT PRIMARY KEY, incident_key TEXT NOT NULL, am_url TEXT NOT NULL, alert_keys TEXT NOT NULL, body TEXT NOT NULL, ends_at_ms BIGINT NOT NULL, state TEXT NOT NULL DEFAULT 'active');
`;

export class PgRelayStore implements RelayStorage {
  readonly kind = 'postgresql' as const;
  relayId = '';
  planWriteBack: ((ack: RelayAck) => WriteBackJob[]) | null = null;
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private foreign: (() => void) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private closed = false;
  private lastKnown = { alerts: -1, acks: -1 };

  constructor(
    private readonly url: string,
    private readonly log: RelayLog = () => undefined,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 5000 });
    // an idle client dropped by a database restart or failover: the pool makes a new one at the next query
    this.pool.on('error', (err) => this.log('warn', 'W_RELAY_DB', `PostgreSQL connection lost: ${err.message}`));
  }

  async open(): Promise<void> {
    const c = await this.pool.connect();
    try {
      // two relays starting at once create the tables once
      await c.query('SELECT pg_advisory_lock(727001)');
      try {
        await c.query(SCHEMA);
        await c.query(`INSERT INTO relay_meta (name, value) VALUES ('relay_id', $1) ON CONFLICT (name) DO NOTHING`, [randomUUID()]);
      } finally {
        await c.query('SELECT pg_advisory_unlock(727001)');
      }
      this.relayId = ((await c.query(`SELECT value FROM relay_meta WHERE name = 'relay_id'`)).rows[0] as { value: string }).value;
    } finally {
      c.release();
    }
    await this.listen();
    this.poll = setInterval(() => void this.checkForeign(), 1000);
    this.poll.unref();
  }

  onForeignCommit(fn: () => void): void {
    this.foreign = fn;
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('notification', () => this.foreign?.());
    client.on('error', (err) => {
      this.log('warn', 'W_RELAY_DB_LISTEN', `PostgreSQL LISTEN connection lost (${err.message}); reconnecting`);
      this.listener = null;
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
    } catch (err) {
      this.log('warn', 'W_RELAY_DB_LISTEN', `cannot LISTEN on PostgreSQL (${(err as Error).message}); polling until it can`);
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 2000).unref();
    }
  }

  /** The catch-up poll: counters moved without a notification reaching us (listener down) → tell the stream. */
  private async checkForeign(): Promise<void> {
    try {
      const rows = (await this.pool.query(`SELECT name, value FROM relay_counter`)).rows as { name: string; value: string }[];
      const now = { alerts: Number(rows.find((r) => r.name === 'alerts')?.value ?? 0), acks: Number(rows.find((r) => r.name === 'acks')?.value ?? 0) };
      const moved = now.alerts !== this.lastKnown.alerts || now.acks !== this.lastKnown.acks;
      this.lastKnown = now;
      if (moved) this.foreign?.();
    } catch {
      // the database is down: /healthz says so; reads fail and are retried at the heartbeat
    }
  }

  async databaseHealth(): Promise<{ state: 'ok' | 'down'; detail?: string }> {
    try {
      await this.pool.query('SELECT 1');
      return { state: 'ok', ...(this.listener ? {} : { detail: 'LISTEN connection down: polling' }) };
    } catch (err) {
      return { state: 'down', detail: (err as Error).message.slice(0, 200) };
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async append(batch: AppendRequest[], meta: Record<string, string> = {}): Promise<AppendResult[]> {
    return this.tx(async (c) => {
      // the lock that orders every relay's commits (held to COMMIT)
      let next = Number(((await c.query(`SELECT value FROM relay_counter WHERE name = 'alerts' FOR UPDATE`)).rows[0] as { value: string }).value);
      const digests = batch.map((b) => b.digest).filter((d): d is string => d !== undefined);
      const seen = new Map<string, { first: number; count: number }>();
      if (digests.length) {
        for (const r of (await c.query(`SELECT digest, first_seq, count FROM relay_delivery WHERE digest = ANY($1)`, [digests])).rows as { digest: string; first_seq: string; count: number }[]) {
          seen.set(r.digest, { first: Number(r.first_seq), count: r.count });
        }
      }
      const results: AppendResult[] = [];
      const seqs: number[] = [];
      const keys: string[] = [];
      const times: string[] = [];
      const bodies: string[] = [];
      for (const b of batch) {
        const dup = b.digest ? seen.get(b.digest) : undefined;
        if (dup) {
          results.push({ seqs: Array.from({ length: dup.count }, (_, i) => dup.first + i), duplicate: true });
          continue;
        }
        const mine = b.alerts.map(() => ++next);
        for (let i = 0; i < b.alerts.length; i++) {
          seqs.push(mine[i]!);
          keys.push(b.alerts[i]!.key);
          times.push(b.receivedAt);
          bodies.push(b.alerts[i]!.json);
        }
        if (b.digest) {
          await c.query(`INSERT INTO relay_delivery (digest, at_ms, first_seq, count) VALUES ($1, $2, $3, $4)`, [b.digest, b.atMs, mine[0] ?? 0, mine.length]);
          seen.set(b.digest, { first: mine[0] ?? 0, count: mine.length });
        }
        results.push({ seqs: mine, duplicate: false });
      }
      if (seqs.length) {
        await c.query(`INSERT INTO relay_alerts (seq, key, received_at, body) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`, [seqs, keys, times, bodies]);
        await c.query(`UPDATE relay_counter SET value = $1 WHERE name = 'alerts'`, [next]);
        await c.query(`SELECT pg_notify('${CHANNEL}', 'alerts')`);
      }
      for (const [name, value] of Object.entries(meta)) {
        await c.query(`INSERT INTO relay_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [name, value]);
      }
      return results;
    });
  }

  async meta(name: string): Promise<string | undefined> {
    const r = (await this.pool.query(`SELECT value FROM relay_meta WHERE name = $1`, [name])).rows[0] as { value: string } | undefined;
    return r?.value;
  }

  async purgeDeliveries(beforeMs: number): Promise<number> {
    return (await this.pool.query(`DELETE FROM relay_delivery WHERE at_ms < $1`, [beforeMs])).rowCount ?? 0;
  }

  async pageAfter(seq: number, limit: number, maxBytes: number): Promise<{ lastSeq: number; json: string[]; bytes: number }> {
    const rows = (await this.pool.query(`SELECT seq, received_at, body FROM relay_alerts WHERE seq > $1 ORDER BY seq LIMIT $2`, [seq, limit])).rows as { seq: string; received_at: string; body: string }[];
    const json: string[] = [];
    let bytes = 0;
    let lastSeq = seq;
    for (const r of rows) {
      const text = `{"relayId":${JSON.stringify(this.relayId)},"seq":${Number(r.seq)},"receivedAt":${JSON.stringify(r.received_at)},${r.body.slice(1)}`;
      if (json.length > 0 && bytes + text.length + 1 > maxBytes) break;
      json.push(text);
      bytes += text.length + 1;
      lastSeq = Number(r.seq);
    }
    return { lastSeq, json, bytes };
  }

  async latestByKey(key: string): Promise<NewAlert | undefined> {
    const r = (await this.pool.query(`SELECT body FROM relay_alerts WHERE key = $1 ORDER BY seq DESC LIMIT 1`, [key])).rows[0] as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as NewAlert) : undefined;
  }

  async lastSeq(): Promise<number> {
    return Number(((await this.pool.query(`SELECT value FROM relay_counter WHERE name = 'alerts'`)).rows[0] as { value: string }).value);
  }

  async storeAck(ack: RelayAck, consoleId: string, at: string): Promise<'stored' | 'duplicate'> {
    return this.tx(async (c) => {
      const seq = Number(((await c.query(`SELECT value FROM relay_counter WHERE name = 'acks' FOR UPDATE`)).rows[0] as { value: string }).value) + 1;
      const r = await c.query(`INSERT INTO relay_acks (seq, id, console_id, received_at, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, [seq, ack.id, consoleId, at, JSON.stringify(ack)]);
      if (r.rowCount !== 1) return 'duplicate' as const;
      await c.query(`UPDATE relay_counter SET value = $1 WHERE name = 'acks'`, [seq]);
      for (const j of this.planWriteBack?.(ack) ?? []) {
        await c.query(`INSERT INTO relay_writeback (ack_id, target, op, subject, payload, next_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [ack.id, j.target, j.op, j.subject, JSON.stringify(j.payload), Date.parse(at) || Date.now()]);
      }
      await c.query(`SELECT pg_notify('${CHANNEL}', 'acks')`);
      return 'stored' as const;
    });
  }

  async acksAfter(seq: number, exceptConsole: string, limit: number): Promise<{ seq: number; ack: RelayAck; consoleId: string; receivedAt: string }[]> {
    const rows = (await this.pool.query(`SELECT seq, console_id, received_at, body FROM relay_acks WHERE seq > $1 ORDER BY seq LIMIT $2`, [seq, limit])).rows as { seq: string; console_id: string; received_at: string; body: string }[];
    return rows.map((r) => ({ seq: Number(r.seq), consoleId: r.console_id, receivedAt: r.received_at, ack: JSON.parse(r.body) as RelayAck })).filter((r) => r.consoleId !== exceptConsole);
  }

  async storeCheckpoint(consoleId: string, checkpoint: AuditCheckpoint, at: string): Promise<void> {
    const old = await this.checkpoint(consoleId);
    if (old && old.seq > checkpoint.seq) return;
    await this.pool.query(`INSERT INTO relay_checkpoint (console_id, body, received_at) VALUES ($1, $2, $3) ON CONFLICT (console_id) DO UPDATE SET body = excluded.body, received_at = excluded.received_at`, [consoleId, JSON.stringify(checkpoint), at]);
  }

  async checkpoint(consoleId: string): Promise<AuditCheckpoint | undefined> {
    const r = (await this.pool.query(`SELECT body FROM relay_checkpoint WHERE console_id = $1`, [consoleId])).rows[0] as { body: string } | undefined;
    if (!r) return undefined;
    const parsed = AuditCheckpointSchema.safeParse(JSON.parse(r.body));
    return parsed.success ? parsed.data : undefined;
  }

  async quarantine(channel: string, reason: string, bytes: number, sha256: string, at: string): Promise<void> {
    await this.pool.query(`INSERT INTO relay_quarantine (at, channel, reason, bytes, sha256) VALUES ($1, $2, $3, $4, $5)`, [at, channel, reason, bytes, sha256]);
  }

  async purgeOlderThan(cutoffIso: string): Promise<number> {
    return (await this.pool.query(`DELETE FROM relay_alerts WHERE received_at < $1`, [cutoffIso])).rowCount ?? 0;
  }

  async dueWriteBacks(nowMs: number, limit: number): Promise<StoredWriteBack[]> {
    // one relay sends a job: the row is claimed (its next attempt pushed a minute out) in the same statement
    const rows = (
      await this.pool.query(
        `UPDATE relay_writeback SET next_at_ms = $1 + 60000 WHERE id IN (
           SELECT id FROM relay_writeback WHERE state = 'pending' AND next_at_ms <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id, ack_id, target, op, subject, payload, attempts`,
        [nowMs, limit],
      )
    ).rows as { id: string; ack_id: string; target: WriteBackJob['target']; op: WriteBackJob['op']; subject: string; payload: string; attempts: number }[];
    return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({ id: Number(r.id), ackId: r.ack_id, target: r.target, op: r.op, subject: r.subject, payload: JSON.parse(r.payload) as Record<string, unknown>, attempts: r.attempts }));
  }

  async finishWriteBack(id: number, state: 'done' | 'failed', nowMs: number, error?: string): Promise<void> {
    await this.pool.query(`UPDATE relay_writeback SET state = $1, attempts = attempts + 1, done_at_ms = $2, last_error = $3 WHERE id = $4`, [state, nowMs, error ?? null, id]);
  }

  async retryWriteBack(id: number, nextAtMs: number, error: string): Promise<void> {
    await this.pool.query(`UPDATE relay_writeback SET attempts = attempts + 1, next_at_ms = $1, last_error = $2 WHERE id = $3`, [nextAtMs, error.slice(0, 300), id]);
  }

  async rememberRoute(dedupKey: string, routingKey: string, atMs: number): Promise<void> {
    await this.pool.query(`INSERT INTO relay_pd_route (dedup_key, routing_key, at_ms) VALUES ($1, $2, $3) ON CONFLICT (dedup_key) DO UPDATE SET routing_key = excluded.routing_key, at_ms = excluded.at_ms`, [dedupKey, routingKey, atMs]);
  }

  async routingKey(dedupKey: string): Promise<string | undefined> {
    const r = (await this.pool.query(`SELECT routing_key FROM relay_pd_route WHERE dedup_key = $1`, [dedupKey])).rows[0] as { routing_key: string } | undefined;
    return r?.routing_key;
  }

  async putSilence(s: StoredSilence): Promise<void> {
    await this.pool.query(
      `INSERT INTO relay_silence (silence_id, incident_key, am_url, alert_keys, body, ends_at_ms, state) VALUES ($1, $2, $3, $4, $5, $6, 'active')
       ON CONFLICT (silence_id) DO UPDATE SET ends_at_ms = excluded.ends_at_ms, body = excluded.body, alert_keys = excluded.alert_keys, state = 'active'`,
      [s.silenceId, s.incidentKey, s.amUrl, JSON.stringify(s.alertKeys), s.body, s.endsAtMs],
    );
  }

  async endSilence(silenceId: string, state: 'expired' | 'lapsed' | 'replaced'): Promise<void> {
    await this.pool.query(`UPDATE relay_silence SET state = $1 WHERE silence_id = $2`, [state, silenceId]);
  }

  async activeSilences(incidentKey?: string): Promise<StoredSilence[]> {
    const rows = (incidentKey
      ? await this.pool.query(`SELECT * FROM relay_silence WHERE state = 'active' AND incident_key = $1`, [incidentKey])
      : await this.pool.query(`SELECT * FROM relay_silence WHERE state = 'active'`)
    ).rows as { silence_id: string; incident_key: string; am_url: string; alert_keys: string; body: string; ends_at_ms: string }[];
    return rows.map((r) => ({ silenceId: r.silence_id, incidentKey: r.incident_key, amUrl: r.am_url, alertKeys: JSON.parse(r.alert_keys) as string[], body: r.body, endsAtMs: Number(r.ends_at_ms) }));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}
