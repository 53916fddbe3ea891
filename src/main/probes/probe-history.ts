import type { ProbeResult, ProbeState } from '../../shared/domain/probe.js';
import type { Db } from '../store/database.js';
import { systemTimers, type TimerHandle, type Timers } from '../platform/timers.js';

/** The last `capacity` results of each probe, in SQLite: a ring buffer that never grows. */
export class ProbeHistory {
  private readonly next = new Map<string, number>();
  private readonly put;
  private readonly recentStmt;

  constructor(
    private readonly db: Db,
    readonly capacity = 120,
    private readonly timers: Timers = systemTimers,
  ) {
    this.put = db.prepare(
      `INSERT INTO probe_result (probe_id, slot, n, at, state, latency_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(probe_id, slot) DO UPDATE SET n = excluded.n, at = excluded.at, state = excluded.state, latency_ms = excluded.latency_ms, detail = excluded.detail`,
    );
    this.recentStmt = db.prepare('SELECT at, state, latency_ms AS latencyMs, detail FROM probe_result WHERE probe_id = ? ORDER BY n DESC LIMIT ?');
  }

  private pending: ProbeResult[] = [];
  private timer: TimerHandle | null = null;

  /**
   * Results are written in one transaction a second: history is for display
   * and the safety assessment, and one fsync per probe run would cost more
   * than the probing itself.
   */
  record(r: ProbeResult): void {
    this.pending.push(r);
    this.timer ??= this.timers.setTimeout(() => this.flush(), 1000);
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || !this.db.open) return;
    const batch = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const r of batch) {
        let n = this.next.get(r.probeId);
        if (n === undefined) n = ((this.db.prepare('SELECT max(n) FROM probe_result WHERE probe_id = ?').pluck().get(r.probeId) as number | null) ?? -1) + 1;
        this.put.run(r.probeId, n % this.capacity, n, r.at, r.state, r.latencyMs, r.detail.slice(0, 500));
        this.next.set(r.probeId, n + 1);
      }
    })();
  }

  /** Newest last. */
  recent(probeId: string, limit = this.capacity): { at: string; state: ProbeState; latencyMs: number | null; detail: string }[] {
    this.flush();
    return (this.recentStmt.all(probeId, limit) as { at: string; state: ProbeState; latencyMs: number | null; detail: string }[]).reverse();
  }

  count(probeId: string): number {
    this.flush();
    return this.db.prepare('SELECT count(*) FROM probe_result WHERE probe_id = ?').pluck().get(probeId) as number;
  }
}
