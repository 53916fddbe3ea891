// Typed events a service owns, and the coalescing helpers the composition
// root uses instead of hand-written timers.
import type { DisposableStore, Dispose } from './disposables.js';

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  on(listener: (value: T) => void): Dispose {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

/**
 * Collects values and hands them over at most once per `ms` (the first value
 * starts the wait): a storm of changes becomes one call. The pending call is
 * cancelled when `store` is disposed.
 */
export function accumulate<T>(store: DisposableStore, ms: number, deliver: (values: T[]) => void): (value: T) => void {
  let pending: T[] | null = null;
  return (value) => {
    if (pending) {
      pending.push(value);
      return;
    }
    pending = [value];
    store.timeout(() => {
      const values = pending!;
      pending = null;
      deliver(values);
    }, ms);
  };
}

/** At most one call per `ms`, with nothing to carry; `flush` delivers now and cancels the wait. */
export function throttle(store: DisposableStore, ms: number | (() => number), deliver: () => void): { request(): void; flush(): void } {
  let cancel: Dispose | null = null;
  return {
    request() {
      if (cancel) return;
      cancel = store.timeout(() => {
        cancel = null;
        deliver();
      }, typeof ms === 'number' ? ms : ms());
    },
    flush() {
      cancel?.();
      cancel = null;
      deliver();
    },
  };
}
