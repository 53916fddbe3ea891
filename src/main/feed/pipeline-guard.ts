import type { Clock } from '../../shared/clock.js';
import { isoTime } from '../../shared/clock.js';
import type { Severity } from '../../shared/domain/alert.js';
import type { FeedState } from '../../shared/domain/status.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { FeedStore } from './feed-store.js';
import { localAlert } from '../probes/probe-scheduler.js';

import { FEED_SILENCE_KEY } from '../../shared/domain/pipeline.js';

export { FEED_SILENCE_KEY };

export type FeedSilence = { kind: 'listening' } | { kind: 'down'; sinceMs: number } | { kind: 'silent'; sinceMs: number; severity: Severity };

export interface FeedSilenceDeps {
  clock: Clock;
  incidents: IncidentEngine;
  feedStore: FeedStore;
  /** how long the feed may be down before it pages */
  silenceMs: number;
  /** critical probes failing now: the silence is then a SEV1 */
  criticalDown: () => number;
}

/**
 * A silent pipeline is never mistaken for a quiet night: when the console's
 * feed has been down for the set time, a local `pipeline:feed` incident pages
 * (SEV2; SEV1 while a critical probe is also down); it resolves when the feed
 * is back.
 */
export class FeedSilenceGuard {
  state: FeedSilence;

  constructor(private readonly deps: FeedSilenceDeps) {
    const open = deps.incidents.findOpen(FEED_SILENCE_KEY);
    // a console restarted during a silence keeps the silence until the feed is back
    this.state = open ? { kind: 'silent', sinceMs: Date.parse(open.openedAt), severity: open.severity } : { kind: 'down', sinceMs: deps.clock.now() };
  }

  /** The feed's state changed or time passed. */
  update(feed: FeedState): void {
    const now = this.deps.clock.now();
    const s = this.state;
    if (feed === 'connected') {
      if (s.kind === 'silent') this.raise('resolved', s.severity, 'Receiving alerts from the relay again');
      this.state = { kind: 'listening' };
      return;
    }
    if (s.kind === 'listening') {
      this.state = { kind: 'down', sinceMs: now };
      return;
    }
    const severity: Severity = this.deps.criticalDown() > 0 ? 'SEV1' : 'SEV2';
    if (s.kind === 'down' && now - s.sinceMs >= this.deps.silenceMs) {
      this.raise('firing', severity, this.summary(s.sinceMs));
      this.state = { kind: 'silent', sinceMs: s.sinceMs, severity };
    } else if (s.kind === 'silent' && severity === 'SEV1' && s.severity !== 'SEV1') {
      this.raise('firing', 'SEV1', `${this.summary(s.sinceMs)} A critical probe is failing too.`);
      this.state = { ...s, severity: 'SEV1' };
    }
  }

  /** When the console stopped receiving alerts, while that is a paged silence. */
  silentSince(): string | null {
    return this.state.kind === 'silent' ? isoTime(this.state.sinceMs) : null;
  }

  private summary(sinceMs: number): string {
    return `Not receiving alerts since ${isoTime(sinceMs)}: pages from the hospital's monitoring may be missing. Check the relay and the network; watch the Health view; use the phone list meanwhile.`;
  }

  private raise(status: 'firing' | 'resolved', severity: Severity, summary: string): void {
    const now = isoTime(this.deps.clock.now());
    const alert = localAlert(this.deps.feedStore, FEED_SILENCE_KEY, status, severity, summary, 'alert-feed', { category: 'service_unavailable', alertname: 'AlertFeedSilent' }, now);
    this.deps.incidents.ingest([alert], 'local');
  }
}
