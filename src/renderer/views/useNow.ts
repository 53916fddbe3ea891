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
  const ms = Date.parse(targetIso) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const text = `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s).padStart(2, '0')}`;
  return ms >= 0 ? { text, overdue: false } : { text: `+${text}`, overdue: true };
}
