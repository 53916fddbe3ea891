// Keeping watch over the audit trail while the console runs: a full
// verification in the background after start and daily, the signed head sent
// to the relay and written beside the key every 5 minutes, the relay's copy
// compared at connect — and every integrity fault paged as an
// audit_trail_break (SEV1) while the console keeps running and paging.
import { isoTime, type Clock } from '../../shared/clock.js';
import type { AuditFault } from '../../shared/domain/audit.js';
import type { FeedClient } from '../feed/feed-client.js';
import type { FeedStore } from '../feed/feed-store.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { DisposableStore } from '../platform/disposables.js';
import type { Logger } from '../platform/logger.js';
import { localAlert } from '../probes/probe-scheduler.js';
import type { ResilienceRegistry } from '../resilience/policies.js';
import type { Checkpoint } from './audit-checkpoint.js';
import type { AuditLog } from './audit-log.js';

/** The local incident an audit integrity fault opens. */
export const AUDIT_BREAK_KEY = 'audit:integrity';

export interface AuditWatchDeps {
  audit: AuditLog;
  incidents: IncidentEngine;
  feedStore: FeedStore;
  resilience: ResilienceRegistry;
  feed: FeedClient | null;
  logger: Logger;
  clock: Clock;
  /** status changed (verifying, a fault paged) */
  changed: () => void;
  /** false once this run has stopped: a late result changes nothing */
  current: () => boolean;
}

export class AuditWatch {
  /** a background full verification is running */
  verifying = false;

  constructor(private readonly deps: AuditWatchDeps) {}

  /** Page an integrity fault; never throws (the console keeps paging). */
  raise(fault: AuditFault): void {
    const { resilience, incidents, feedStore, clock, logger } = this.deps;
    if (!this.deps.current()) return;
    try {
      resilience.error('audit_trail_break');
      const summary = `Audit trail integrity fault (${fault.kind}${fault.seq ? ` at record #${fault.seq}` : ''}): records continue in a separately keyed segment; tell the compliance officer`;
      incidents.ingest([localAlert(feedStore, AUDIT_BREAK_KEY, 'firing', 'SEV1', summary, 'audit-trail', { category: 'audit_trail_break', alertname: 'AuditTrailBreak' }, isoTime(clock.now()))], 'local');
    } catch (err) {
      logger.log('error', 'E_AUDIT_BREAK_PAGE', `could not open the audit_trail_break incident: ${(err as Error).name}`);
    }
    this.deps.changed();
  }

  /** The audit head, signed, to the relay (which keeps the newest per console). */
  sendCheckpoint(): void {
    const { feed, audit, logger } = this.deps;
    if (!feed) return;
    try {
      const c = audit.checkpoint();
      if (c) feed.sendCheckpoint(c);
    } catch (err) {
      logger.log('warn', 'W_AUDIT_CHECKPOINT', `could not send the audit checkpoint: ${(err as Error).name}`);
    }
  }

  /** The checkpoint the relay kept for this console, compared at connect: a rollback pages. */
  onRelayCheckpoint(cp: Checkpoint): void {
    const fault = this.deps.audit.checkExternalCheckpoint(cp, 'the relay');
    if (fault) {
      this.deps.logger.log('error', 'E_AUDIT_INTEGRITY', fault.message, { seq: fault.seq });
      setImmediate(() => this.raise(fault));
    }
  }

  private fullVerify(): void {
    const { audit, logger } = this.deps;
    if (this.verifying || !this.deps.current()) return;
    this.verifying = true;
    this.deps.changed();
    void audit
      .verifyAsync('full')
      .then((r) => {
        if (!r.ok && r.fault) this.raise(r.fault);
        if (r.ok && this.deps.current()) audit.writeCheckpointFile();
      })
      .catch((err: unknown) => logger.log('error', 'E_AUDIT_VERIFY', `background verification failed to run: ${(err as Error).name}`))
      .finally(() => {
        this.verifying = false;
        this.deps.changed();
      });
  }

  /** Page what start-up found, listen for faults, and (with timers) verify and checkpoint in the background. */
  start(lifetime: DisposableStore, startFault: AuditFault | null, timers: boolean): void {
    const { audit, logger } = this.deps;
    lifetime.add(audit.onFault((fault) => setImmediate(() => this.raise(fault))));
    if (startFault) this.raise(startFault);
    if (!timers) return;
    lifetime.timeout(() => this.fullVerify(), 1000, { unref: true });
    lifetime.interval(() => this.fullVerify(), 24 * 3_600_000);
    lifetime.interval(() => {
      try {
        audit.writeCheckpointFile();
        this.sendCheckpoint();
      } catch (err) {
        logger.log('warn', 'W_AUDIT_CHECKPOINT', `could not write the audit checkpoint file: ${(err as Error).name}`);
      }
    }, 5 * 60_000);
  }
}
