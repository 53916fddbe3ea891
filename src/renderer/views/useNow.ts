import { useSyncExternalStore } from 'react';

// One clock for every countdown on screen: one timer, one render pass a second,
// instead of a timer per row firing out of step.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 1000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, updated once a second (for countdowns). */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}

export function countdown(targetIso: string, now: number): { text: string; overdue: boolean } {
  // in words, so it never reads as a clock time: "14 min left", "3 min overdue", "1 h 05 min left", "40 s left"
  const ms = Date.parse(targetIso) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const amount = h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min` : `${Math.floor(abs / 1000)} s`;
  return ms >= 0 ? { text: `${amount} left`, overdue: false } : { text: `${amount} overdue`, overdue: true };
}
