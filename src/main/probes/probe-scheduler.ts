import {
  BrokenCircuitError,

  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleAll,
  handleWhenResult,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from 'cockatiel';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { Alert, Severity } from '../../shared/domain/alert.js';
import type { ProbeResult, ProbeView } from '../../shared/domain/probe.js';
import type { ResilienceProfile } from '../../shared/domain/profile.js';
import type { Logger } from '../platform/logger.js';
import type { FeedStore } from '../feed/feed-store.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import { describeTarget, type ProbeConfig } from './probe-config.js';
import type { ProbeHistory } from './probe-history.js';
import { runProbe, type Outcome } from './probe-kinds.js';
import { breakerState } from '../resilience/breaker-state.js';
import { systemTimers, type TimerHandle, type Timers } from '../platform/timers.js';
import { Emitter } from '../platform/emitter.js';

export const LOCAL_RELAY_ID = 'local';

class ProbeDown extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.detail);
  }
}

interface Slot {
  config: ProbeConfig;
  intervalMs: number;
  breaker: CircuitBreakerPolicy;
  retry: RetryPolicy;
  /** a run in progress (scheduled or on demand); a second is skipped */
  running: boolean;
  /** the next scheduled run: none (stopped), or due at a time with its timer */
  schedule: { kind: 'off' } | { kind: 'due'; at: number; timer: TimerHandle };
  consecutiveFailures: number;
  last: ProbeResult | null;
  /** false once we know there is no open incident for this probe (skips a query per healthy run) */
  mayHaveIncident: boolean;
}

export interface ProbeSchedulerDeps {
  clock: Clock;
  profile: ResilienceProfile;
  history: ProbeHistory;
  incidents: IncidentEngine;
  feedStore: FeedStore;
  logger: Logger;
  /** injected randomness for start jitter */
  random?: () => number;
  /** timers for the schedule (default: the system's) */
  timers?: Timers;
  /** the breaker for one target (from the resilience registry); default: its own */
  breakerFor?: (config: ProbeConfig, intervalMs: number) => CircuitBreakerPolicy;
  /** replaces the real probe (scheduler benchmark / fake targets) */
  runner?: (p: ProbeConfig) => Promise<Outcome>;
}

/** Raise (and recover) a local alert through the same incident pipeline as relay alerts. */
export function localAlert(feedStore: FeedStore, key: string, status: 'firing' | 'resolved', severity: Severity, summary: string, service: string, labels: Record<string, string>, now: string): Alert {
  const seq = feedStore.cursor(LOCAL_RELAY_ID) + 1;
  const alert: Alert = { relayId: LOCAL_RELAY_ID, seq, key, source: 'native', status, severity, summary: summary.slice(0, 1024), service: service.slice(0, 256), labels, annotations: {}, links: [], startsAt: now, receivedAt: now };
  feedStore.storePage(LOCAL_RELAY_ID, [alert]);
  return alert;
}

/**
 * Runs each probe on its interval (random start offset, never two runs of one
 * probe at once), with retries and a circuit breaker per target, keeps a
 * bounded history, and opens/resolves local incidents at the profile's
 * failure threshold.
 */
export class ProbeScheduler {
  private readonly slots = new Map<string, Slot>();
  private started = false;

  private readonly timers: Timers;
  /** every probe result, after it is recorded and judged */
  readonly result = new Emitter<ProbeResult>();
  /** a probe found its target down */
  readonly down = new Emitter<ProbeConfig>();
  /** how late a scheduled run started (ms): for the benchmark */
  readonly startLag = new Emitter<number>();

  constructor(
    probes: ProbeConfig[],
    private readonly deps: ProbeSchedulerDeps,
  ) {
    this.timers = deps.timers ?? systemTimers;
    for (const config of probes) {
      const intervalMs = config.interval ?? deps.profile.healthCheckIntervalMs;
      const breaker =
        deps.breakerFor?.(config, intervalMs) ??
        circuitBreaker(handleAll, {
          halfOpenAfter: intervalMs,
          breaker: new ConsecutiveBreaker(Math.max(3, deps.profile.failureThreshold)),
        });
      const retries = config.retries ?? deps.profile.retries;
      const retryPolicy = retry(handleWhenResult((o) => (o as Outcome).state === 'down'), {
        maxAttempts: retries,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
      });
      this.slots.set(config.id, { config, intervalMs, breaker, retry: retryPolicy, running: false, schedule: { kind: 'off' }, consecutiveFailures: 0, last: null, mayHaveIncident: true });
    }
  }

  incidentKey(id: string): string {
    return `local:probe:${id}`;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const random = this.deps.random ?? Math.random;
    for (const slot of this.slots.values()) {
      // spread first runs over the first interval (at most 5 s) so they do not stampede
      this.schedule(slot, Math.floor(random() * Math.min(slot.intervalMs, 5000)));
    }
  }

