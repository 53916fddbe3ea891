// The leaf platform layer: one lifetime for timers, owned events and the coalescers built on them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DisposableStore } from '../../src/main/platform/disposables.js';
import { accumulate, Emitter, throttle } from '../../src/main/platform/emitter.js';

describe('platform: lifetimes and events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('disposes every timer and subscription it holds, in reverse order, and undoes late additions at once', () => {
    const store = new DisposableStore();
    const calls: string[] = [];
    store.interval(() => calls.push('tick'), 100);
    store.timeout(() => calls.push('once'), 150);
    store.add(() => calls.push('a'));
    store.add(() => calls.push('b'));
    vi.advanceTimersByTime(120);
    expect(calls).toEqual(['tick']);
    store.dispose();
    expect(calls).toEqual(['tick', 'b', 'a']);
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual(['tick', 'b', 'a']); // nothing fires after dispose
    store.add(() => calls.push('late'));
    expect(calls.at(-1)).toBe('late');
    expect(store.size).toBe(0);
  });

  it('forgets a one-shot timer once it has fired', () => {
    const store = new DisposableStore();
    store.timeout(() => undefined, 10);
    expect(store.size).toBe(1);
    vi.advanceTimersByTime(10);
    expect(store.size).toBe(0);
  });

  it('accumulates a storm of values into one delivery per wait, and delivers nothing after dispose', () => {
    const store = new DisposableStore();
    const got: number[][] = [];
    const push = accumulate<number>(store, 250, (v) => got.push(v));
    for (let i = 0; i < 1000; i++) push(i);
    vi.advanceTimersByTime(250);
    expect(got).toHaveLength(1);
    expect(got[0]).toHaveLength(1000);
    push(1);
    store.dispose();
    vi.advanceTimersByTime(1000);
    expect(got).toHaveLength(1);
  });

  it('throttles to one call per wait, flushes at once on demand', () => {
    const store = new DisposableStore();
    let n = 0;
    const t = throttle(store, 250, () => n++);
    t.request();
    t.request();
    vi.advanceTimersByTime(250);
    expect(n).toBe(1);
    t.request();
    t.flush();
    expect(n).toBe(2);
    vi.advanceTimersByTime(500);
    expect(n).toBe(2);
  });

  it('emits to each listener until it unsubscribes', () => {
    const e = new Emitter<string>();
    const got: string[] = [];
    const off = e.on((v) => got.push(v));
    e.emit('a');
    off();
    e.emit('b');
    expect(got).toEqual(['a']);
  });
});

describe('platform: injected timers', () => {
  it('a lifetime runs its timers through the timers it was given', () => {
    const scheduled: number[] = [];
    const cleared: unknown[] = [];
    const fake = {
      setTimeout: (_fn: () => void, ms: number) => (scheduled.push(ms), { unref() {} }) as never,
      clearTimeout: (h: unknown) => void cleared.push(h),
      setInterval: (_fn: () => void, ms: number) => (scheduled.push(ms), { unref() {} }) as never,
      clearInterval: (h: unknown) => void cleared.push(h),
    };
    const store = new DisposableStore(fake);
    store.timeout(() => undefined, 250);
    store.interval(() => undefined, 1000);
    expect(scheduled).toEqual([250, 1000]);
    store.dispose();
    expect(cleared).toHaveLength(2);
  });
});
