/** Time is injected so that timers, escalation and retention are testable. */
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

let lastMs = Number.NaN;
let lastIso = '';

/** ISO 8601 in UTC, to the millisecond. A storm asks for the same millisecond many times over: the last one is kept. */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastIso;
  const iso = new Date(ms).toISOString(); // throws for a time that is not one, as it always did
  lastMs = ms;
  lastIso = iso;
  return iso;
}
