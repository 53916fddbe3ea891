// How long a person must wait before the next PIN attempt: free for the
// first few slips of a tired hand, then doubling, per operator and per
// workstation, so that guessing every 4-digit PIN takes months, not minutes.

/** Failed attempts allowed without any wait. */
export const FREE_ATTEMPTS = 3;
/** The longest wait between two attempts. */
export const MAX_DELAY_MS = 5 * 60_000;
/** Consecutive failures after which the operator is locked out until an admin resets the PIN. */
export const LOCKOUT_AFTER = 10;

/** The wait after `failures` consecutive failed attempts. */
export function pinDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_ATTEMPTS));
}

/** When the next attempt may be made, or null when now is fine. */
export function nextAttemptAt(failures: number, lastFailedMs: number | null): number | null {
  const d = pinDelayMs(failures);
  return d === 0 || lastFailedMs === null ? null : lastFailedMs + d;
}
