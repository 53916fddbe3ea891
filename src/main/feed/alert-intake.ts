import type { Alert } from '../../shared/domain/alert.js';
import { storageFaultCode } from '../../shared/storage-fault.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../platform/logger.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import { LOCAL_RELAY_ID } from '../probes/probe-scheduler.js';
import type { FeedStore, ReceivedPage } from './feed-store.js';
import { Emitter } from '../platform/emitter.js';

const APPLY_CHUNK = 500;

export interface AlertIntakeDeps {
  feedStore: FeedStore;
  incidents: IncidentEngine;
  audit: AuditLog;
  logger: Logger;
}

/**
 * From a relay page to incidents, so that nothing stored is left without an
 * incident. Storing and applying are one transaction for a page that applies
 * whole, two otherwise; an alert stays "unapplied" until the transaction that
 * makes its incident commits.
 * Whatever a crash or a failed apply leaves behind is applied first, in order,
 * at start-up and on every later page or tick.
 */
export class AlertIntake {
  /** alerts made into incidents (live or repaired), in order */
  readonly applied = new Emitter<Alert[]>();
  /** alerts quarantined (refused by the schema, or unusable on their own): how many */
  readonly quarantined = new Emitter<number>();
  /** unapplied rows may exist (start-up, or an apply failed): read them from the store */
  private backlog = true;
  private lastFailure: string | null = null;

  constructor(private readonly deps: AlertIntakeDeps) {}

  /**
   * A page as received from the relay: valid alerts stored, invalid ones
   * quarantined, and the stored ones made into incidents (with their runbooks
   * and audit records) — in one transaction when nothing is left over from
   * before. If the page cannot be applied whole, it is stored on its own and
   * applied alert by alert, so one bad alert never holds back the others.
   */
  receive(relayId: string, items: unknown[]): ReceivedPage {
    if (!this.backlog) {
      let page: ReceivedPage | null = null;
      try {
        page = this.deps.audit.transaction(() => {
          // stored as applied: the incidents are made in this transaction, or nothing of the page is kept
          const p = this.store(relayId, items, true);
          if (p.fresh.length) this.deps.incidents.ingest(p.fresh, 'relay');
          return p;
        });
      } catch {
        // nothing of the page was kept: the careful path below stores it on its own (or reports the storage fault
        // to the feed, which then does not acknowledge it), then finds the alert that cannot be applied
      }
      if (page) {
        this.told(page);
        if (page.fresh.length) {
          this.succeeded();
          this.applied.emit(page.fresh);
        }
        return page;
      }
    }
    const page = this.deps.audit.transaction(() => this.store(relayId, items));
    this.told(page);
    if (this.backlog) this.applyPending();
    else this.apply(page.fresh);
    return page;
  }

  /** Store a page: valid alerts (not yet applied), invalid ones quarantined and audited. */
  private store(relayId: string, items: unknown[], applying = false): ReceivedPage {
    const p = this.deps.feedStore.storeReceived(relayId, items, { applying });
    for (const q of p.quarantined) {
      this.deps.audit.append({ operator: 'system', action: 'feed.alert_quarantined', subjectType: 'console', subjectId: `${relayId.slice(0, 64)}#${q.seq ?? '?'}`, details: { reason: q.reason.slice(0, 300), bytes: q.bytes, sha256: q.sha256 } });
    }
    return p;
  }

  /** After a page is stored: say what was quarantined (counted, never its text). */
  private told(page: ReceivedPage): void {
    if (page.quarantined.length) {
      this.deps.logger.log('warn', 'W_FEED_QUARANTINE', `${page.quarantined.length} alert(s) from the relay refused by this console's schema and quarantined; the rest of the page was applied`, {
        seqs: page.quarantined.map((q) => q.seq ?? '?').slice(0, 20).join(','),
      });
      this.quarantined.emit(page.quarantined.length);
    }
  }

  /** Apply every stored, unapplied alert, oldest first. Returns how many were applied. */
  applyPending(): number {
    let total = 0;
    for (;;) {
      let batch;
      try {
        batch = this.deps.feedStore.unapplied(APPLY_CHUNK);
      } catch (err) {
        this.failed(err);
        return total;
      }
      for (const b of batch.broken) this.setAside(b.relayId, b.seq, `E_FEED_ROW: ${b.reason}`);
      if (batch.alerts.length === 0 && batch.broken.length === 0) {
        this.backlog = false;
        return total;
      }
      if (batch.alerts.length > 0 && !this.apply(batch.alerts)) return total;
      total += batch.alerts.length;
    }
  }

  get pending(): boolean {
    return this.backlog;
  }

  /** Apply in order; on a failure, find the alert that cannot be applied on its own and set it aside. */
  private apply(alerts: Alert[]): boolean {
    if (alerts.length === 0) return true;
    try {
      this.ingest(alerts);
      this.succeeded();
      return true;
    } catch (err) {
      if (storageFaultCode(err)) return this.failed(err);
    }
    // Something in the batch cannot be applied: one at a time, so one bad alert never holds back the others.
    let appliedAny = false;
    const failures: [Alert, unknown][] = [];
    for (const a of alerts) {
      try {
        this.ingest([a]);
        appliedAny = true;
      } catch (err) {
        if (storageFaultCode(err)) return this.failed(err);
        failures.push([a, err]);
      }
    }
    if (!appliedAny) return this.failed(failures[0]![1]); // every alert fails: a fault of the console, not of the alerts; retry later
    for (const [a, err] of failures) this.setAside(a.relayId, a.seq, `E_INCIDENT_APPLY: ${(err as Error).message}`);
    this.succeeded();
    return true;
  }

  private ingest(alerts: Alert[]): void {
    const local = alerts.filter((a) => a.relayId === LOCAL_RELAY_ID);
    if (local.length === 0 || local.length === alerts.length) {
      this.deps.incidents.ingest(alerts, local.length ? 'local' : 'relay');
    } else {
      for (const a of alerts) this.deps.incidents.ingest([a], a.relayId === LOCAL_RELAY_ID ? 'local' : 'relay');
    }
    this.applied.emit(alerts);
  }

  private setAside(relayId: string, seq: number, reason: string): void {
    try {
      this.deps.feedStore.setAside(relayId, seq, reason);
      this.deps.logger.log('error', 'E_FEED_SET_ASIDE', `alert ${relayId.slice(0, 8)}#${seq} cannot become an incident and was set aside (counted in Status)`, { seq });
      this.quarantined.emit(1);
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): false {
    this.backlog = true;
    const code = storageFaultCode(err) ?? 'E_INCIDENT_APPLY';
    if (this.lastFailure !== code) {
      this.lastFailure = code;
      this.deps.logger.log('error', code === 'E_INCIDENT_APPLY' ? code : 'E_FEED_STORAGE', `alerts are stored but not yet made into incidents (${code}); retrying`, {});
    }
    return false;
  }

  private succeeded(): void {
    if (this.lastFailure) this.deps.logger.log('info', 'I_INCIDENT_APPLY_OK', 'stored alerts are being made into incidents again');
    this.lastFailure = null;
  }
}