  stop(): void {
    this.started = false;
    this.deps.history.flush();
    for (const s of this.slots.values()) {
      if (s.schedule.kind === 'due') this.timers.clearTimeout(s.schedule.timer);
      s.schedule = { kind: 'off' };
    }
  }

  private schedule(slot: Slot, delay: number): void {
    if (!this.started) return;
    const clock = this.deps.clock;
    const at = clock.now() + delay;
    const timer = this.timers.setTimeout(() => {
      this.startLag.emit(clock.now() - at);
      const next = at + slot.intervalMs;
      void this.runOnce(slot.config.id).finally(() => this.schedule(slot, Math.max(0, next - clock.now())));
    }, delay);
    timer.unref?.();
    slot.schedule = { kind: 'due', at, timer };
  }

  /** Run one probe now (skipped if it is already running). */
  async runOnce(id: string): Promise<ProbeResult | null> {
    const slot = this.slots.get(id);
    if (!slot || slot.running) return null;
    slot.running = true;
    try {
      const runner = this.deps.runner ?? runProbe;
      let outcome: Outcome;
      try {
        outcome = await slot.breaker.execute(async () => {
          const o = await slot.retry.execute(() => runner(slot.config));
          if (o.state === 'down') throw new ProbeDown(o); // breakers count thrown failures
          return o;
        });
      } catch (err) {
        outcome =
          err instanceof ProbeDown
            ? err.outcome
            : err instanceof BrokenCircuitError
            ? { state: 'down', latencyMs: null, detail: `circuit open after repeated failures: ${slot.last?.detail ?? 'down'}` }
            : { state: 'down', latencyMs: null, detail: (err as Error).message };
      }
      const result: ProbeResult = { probeId: id, at: isoTime(this.deps.clock.now()), state: outcome.state, latencyMs: outcome.latencyMs, detail: outcome.detail, ...(outcome.values ? { values: outcome.values } : {}) };
      slot.last = result;
      this.deps.history.record(result);
      if (result.state === 'down') this.down.emit(slot.config);
      this.judge(slot, result);
      this.result.emit(result);
      return result;
    } finally {
      slot.running = false;
    }
  }

  /** Failures in a row reach the threshold: open; a success while open: resolve. */
  private judge(slot: Slot, r: ProbeResult): void {
    const key = this.incidentKey(slot.config.id);
    if (r.state !== 'down' && !slot.mayHaveIncident) {
      slot.consecutiveFailures = 0;
      return;
    }
    const open = this.deps.incidents.findOpen(key);
    const now = r.at;
    const labels = { probe: slot.config.id, kind: slot.config.kind, target: describeTarget(slot.config), origin: 'local' };
    if (r.state === 'down') {
      slot.consecutiveFailures++;
      if (!open && slot.consecutiveFailures >= this.deps.profile.failureThreshold) {
        const summary = `${slot.config.name} failing ${slot.consecutiveFailures}× in a row: ${r.detail}`;
        this.deps.incidents.ingest([localAlert(this.deps.feedStore, key, 'firing', slot.config.severity, summary, slot.config.name, labels, now)], 'local');
      }
      slot.mayHaveIncident = true;
      return;
    }
    slot.consecutiveFailures = 0;
    // an operator may resolve the incident by hand; a new one can only come from a failure, which sets the flag again
    slot.mayHaveIncident = false;
    if (open) this.deps.incidents.ingest([localAlert(this.deps.feedStore, key, 'resolved', open.severity, `${slot.config.name} recovered: ${r.detail}`, slot.config.name, labels, now)], 'local');
  }

  lastValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.slots.values()) Object.assign(out, s.last?.values ?? {});
    return out;
  }

  configs(): ProbeConfig[] {
    return [...this.slots.values()].map((s) => s.config);
  }

  views(): ProbeView[] {
    return [...this.slots.values()].map((s) => ({
      id: s.config.id,
      name: s.config.name,
      kind: s.config.kind,
      target: describeTarget(s.config),
      critical: s.config.critical,
      severity: s.config.severity,
      intervalMs: s.intervalMs,
      state: s.last?.state ?? 'unknown',
      lastAt: s.last?.at ?? null,
      lastLatencyMs: s.last?.latencyMs ?? null,
      lastDetail: s.last?.detail ?? 'not run yet',
      consecutiveFailures: s.consecutiveFailures,
      breaker: breakerState(s.breaker.state),
      recentLatencies: this.deps.history.recent(s.config.id, 60).map((h) => (h.state === 'down' ? null : h.latencyMs)),
    }));
  }

  /** State counts from memory (status is pushed often; views() also reads history). */
  counts(): { total: number; down: number; criticalDown: number } {
    let down = 0;
    for (const s of this.slots.values()) if (s.last?.state === 'down') down++;
    return { total: this.slots.size, down, criticalDown: this.criticalDown() };
  }

  /** Critical probes currently down (for the degradation level). */
  criticalDown(): number {
    return [...this.slots.values()].filter((s) => s.config.critical && s.last?.state === 'down').length;
  }
}
