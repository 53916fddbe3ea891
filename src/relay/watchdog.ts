// The dead man's switch. Prometheus setups fire an always-on alert (by
// convention `Watchdog`) through the whole pipeline. The relay takes it as a
// heartbeat and never stores it as an alert. When the heartbeat stops, the
// relay stores a synthetic `pipeline:watchdog` alert so that every console
// pages; a returning heartbeat resolves it.
import type { NewAlert } from '../shared/domain/alert.js';
import { isoTime } from '../shared/clock.js';

import { WATCHDOG_KEY } from '../shared/domain/pipeline.js';

export { WATCHDOG_KEY };
export const META_LAST_SEEN = 'watchdog_last_seen';
export const META_SILENT = 'watchdog_silent_since';

export interface WatchdogConfig {
  alertname: string;
  /** 0 turns the switch off (a pipeline without a Watchdog) */
  timeoutS: number;
}

export type WatchdogState =
  | { kind: 'off' }
  /** sinceStart: no Watchdog seen yet; the clock runs from the relay's start */
  | { kind: 'alive'; lastSeenMs: number; sinceStart?: boolean }
  | { kind: 'silent'; lastSeenMs: number | null; silentSinceMs: number };

export function isWatchdog(a: { alertname?: string }, alertname: string): boolean {
  return a.alertname === alertname;
}

/** The synthetic alert for a silent pipeline, or its resolution. */
export function pipelineAlert(status: 'firing' | 'resolved', c: WatchdogConfig, lastSeenMs: number | null, nowIso: string, sinceStart = false): NewAlert {
  const since = lastSeenMs === null ? 'the relay started' : sinceStart ? `the relay started at ${isoTime(lastSeenMs)}` : isoTime(lastSeenMs);
  return {
    key: WATCHDOG_KEY,
    source: 'native',
    status,
    severity: 'SEV2',
    summary:
      status === 'firing'
        ? `Alerting pipeline silent: no ${c.alertname} alert since ${since}. Pages from the hospital's monitoring may be missing; check Prometheus and Alertmanager.`
        : `Alerting pipeline back: ${c.alertname} received again`,
    service: 'alerting-pipeline',
    labels: { alertname: 'AlertingPipelineSilent', category: 'service_unavailable', watchdog: c.alertname.slice(0, 4096) },
    annotations: {},
    links: [],
    startsAt: nowIso,
  };
}

/** Decides, from the stored marks and the time, what the relay must store. */
export class Watchdog {
  state: WatchdogState;

  /** For /healthz: alive or silent, and when the Watchdog was last seen (null: not since this relay started). */
  report(): { state: WatchdogState['kind']; lastSeen: string | null } {
    const s = this.state;
    const seen = s.kind === 'alive' ? (s.sinceStart ? null : s.lastSeenMs) : s.kind === 'silent' ? s.lastSeenMs : null;
    return { state: s.kind, lastSeen: seen === null ? null : isoTime(seen) };
  }

  constructor(
    readonly config: WatchdogConfig,
    lastSeen: string | undefined,
    silentSince: string | undefined,
    startedMs: number,
  ) {
    const seen = lastSeen ? Date.parse(lastSeen) : NaN;
    const silent = silentSince ? Date.parse(silentSince) : NaN;
    const lastSeenMs = Number.isFinite(seen) ? seen : null;
    // armed from the relay's start: a pipeline that never sent its Watchdog is as silent as one that stopped
    if (config.timeoutS <= 0) this.state = { kind: 'off' };
    else if (Number.isFinite(silent)) this.state = { kind: 'silent', lastSeenMs, silentSinceMs: silent };
    else if (lastSeenMs !== null) this.state = { kind: 'alive', lastSeenMs };
    else this.state = { kind: 'alive', lastSeenMs: startedMs, sinceStart: true };
  }

  /** A Watchdog arrived: the alert to store when it ends a silence. */
  seen(nowMs: number): NewAlert | null {
    if (this.state.kind === 'off') return null;
    const wasSilent = this.state.kind === 'silent' ? this.state : null;
    this.state = { kind: 'alive', lastSeenMs: nowMs };
    return wasSilent ? pipelineAlert('resolved', this.config, nowMs, isoTime(nowMs)) : null;
  }

  /** Time passed: the alert to store when the heartbeat has just gone silent. */
  check(nowMs: number): NewAlert | null {
    if (this.state.kind !== 'alive') return null;
    if (nowMs - this.state.lastSeenMs < this.config.timeoutS * 1000) return null;
    const { lastSeenMs, sinceStart } = this.state;
    this.state = { kind: 'silent', lastSeenMs: sinceStart ? null : lastSeenMs, silentSinceMs: nowMs };
    return pipelineAlert('firing', this.config, lastSeenMs, isoTime(nowMs), sinceStart);
  }

  /** The marks to store with the alerts, so a restarted relay knows where it was. */
  marks(): Record<string, string> {
    const s = this.state;
    if (s.kind === 'off') return {};
    if (s.kind === 'alive') return s.sinceStart ? { [META_SILENT]: '' } : { [META_LAST_SEEN]: isoTime(s.lastSeenMs), [META_SILENT]: '' };
    return { ...(s.lastSeenMs !== null ? { [META_LAST_SEEN]: isoTime(s.lastSeenMs) } : {}), [META_SILENT]: isoTime(s.silentSinceMs) };
  }
}
