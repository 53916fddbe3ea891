import { appendFileSync } from 'node:fs';
import notifier from 'node-notifier';
import { vocabulary } from '../../shared/safe-text.js';
import type { Severity } from '../../shared/domain/alert.js';
import type { PageEvent } from '../../shared/domain/incident.js';
import { SEVERITY_POLICY } from '../../shared/domain/severity.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../platform/logger.js';
import type { PageRequest } from '../incidents/incident-engine.js';
import type { HeldPages } from './storm-gate.js';
import { Emitter } from '../platform/emitter.js';

export interface DesktopNotification {
  title: string;
  message: string;
  sound: boolean;
  incidentId: string;
}

/** Where desktop notifications go: the OS daemon, or a fake in tests. */
export interface NotificationSink {
  readonly name: string;
  notify(n: DesktopNotification, onClick: () => void): Promise<void>;
}

/** The OS notification daemon, through node-notifier (notify-send on Linux). */
export class NodeNotifierSink implements NotificationSink {
  readonly name = 'os';
  notify(n: DesktopNotification, onClick: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('E_NOTIFY_TIMEOUT: the notification daemon did not answer')), 5000);
      notifier.notify({ title: n.title, message: n.message, sound: n.sound, wait: false, appID: 'Medical AI On-Call Console' }, (err) => {
        clearTimeout(timer);
        if (err) reject(new Error(`E_NOTIFY_OS: ${err.message.split('\n')[0]}`));
        else resolve();
      });
      notifier.once('click', () => onClick());
    });
  }
}

/** JSON lines to a file: the stand-in for the OS daemon in tests and benchmarks. */
export class FileSink implements NotificationSink {
  readonly name = 'file';
  constructor(private readonly path: string) {}
  notify(n: DesktopNotification): Promise<void> {
    appendFileSync(this.path, JSON.stringify({ at: new Date().toISOString(), ...n }) + '\n');
    return Promise.resolve();
  }
}

/** A sink that always fails (tests the fallback). */
export class FailingSink implements NotificationSink {
  readonly name = 'failing';
  notify(): Promise<void> {
    return Promise.reject(new Error('E_NOTIFY_OS: no notification daemon'));
  }
}

export function sinkFromSpec(spec: string | undefined): NotificationSink | null {
  if (!spec || spec === 'os') return new NodeNotifierSink();
  if (spec === 'none') return null;
  if (spec === 'fail') return new FailingSink();
  if (spec.startsWith('file:')) return new FileSink(spec.slice(5));
  throw new Error(`E_CONFIG: notify sink must be os, none, fail or file:PATH, not "${spec}"`);
}

/**
 * PHI-free by construction, from allow-listed fields only: severity, incident
 * id, the response target, and the service when it is vocabulary (on the
 * allow-list or identifier-shaped and free of names and numbers) — never the
 * alert's text, labels or key.
 */
export function pageText(req: PageRequest): { title: string; message: string } {
  const i = req.incident;
  const policy = SEVERITY_POLICY[i.severity];
  const reason = req.reason === 'escalation' ? ` · escalation level ${i.escalationLevel}` : req.reason === 'repeat' ? ' · still unacknowledged' : req.reason === 'ack-timeout' ? ' · acknowledged but still open: back to unacknowledged' : '';
  return {
    title: `${i.severity} · ${vocabulary(i.service, 'service not on the list')}`,
    message: `${i.id} · respond within ${policy.responseMinutes} min${reason}`,
  };
}

export interface PagerDeps {
  sink: NotificationSink | null;
  audit: AuditLog;
  logger: Logger;
  /** resilience policy around the OS notification (retry once, breaker); default: a single try */
  policy?: { execute<T>(fn: () => Promise<T>): Promise<T> };
}

/** Pages the person at the workstation; falls back to the in-app banner and sound. */
export class Pager {
  /** every page, for the window (alarm bar, tone); `fallback` when the OS notification failed */
  readonly paged = new Emitter<PageEvent>();
  /** the person clicked the notification: show this incident */
  readonly focus = new Emitter<string>();
  /** the OS notification failed */
  readonly failed = new Emitter<void>();

  constructor(private readonly deps: PagerDeps) {}

  /** One notification for many pages of one severity held in a storm: counts and ids only. */
  async summary(severity: Severity, held: HeldPages): Promise<PageEvent> {
    const what = held.escalatedOnly ? 'escalated' : 'new';
    const text = {
      title: `${held.count} ${what} ${severity} incidents`,
      message: `${held.first.incident.id} and ${held.count - 1} more · respond within ${SEVERITY_POLICY[severity].responseMinutes} min`,
    };
    return this.deliver(held.first, text);
  }

  async page(req: PageRequest): Promise<PageEvent> {
    return this.deliver(req, pageText(req));
  }

  /**
   * A SEV1 the relay sent ahead of a backlog: paged before its incident exists
   * (it opens when the console has read the alerts before it). Severity and
   * service only, as every page.
   */
  async early(severity: Severity, service: string): Promise<PageEvent> {
    const policy = SEVERITY_POLICY[severity];
    return this.send(
      { incidentId: '', severity, reason: 'new' },
      { title: `${severity} · ${vocabulary(service, 'service not on the list')}`, message: `new ${severity} · respond within ${policy.responseMinutes} min · its incident opens once the alerts before it are read` },
    );
  }

  private async deliver(req: PageRequest, text: { title: string; message: string }): Promise<PageEvent> {
    return this.send({ incidentId: req.incident.id, severity: req.incident.severity, reason: req.reason }, text);
  }

  private async send(req: { incidentId: string; severity: Severity; reason: PageRequest['reason'] }, { title, message }: { title: string; message: string }): Promise<PageEvent> {
    const base = { incidentId: req.incidentId, severity: req.severity, title, message, reason: req.reason };
    const sink = this.deps.sink;
    let fallback = sink === null;
    if (sink) {
      try {
        const send = () => sink.notify({ title, message, sound: req.severity === 'SEV1', incidentId: req.incidentId }, () => req.incidentId && this.focus.emit(req.incidentId));
        await (this.deps.policy ? this.deps.policy.execute(send) : send());
      } catch (err) {
        fallback = true;
        this.failed.emit();
        const code = (err as Error).message.split(':')[0] ?? 'E_NOTIFY';
        this.deps.logger.log('warn', 'W_NOTIFY_FALLBACK', `desktop notification failed (${code}); in-app banner and sound used`, { incident: req.incidentId });
        try {
          this.deps.audit.append({ operator: 'system', action: 'notify.fallback', subjectType: 'incident', subjectId: req.incidentId || 'arriving', details: { sink: sink.name, error: code, reason: req.reason } });
        } catch {
          // recording the fallback (disk full) must never stop the page itself
          this.deps.logger.log('error', 'E_NOTIFY_AUDIT', 'could not record the notification fallback in the audit trail', { incident: req.incidentId });
        }
      }
    }
    const page: PageEvent = { ...base, fallback };
    this.paged.emit(page);
    return page;
  }
}
