import type { Operator } from './operator.js';
import type { Severity } from './alert.js';
import type { ResilienceStatus } from './taxonomy.js';
import type { AuditVerifyReport } from './audit.js';
import type { BreakerState } from './taxonomy.js';

export type FeedState = 'not_configured' | 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type DegradationLevel = 'normal' | 'degraded' | 'emergency';
export type ShellMode = 'electron' | 'browser';

export interface ConsoleStatus {
  version: string;
  mode: ShellMode;
  /** false when the Electron runtime binary is missing and browser mode took over */
  electronRuntime: boolean;
  startedAt: string;
  now: string;
  /**
   * The order in which this console made its statuses. Answers and events
   * travel apart (HTTP and a WebSocket in browser mode), so a status made
   * earlier can arrive later: the renderer keeps the one with the higher
   * serial of the same `instance`.
   */
  serial: number;
  /** which console made it (one per process): serials count within one */
  instance: string;
  feed: {
    state: FeedState;
    since: string;
    detail: string;
    breaker: BreakerState;
    relayId: string | null;
    lastSeq: number;
    alertsStored: number;
    /** alerts from the relay refused by this console's schema or set aside: counted, audited */
    quarantined: number;
    /** stored alerts wait to be made into incidents (after a crash or a failed apply) */
    applyPending: boolean;
    /** the relay reports it cannot store (disk full, I/O error) */
    relayStorageFault: { code: string; since: string } | null;
  };
  /** a silent pipeline is paged, never mistaken for a quiet night */
  pipeline: {
    /** the relay feed has been down past the set time, since then */
    feedSilentSince: string | null;
    /** the relay's Watchdog (dead man's switch) has gone silent: the open incident's time */
    watchdogSilentSince: string | null;
  };
  degradation: DegradationLevel;
  /** the worst unacknowledged incidents (not snoozed): what the window's alarm bar shows until they are acknowledged */
  alarm: { severity: Severity; count: number; oldestOpenedAt: string; incidentId: string } | null;
  /** why, in words (empty when normal): the feed, failing checks, unacknowledged SEV1s, an audit fault */
  degradationReasons: string[];
  resilience: ResilienceStatus | null;
  operator: Operator | null;
  /** locked after inactivity: only counts are shown until the operator unlocks */
  locked: boolean;
  /** why it locked: the inactivity period passed, or someone locked it */
  lockReason: 'inactivity' | 'manual' | null;
  lockAfterMs: number;
  probes: { total: number; down: number; criticalDown: number; errors: number; profile: string };
  incidents: { open: number; unacknowledged: number; bySeverity: Record<Severity, number>; pendingSync: number };
  audit: {
    records: number;
    lastSeq: number;
    lastVerification: AuditVerifyReport | null;
    /** a full verification is running in the background */
    verifying: boolean;
    /** records go to this fault segment while the main chain cannot be extended (null: main chain) */
    segment: number | null;
    segmentRecords: number;
  };
}
