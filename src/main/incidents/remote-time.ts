// When another console's action counts. Its claimed time is believed when it
// lies between the incident's opening and now (plus a small skew); otherwise
// the relay's receive time (or now) is used, so a wrong or hostile clock
// cannot rewrite the response-time figures.
import { isoTime } from '../../shared/clock.js';

/** How far ahead of this console's clock another console's action time may be before it is not believed. */
export const REMOTE_SKEW_MS = 2 * 60_000;

export function remoteActionTime(claimedAt: string, openedAt: string, receivedAt: string | undefined, now: number): { at: string; adjusted: boolean; claimed: number | null } {
  const claimed = Date.parse(claimedAt);
  const opened = Date.parse(openedAt);
  if (Number.isFinite(claimed) && claimed <= now + REMOTE_SKEW_MS && claimed >= opened) return { at: isoTime(Math.min(claimed, now)), adjusted: false, claimed };
  const received = receivedAt ? Date.parse(receivedAt) : NaN;
  const fallback = Number.isFinite(received) && received <= now + REMOTE_SKEW_MS ? Math.min(received, now) : now;
  return { at: isoTime(Math.max(fallback, opened)), adjusted: true, claimed: Number.isFinite(claimed) ? claimed : null };
}
