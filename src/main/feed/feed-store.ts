import { createHash } from 'node:crypto';
import { parseAlert, type Alert } from '../../shared/domain/alert.js';
import { isoTime, type Clock } from '../../shared/clock.js';
import { describeIssues } from '../../shared/contract.js';
import type { Db } from '../store/database.js';

/** An alert the relay sent that this console's schema refuses: why, and which one, never its text. */
export interface QuarantinedAlert {
  relayId: string;
  seq: number | null;
  reason: string;
  bytes: number;
  sha256: string;
}

export interface ReceivedPage {
  /** alerts stored for the first time, in sequence order (not yet made into incidents) */
  fresh: Alert[];
  quarantined: QuarantinedAlert[];
  /** the highest sequence number in the page, valid or not: the resume point */
  lastSeq: number;
}

/**
 * Alerts received from relays, idempotent on (relay id, seq), with a resume
 * cursor per relay. A stored alert is "unapplied" until the incident engine
 * has made it into an incident (in the engine's own transaction); start-up
 * applies whatever a crash left unapplied.
 */
export class FeedStore {
  private readonly insert;
  private readonly cursorGet;
  private readonly cursorSet;
  private readonly quarantineInsert;
  private readonly unappliedSelect;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO feed_alert (relay_id, seq, key, status, severity, received_at, stored_at, body, applied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.cursorGet = db.prepare('SELECT last_seq FROM feed_cursor WHERE relay_id = ?').pluck();
    this.cursorSet = db.prepare(
      'INSERT INTO feed_cursor (relay_id, last_seq) VALUES (?, ?) ON CONFLICT(relay_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)',
    );
    this.quarantineInsert = db.prepare('INSERT INTO feed_quarantine (at, relay_id, seq, reason, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?)');
    this.unappliedSelect = db.prepare('SELECT relay_id AS relayId, seq, body FROM feed_alert WHERE applied = 0 ORDER BY rowid LIMIT ?');
  }

  /** Store already-validated alerts (local ones) in one transaction; returns only the alerts not seen before. */
  storePage(relayId: string, alerts: Alert[]): Alert[] {
    if (alerts.length === 0) return [];
    return this.db.transaction(() => this.storeValid(relayId, alerts, false))();
  }

  private storeValid(relayId: string, alerts: Alert[], applied: boolean): Alert[] {
    const storedAt = isoTime(this.clock.now());
    const fresh: Alert[] = [];
    let max = 0;
    for (const a of alerts) {
      const r = this.insert.run(relayId, a.seq, a.key, a.status, a.severity, a.receivedAt, storedAt, JSON.stringify(a), applied ? 1 : 0);
      if (r.changes === 1) fresh.push(a);
      if (a.seq > max) max = a.seq;
    }
    if (max > 0) this.cursorSet.run(relayId, max);
    return fresh;
  }

