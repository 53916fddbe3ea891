import { BrokenCircuitError } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROFILES, PROFILE_NAMES } from '../../src/shared/domain/profile.js';
import { ResilienceRegistry, retrySettings } from '../../src/main/resilience/policies.js';
import { systemClock } from '../../src/shared/clock.js';

const fail = () => Promise.reject(new Error('E_DOWN'));
const ok = () => Promise.resolve('ok');

describe('resilience policies per profile (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-11-22T08:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const name of PROFILE_NAMES) {
    const profile = PROFILES[name];
    it(`${name}: the breaker opens after ${profile.failureThreshold} failures in a row and half-opens after 30 s`, async () => {
      const reg = new ResilienceRegistry(profile, systemClock);
      const breaker = reg.breaker('svc');
      for (let i = 1; i < profile.failureThreshold; i++) {
        await expect(breaker.execute(fail)).rejects.toThrow('E_DOWN');
        expect(reg.status().breakers[0]!.state, `after ${i}`).toBe('closed');
      }
      await expect(breaker.execute(fail)).rejects.toThrow('E_DOWN');
      expect(reg.status().breakers[0]!.state).toBe('open');
      await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BrokenCircuitError);
      vi.advanceTimersByTime(29_999);
      await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BrokenCircuitError);
      vi.advanceTimersByTime(1);
      expect(await breaker.execute(ok)).toBe('ok'); // the half-open trial succeeds
      expect(reg.status().breakers[0]!.transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'closed']);
    });
  }

  it('patient-safety mode: a lower threshold and a longer half-open wait', async () => {
    const reg = new ResilienceRegistry(PROFILES.routine_clinic, systemClock);
    const breaker = reg.breaker('safety', { patientSafety: true });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(reg.status().breakers[0]).toMatchObject({ state: 'open', patientSafety: true }); // 2, not the profile's 5
    vi.advanceTimersByTime(30_000);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    vi.advanceTimersByTime(30_000);
    expect(await breaker.execute(ok)).toBe('ok');
  });

  for (const priority of ['critical', 'high', 'normal', 'low'] as const) {
    it(`retries at ${priority} priority are spaced by jittered backoff within bounds`, async () => {
      const profile = PROFILES.routine_clinic;
      const s = retrySettings(priority, profile);
      const reg = new ResilienceRegistry(profile, systemClock);
      const calls: number[] = [];
      const done = reg
        .retry(priority)
        .execute(() => {
          calls.push(Date.now());
          return fail();
        })
        .catch((e: Error) => e);
      await vi.runAllTimersAsync();
      expect(((await done) as Error).message).toBe('E_DOWN');
      expect(calls).toHaveLength(s.attempts + 1);
      const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
      for (const g of gaps) {
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(s.maxMs);
      }
      expect(reg.status().retries).toMatchObject({ failed: 1, retried: s.attempts });
    });
  }

  it('critical priority fails fast: one retry; low priority tries longest', () => {
    expect(retrySettings('critical', PROFILES.research).attempts).toBe(1);
    expect(retrySettings('low', PROFILES.research).attempts).toBe(7);
    expect(retrySettings('normal', PROFILES.critical_care).attempts).toBe(1);
  });
});
