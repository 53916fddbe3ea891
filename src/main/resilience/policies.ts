import {

  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  decorrelatedJitterGenerator,
  handleAll,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from 'cockatiel';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { BreakerStatus, ClinicalPriority, ErrorCategory, ResilienceStatus } from '../../shared/domain/taxonomy.js';
import type { ResilienceProfile } from '../../shared/domain/profile.js';
import { breakerState } from './breaker-state.js';

/** Retry by clinical priority (seed 004): critical fails fast; low work may wait. */
export function retrySettings(priority: ClinicalPriority, profile: ResilienceProfile): { attempts: number; initialMs: number; maxMs: number } {
  switch (priority) {
    case 'critical':
      return { attempts: 1, initialMs: 50, maxMs: 250 };
    case 'high':
      return { attempts: Math.min(2, profile.retries), initialMs: 100, maxMs: 1000 };
    case 'normal':
      return { attempts: profile.retries, initialMs: 200, maxMs: 5000 };
    case 'low':
      return { attempts: profile.retries + 2, initialMs: 500, maxMs: 30_000 };
  }
}

/** Breakers open after the profile's threshold; patient-safety breakers wait longer before trying again. */
export function breakerSettings(profile: ResilienceProfile, patientSafety: boolean): { threshold: number; halfOpenAfterMs: number } {
  return { threshold: patientSafety ? Math.min(profile.failureThreshold, 2) : profile.failureThreshold, halfOpenAfterMs: patientSafety ? 60_000 : 30_000 };
}

/**
 * Every policy the console uses, made from the active profile and watched:
 * breaker transitions, retry outcomes and error counts feed the Status view.
 */
export class ResilienceRegistry {
  private readonly breakers = new Map<string, { policy: CircuitBreakerPolicy; status: BreakerStatus }>();
  private readonly retries = { attempts: 0, retried: 0, succeededAfterRetry: 0, failed: 0 };
  private readonly errors: Partial<Record<ErrorCategory, number>> = {};

  constructor(
    readonly profile: ResilienceProfile,
    private readonly clock: Clock,
    private readonly onChange: () => void = () => undefined,
  ) {}

  breaker(name: string, opts: { patientSafety?: boolean; threshold?: number; halfOpenAfterMs?: number } = {}): CircuitBreakerPolicy {
    const existing = this.breakers.get(name);
    if (existing) return existing.policy;
    const base = breakerSettings(this.profile, opts.patientSafety ?? false);
    const policy = circuitBreaker(handleAll, { halfOpenAfter: opts.halfOpenAfterMs ?? base.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.threshold ?? base.threshold) });
    const status: BreakerStatus = { name, state: 'closed', since: isoTime(this.clock.now()), patientSafety: opts.patientSafety ?? false, transitions: [] };
    policy.onStateChange((s) => {
      const at = isoTime(this.clock.now());
      status.state = breakerState(s);
      status.since = at;
      status.transitions.push({ at, to: breakerState(s) });
      if (status.transitions.length > 50) status.transitions.shift();
      this.onChange();
    });
    this.breakers.set(name, { policy, status });
    return policy;
  }

  retry(priority: ClinicalPriority): RetryPolicy {
    const s = retrySettings(priority, this.profile);
    const policy = retry(handleAll, { maxAttempts: s.attempts, backoff: new ExponentialBackoff({ initialDelay: s.initialMs, maxDelay: s.maxMs, generator: decorrelatedJitterGenerator }) });
    policy.onRetry(() => {
      this.retries.retried++;
    });
    policy.onSuccess(({ duration }) => {
      void duration;
      this.retries.attempts++;
    });
    policy.onGiveUp(() => {
      this.retries.attempts++;
      this.retries.failed++;
      this.onChange();
    });
    return policy;
  }

  /** Count a retried call that finally succeeded (the caller knows). */
  succeededAfterRetry(): void {
    this.retries.succeededAfterRetry++;
  }

  error(category: ErrorCategory): void {
    this.errors[category] = (this.errors[category] ?? 0) + 1;
    this.onChange();
  }

  status(): ResilienceStatus {
    const r = this.retries;
    return {
      profile: this.profile.name,
      breakers: [...this.breakers.values()].map((b) => ({ ...b.status, transitions: [...b.status.transitions] })),
      retries: { ...r, successRate: r.attempts ? (r.attempts - r.failed) / r.attempts : null },
      errorsByCategory: { ...this.errors },
    };
  }
}
