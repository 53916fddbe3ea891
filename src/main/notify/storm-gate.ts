// Paging in a storm: a SEV1 is never held or merged. Of each lower severity,
// the first few pages in a window go out as they come; past that, the window's
// pages are held and go out as one summary when it closes ("14 new SEV3
// incidents"), so the desktop notifier is not called thousands of times a
// second and the person is not buried. Stopping sends what is held.
import type { Severity } from '../../shared/domain/alert.js';
import type { Timers, TimerHandle } from '../platform/timers.js';
import type { PageRequest } from '../incidents/incident-engine.js';

export interface StormGateOptions {
  /** how long a window lasts (ms) */
  windowMs: number;
  /** pages of one severity sent one by one in a window before the rest are summarised */
  burst: number;
}

export const STORM_DEFAULTS: StormGateOptions = { windowMs: 10_000, burst: 3 };

/** What a window held back: its first page and how many in all (never the incidents themselves: a storm holds tens of thousands). */
export interface HeldPages {
  first: PageRequest;
  count: number;
  /** every held page was an escalation */
  escalatedOnly: boolean;
}

interface Window {
  sent: number;
  held: HeldPages | null;
  timer: TimerHandle;
}

export class StormGate {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly out: { page(req: PageRequest): void; summary(severity: Severity, held: HeldPages): void },
    private readonly timers: Timers,
    private readonly options: StormGateOptions = STORM_DEFAULTS,
  ) {}

  offer(req: PageRequest): void {
    const sev = req.incident.severity;
    if (sev === 'SEV1') return this.out.page(req);
    const key = `${sev}:${req.reason}`;
    let w = this.windows.get(key);
    if (!w) {
      w = { sent: 0, held: null, timer: this.timers.setTimeout(() => this.close(key), this.options.windowMs) };
      this.windows.set(key, w);
    }
    if (w.sent < this.options.burst) {
      w.sent++;
      this.out.page(req);
    } else if (!w.held) w.held = { first: req, count: 1, escalatedOnly: req.reason === 'escalation' };
    else {
      w.held.count++;
      w.held.escalatedOnly &&= req.reason === 'escalation';
    }
  }

  private close(key: string): void {
    const w = this.windows.get(key);
    this.windows.delete(key);
    if (!w?.held) return;
    if (w.held.count === 1) this.out.page(w.held.first);
    else this.out.summary(w.held.first.incident.severity, w.held);
  }

  /** Stop: what is held goes out now. */
  dispose(): void {
    for (const [key, w] of [...this.windows]) {
      this.timers.clearTimeout(w.timer);
      this.close(key);
    }
  }
}
