import type { Alert } from '../../shared/domain/alert.js';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { Db } from '../store/database.js';

/** Alerts received from relays, idempotent on (relay id, seq), with a resume cursor per relay. */
export class FeedStore {
  private readonly insert;
  private readonly cursorGet;
  private readonly cursorSet;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO feed_alert (relay_id, seq, key, status, severity, received_at, stored_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.cursorGet = db.prepare('SELECT last_seq FROM feed_cursor WHERE relay_id = ?').pluck();
    this.cursorSet = db.prepare(
      'INSERT INTO feed_cursor (relay_id, last_seq) VALUES (?, ?) ON CONFLICT(relay_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)',
    );
  }

  /** Store a page in one transaction; returns only the alerts not seen before. */
  storePage(relayId: string, alerts: Alert[]): Alert[] {
    if (alerts.length === 0) return [];
    const storedAt = isoTime(this.clock.now());
    return this.db.transaction(() => {
      const fresh: Alert[] = [];
      let max = 0;
      for (const a of alerts) {
        if (a.relayId !== relayId) continue;
        const r = this.insert.run(relayId, a.seq, a.key, a.status, a.severity, a.receivedAt, storedAt, JSON.stringify(a));
        if (r.changes === 1) fresh.push(a);
        if (a.seq > max) max = a.seq;
      }
      if (max > 0) this.cursorSet.run(relayId, max);
      return fresh;
    })();
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