  /**
   * A page from a relay, each alert validated on its own: valid ones stored,
   * invalid ones quarantined (counted and described, never kept verbatim), the
   * cursor moved past both, all in the caller's transaction or one of its own.
   * `applying`: the caller makes the fresh alerts into incidents in the same
   * transaction (it must, and must not commit without them), so they are
   * stored as applied — saving a write and an index entry made only to be
   * undone a moment later.
   */
  storeReceived(relayId: string, items: unknown[], options: { applying?: boolean } = {}): ReceivedPage {
    const valid: Alert[] = [];
    const quarantined: QuarantinedAlert[] = [];
    let lastSeq = 0;
    for (const item of items) {
      const seq = typeof (item as { seq?: unknown } | null)?.seq === 'number' && Number.isSafeInteger((item as { seq: number }).seq) && (item as { seq: number }).seq > 0 ? (item as { seq: number }).seq : null;
      if (seq !== null && seq > lastSeq) lastSeq = seq;
      const parsed = parseAlert(item);
      if (parsed.success && parsed.data.relayId === relayId) {
        valid.push(parsed.data);
        continue;
      }
      const text = JSON.stringify(item) ?? 'undefined';
      const reason = parsed.success ? `relayId: ${parsed.data.relayId.slice(0, 64)} is not the connected relay` : describeIssues(parsed.error).slice(0, 500);
      quarantined.push({ relayId, seq, reason, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
    }
    const run = () => {
      const fresh = this.storeValid(relayId, valid, options.applying === true);
      const at = isoTime(this.clock.now());
      for (const q of quarantined) this.quarantineInsert.run(at, q.relayId, q.seq, q.reason, q.bytes, q.sha256);
      if (lastSeq > 0) this.cursorSet.run(relayId, lastSeq);
      return fresh;
    };
    const fresh = this.db.inTransaction ? run() : this.db.transaction(run)();
    return { fresh, quarantined, lastSeq };
  }

  /** Stored alerts not yet made into incidents, oldest first, validated again (the file may have been edited). */
  unapplied(limit: number): { alerts: Alert[]; broken: { relayId: string; seq: number; reason: string }[] } {
    const alerts: Alert[] = [];
    const broken: { relayId: string; seq: number; reason: string }[] = [];
    for (const r of this.unappliedSelect.all(limit) as { relayId: string; seq: number; body: unknown }[]) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(r.body));
      } catch {
        broken.push({ relayId: r.relayId, seq: r.seq, reason: 'stored body is not JSON' });
        continue;
      }
      const v = parseAlert(parsed);
      if (v.success && v.data.relayId === r.relayId && v.data.seq === r.seq) alerts.push(v.data);
      else broken.push({ relayId: r.relayId, seq: r.seq, reason: v.success ? 'stored body does not match its row' : describeIssues(v.error).slice(0, 300) });
    }
    return { alerts, broken };
  }

  unappliedCount(): number {
    return this.db.prepare('SELECT count(*) FROM feed_alert WHERE applied = 0').pluck().get() as number;
  }

  /** A stored alert that cannot be made into an incident even on its own: set aside (applied = 2), counted, described. */
  setAside(relayId: string, seq: number, reason: string): void {
    this.db.transaction(() => {
      const body = String(this.db.prepare('SELECT body FROM feed_alert WHERE relay_id = ? AND seq = ?').pluck().get(relayId, seq) ?? '');
      this.db.prepare('UPDATE feed_alert SET applied = 2 WHERE relay_id = ? AND seq = ?').run(relayId, seq);
      this.quarantineInsert.run(isoTime(this.clock.now()), relayId, seq, reason.slice(0, 500), Buffer.byteLength(body), createHash('sha256').update(body).digest('hex'));
    })();
  }

  quarantinedCount(): number {
    return this.db.prepare('SELECT count(*) FROM feed_quarantine').pluck().get() as number;
  }

  ackCursor(relayId: string): number {
    return (this.db.prepare('SELECT ack_seq FROM feed_cursor WHERE relay_id = ?').pluck().get(relayId) as number | undefined) ?? 0;
  }

  setAckCursor(relayId: string, seq: number): void {
    this.db
      .prepare('INSERT INTO feed_cursor (relay_id, last_seq, ack_seq) VALUES (?, 0, ?) ON CONFLICT(relay_id) DO UPDATE SET ack_seq = max(ack_seq, excluded.ack_seq)')
      .run(relayId, seq);
  }

  cursor(relayId: string): number {
    return (this.cursorGet.get(relayId) as number | undefined) ?? 0;
  }

  count(relayId?: string): number {
    return relayId
      ? (this.db.prepare('SELECT count(*) FROM feed_alert WHERE relay_id = ?').pluck().get(relayId) as number)
      : (this.db.prepare('SELECT count(*) FROM feed_alert').pluck().get() as number);
  }

  seqs(relayId: string): number[] {
    return this.db.prepare('SELECT seq FROM feed_alert WHERE relay_id = ? ORDER BY rowid').pluck().all(relayId) as number[];
  }
}
