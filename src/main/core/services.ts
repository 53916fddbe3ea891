// What a running console holds: the services the composition root builds,
// as the handlers and tests reach them, and what it may be given. Types only.
import type { Clock } from '../../shared/clock.js';
import type { AuditKeyStore } from '../audit/key-store.js';
import type { NotificationSink } from '../notify/pager.js';
import type { Logger } from '../platform/logger.js';
import type { Timers } from '../platform/timers.js';
import type { AuditVerifyReport } from '../../shared/domain/audit.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import type { OperatorSession } from '../operator/session.js';
import type { FeedStore } from '../feed/feed-store.js';
import type { FeedClient } from '../feed/feed-client.js';
import type { AlertIntake } from '../feed/alert-intake.js';
import type { FeedSilenceGuard } from '../feed/pipeline-guard.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { OutboxSync } from '../incidents/outbox-sync.js';
import type { Pager } from '../notify/pager.js';
import type { ProbeScheduler } from '../probes/probe-scheduler.js';
import type { SafetyAssessor } from '../probes/safety-assessment.js';
import type { ResilienceProfile } from '../../shared/domain/profile.js';
import type { ContactBook } from '../../shared/domain/runbook.js';
import type { RunbookService } from '../runbooks/runbook-service.js';
import type { KpiService } from '../kpi/kpi-service.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import type { ResilienceRegistry } from '../resilience/policies.js';

/** Services that exist only while the console runs. */
export interface RunningServices {
  db: Db;
  audit: AuditLog;
  operator: OperatorSession;
  startupVerification: AuditVerifyReport;
  feedStore: FeedStore;
  feed: FeedClient | null;
  intake: AlertIntake;
  feedSilence: FeedSilenceGuard | null;
  incidents: IncidentEngine;
  pager: Pager;
  outbox: OutboxSync;
  profile: ResilienceProfile;
  probes: ProbeScheduler;
  probeErrors: string[];
  safety: SafetyAssessor;
  runbooks: RunbookService;
  resilience: ResilienceRegistry;
  runbookErrors: string[];
  contacts: { book?: ContactBook; error?: string };
  /** who is on call per role (schedules.yaml, calendars, overrides) */
  schedules: ScheduleService;
  /** why schedules.yaml was not used as written (null: it was, or there is none) */
  scheduleError: string | null;
  kpis: KpiService;
}

/** What the composition root may be given instead of its defaults (tests, Electron). */
export interface ConsoleDeps {
  clock?: Clock;
  /** timers beside the clock (default: the system's): the lifetime's timers, probe schedules, the feed's backoff and heartbeat */
  timers?: Timers;
  logger?: Logger;
  /** defaults to a 0600 key file in the data dir; Electron passes safeStorage */
  keyStore?: AuditKeyStore;
  /** overrides config.notifySink (tests) */
  notificationSink?: NotificationSink | null;
  /** how often escalation and repeat pages are checked (ms); 0 = only when tick() is called */
  tickMs?: number;
}
