// What the status bar, the lock screen and the Status view show: one
// projection of the running services (counts and states only, no alert text).
import { isoTime } from '../../shared/clock.js';
import { WATCHDOG_KEY } from '../../shared/domain/pipeline.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { FeedClient } from '../feed/feed-client.js';
import type { AlertIntake } from '../feed/alert-intake.js';
import type { FeedStore } from '../feed/feed-store.js';
import type { FeedSilenceGuard } from '../feed/pipeline-guard.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { OperatorSession } from '../operator/session.js';
import type { ProbeScheduler } from '../probes/probe-scheduler.js';
import type { ResilienceRegistry } from '../resilience/policies.js';
import type { ResilienceProfile } from '../../shared/domain/profile.js';

/** The parts of a running console the projection reads. */
export interface StatusSources {
  audit: AuditLog;
  operator: OperatorSession;
  feedStore: FeedStore;
  feed: FeedClient | null;
  intake: AlertIntake;
  feedSilence: FeedSilenceGuard | null;
  incidents: IncidentEngine;
  profile: ResilienceProfile;
  probes: ProbeScheduler;
  probeErrors: string[];
  resilience: ResilienceRegistry;
}

export interface StatusInput {
  config: { version: string; mode: ConsoleStatus['mode']; electronRuntime: boolean; lockAfterMs: number; profile: string };
  startedAt: string;
  now: number;
  /** the order of this status among those the console made, and the console's instance (see ConsoleStatus) */
  serial: number;
  instance: string;
  running: StatusSources | null;
  verifying: boolean;
}

/**
 * How degraded the console's world is, from everything that matters — the
 * feed, the health checks, unacknowledged SEV1s, the audit trail — with the
 * reasons in words. Degraded: any of them; emergency: the feed down while a
 * critical check fails, or unacknowledged SEV1s while the feed or the checks
 * are failing.
 */
export function degradation(
  s: StatusSources | null,
  p: ReturnType<ProbeScheduler['counts']>,
  sev1: number,
): { level: ConsoleStatus['degradation']; reasons: string[] } {
  if (!s) return { level: 'normal', reasons: [] };
  const reasons: string[] = [];
  const feedDown = s.feed !== null && s.feed.status().state !== 'connected';
  if (feedDown) reasons.push('not receiving alerts from the relay');
  const checksFailing = p.criticalDown > 0 || (p.total > 0 && p.down * 2 >= p.total && p.down > 0);
  if (p.criticalDown > 0) reasons.push(`${p.criticalDown} critical health check${p.criticalDown === 1 ? '' : 's'} failing`);
  else if (checksFailing) reasons.push(`${p.down} of ${p.total} health checks failing`);
  if (sev1 > 0) reasons.push(`${sev1} SEV1 incident${sev1 === 1 ? '' : 's'} not acknowledged`);
  const verification = s.audit.lastVerification();
  if (s.audit.segment !== null || (verification && !verification.ok)) reasons.push('audit trail integrity fault');
  const emergency = (feedDown && p.criticalDown > 0) || (sev1 > 0 && (feedDown || checksFailing));
  return { level: emergency ? 'emergency' : reasons.length > 0 ? 'degraded' : 'normal', reasons };
}

export function projectStatus({ config, startedAt, now, serial, instance, running, verifying }: StatusInput): ConsoleStatus {
  const s = running;
  // each count read once: the status fields and the degradation both use them
  const probeCounts = s ? s.probes.counts() : { total: 0, down: 0, criticalDown: 0 };
  const incidentCounts = s?.incidents.counts() ?? null;
  const audit = s ? { ...s.audit.stats(), segmentRecords: s.audit.segmentRecords() } : { records: 0, lastSeq: 0, segmentRecords: 0 };
  return {
    version: config.version,
    mode: config.mode,
    electronRuntime: config.electronRuntime,
    startedAt,
    now: isoTime(now),
    serial,
    instance,
    feed: s?.feed
      ? (() => {
          const f = s.feed.status();
          return { state: f.state, since: f.since, detail: f.detail, breaker: f.breaker, relayId: f.relayId, lastSeq: f.lastSeq, alertsStored: s.feedStore.count(), quarantined: s.feedStore.quarantinedCount(), applyPending: s.intake.pending, relayStorageFault: f.relayStorageFault };
        })()
      : { state: 'not_configured', since: startedAt, detail: 'no relay configured: local mode', breaker: 'closed', relayId: null, lastSeq: 0, alertsStored: s?.feedStore.count() ?? 0, quarantined: s?.feedStore.quarantinedCount() ?? 0, applyPending: s?.intake.pending ?? false, relayStorageFault: null },
    pipeline: {
      feedSilentSince: s?.feedSilence?.silentSince() ?? null,
      watchdogSilentSince: (s && s.incidents.findOpen(WATCHDOG_KEY)?.openedAt) ?? null,
    },
    alarm: s?.incidents.alarm() ?? null,
    ...(() => {
      const d = degradation(s, probeCounts, incidentCounts?.unacknowledgedSev1 ?? 0);
      return { degradation: d.level, degradationReasons: d.reasons };
    })(),
    resilience: s?.resilience.status() ?? null,
    operator: s?.operator.operator ?? null,
    locked: s?.operator.isLocked ?? false,
    lockReason: s?.operator.lockReason ?? null,
    lockAfterMs: config.lockAfterMs,
    probes: s
      ? { ...probeCounts, errors: s.probeErrors.length, profile: s.profile.name }
      : { total: 0, down: 0, criticalDown: 0, errors: 0, profile: config.profile },
    incidents: s && incidentCounts
      ? { ...incidentCounts, pendingSync: s.incidents.pendingCount() }
      : { open: 0, unacknowledged: 0, bySeverity: { SEV1: 0, SEV2: 0, SEV3: 0 }, pendingSync: 0 },
    audit: { ...audit, lastVerification: s?.audit.lastVerification() ?? null, verifying, segment: s?.audit.segment ?? null },
  };
}
