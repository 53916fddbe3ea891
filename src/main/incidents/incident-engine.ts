import { randomUUID } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Alert, Severity } from '../../shared/domain/alert.js';
import type { Incident, IncidentDetail, IncidentState, TimelineEntry } from '../../shared/domain/incident.js';
import { DEFAULT_ESCALATION, SEVERITY_POLICY, severityRank, type EscalationLevel } from '../../shared/domain/severity.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { RelayAck } from '../../shared/relay-protocol.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import type { Logger } from '../platform/logger.js';
import { foldCase, matchesSearch } from '../../shared/domain/incident-query.js';

/** How far ahead of this console's clock another console's action time may be before it is not believed. */
export const REMOTE_SKEW_MS = 2 * 60_000;

const MAX_SNOOZE_MINUTES = 120;

interface Row {
  id: string;
  key: string;
  severity: Severity;
  service: string;
  summary: string;
  source: Incident['source'];
  state: IncidentState;
  opened_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  assignee: string | null;
  snoozed_until: string | null;
  escalation_level: number;
  alert_count: number;
  previous_id: string | null;
  last_paged_at: string | null;
  pending: number;
}

export interface IncidentFilter {
  state?: 'open' | IncidentState | 'all' | undefined;
  severity?: Severity | undefined;
  search?: string | undefined;
  limit?: number | undefined;
}

/** What the engine asks the pager to do after a commit. */
export interface PageRequest {
  incident: Incident;
  reason: 'new' | 'repeat' | 'escalation';
}

export interface IncidentEngineDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger?: Logger;
  escalation?: EscalationLevel[];
  /** called after commit with the incidents that changed */
  onChanged?: (ids: string[]) => void;
  /** called after commit for each page to send */
  onPage?: (page: PageRequest) => void;
  /** called after commit when an outbox row was written */
  onOutbox?: () => void;
  /** called after commit for each new incident, with the alert that opened it */
  onOpened?: (incident: Incident, alert: Alert) => void;
}

/** The alert's "category" label (seed 004's error categories, or the sender's own), kept short; null when absent. */
export function alertCategory(a: Alert): string | null {
  const c = a.labels.category?.trim();
  return c ? c.slice(0, 64) : null;
}

function compactStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Alerts into incidents (dedup by key), the incident lifecycle, the ack
 * outbox, and escalation. Every change goes through the one write path: state,
 * timeline, audit record and outbox row commit together.
 */
export class IncidentEngine {
  private readonly db: Db;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  readonly escalation: EscalationLevel[];

  constructor(private readonly deps: IncidentEngineDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.escalation = [...(deps.escalation ?? DEFAULT_ESCALATION)].sort((a, b) => a.afterMinutes - b.afterMinutes);
  }

  private now(): string {
    return isoTime(this.clock.now());
  }

  // ------------------------------------------------------------- reading

  private static readonly SELECT = `SELECT i.*, EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.synced_at IS NULL) AS pending FROM incident i`;

  private view(r: Row): Incident {
    const opened = Date.parse(r.opened_at);
    const next = r.state === 'triggered' ? this.escalation.find((l) => l.level > r.escalation_level) : undefined;
    return {
      id: r.id,
      key: r.key,
      severity: r.severity,
      service: r.service,
      summary: r.summary,
      source: r.source,
      state: r.state,
      openedAt: r.opened_at,
      acknowledgedAt: r.acknowledged_at,
      acknowledgedBy: r.acknowledged_by,
      resolvedAt: r.resolved_at,
      assignee: r.assignee,
      snoozedUntil: r.snoozed_until,
      escalationLevel: r.escalation_level,
      alertCount: r.alert_count,
      previousId: r.previous_id,
      pendingSync: r.pending === 1,
      responseDueAt: isoTime(opened + SEVERITY_POLICY[r.severity].responseMinutes * 60_000),
      nextEscalationAt: next ? isoTime(opened + next.afterMinutes * 60_000) : null,
    };
  }

  get(id: string): Incident {
    const row = this.db.prepare(`${IncidentEngine.SELECT} WHERE i.id = ?`).get(id) as Row | undefined;
    if (!row) throw new ConsoleError('E_INCIDENT_NOT_FOUND', 'input', `no incident ${id}`);
    return this.view(row);
  }

  list(filter: IncidentFilter = {}): Incident[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const state = filter.state ?? 'open';
    if (state === 'open') where.push(`i.state != 'resolved'`);
    else if (state !== 'all') (where.push('i.state = ?'), params.push(state));
    if (filter.severity) (where.push('i.severity = ?'), params.push(filter.severity));
    const order = `ORDER BY CASE i.state WHEN 'triggered' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, i.severity, i.opened_at DESC`;
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = filter.limit ?? 10_000;
    const search = foldCase((filter.search ?? '').trim());
    if (search) {
      // the search is the shared predicate (case- and accent-insensitive), so main and the renderer agree:
      // narrow by the cheap columns first, then read the whole rows of the matches
      const ids: string[] = [];
      for (const r of this.db.prepare(`SELECT i.id, i.service, i.summary FROM incident i ${whereSql} ${order}`).iterate(...params) as Iterable<{ id: string; service: string; summary: string }>) {
        if (matchesSearch(search, r)) ids.push(r.id);
        if (ids.length >= limit) break;
      }
      return this.byIds(ids);
    }
    const rows = this.db.prepare(`${IncidentEngine.SELECT} ${whereSql} ${order} LIMIT ?`).all(...params, limit) as Row[];
    return rows.map((r) => this.view(r));
  }

  /** The open incident for an alert key, if any. */
  findOpen(key: string): Incident | null {
    const r = this.db.prepare(`${IncidentEngine.SELECT} WHERE i.key = ? AND i.state != 'resolved'`).get(key) as Row | undefined;
    return r ? this.view(r) : null;
  }

  byIds(ids: string[]): Incident[] {
    const stmt = this.db.prepare(`${IncidentEngine.SELECT} WHERE i.id = ?`);
    return ids.flatMap((id) => {
      const r = stmt.get(id) as Row | undefined;
      return r ? [this.view(r)] : [];
    });
  }

  counts(): { open: number; bySeverity: Record<Severity, number>; unacknowledged: number } {
    const rows = this.db.prepare(`SELECT severity, state, count(*) AS n FROM incident WHERE state != 'resolved' GROUP BY severity, state`).all() as { severity: Severity; state: IncidentState; n: number }[];
    const bySeverity: Record<Severity, number> = { SEV1: 0, SEV2: 0, SEV3: 0 };
    let open = 0;
    let unacknowledged = 0;
    for (const r of rows) {
      bySeverity[r.severity] += r.n;
      open += r.n;
      if (r.state === 'triggered') unacknowledged += r.n;
    }
    return { open, bySeverity, unacknowledged };
  }

  detail(id: string): IncidentDetail {
    const incident = this.get(id);
    const timeline = this.db.prepare('SELECT at, kind, actor, text FROM incident_event WHERE incident_id = ? ORDER BY id').all(id) as TimelineEntry[];
    const alerts = (
      this.db
        .prepare('SELECT f.body FROM incident_alert ia JOIN feed_alert f ON f.relay_id = ia.relay_id AND f.seq = ia.seq WHERE ia.incident_id = ? ORDER BY ia.rowid DESC LIMIT 200')
        .pluck()
        .all(id) as string[]
    ).map((b) => JSON.parse(b) as Alert);
    const current = this.escalation.find((l) => l.level === incident.escalationLevel) ?? null;
    const next = incident.state === 'triggered' ? (this.escalation.find((l) => l.level > incident.escalationLevel) ?? null) : null;
    return { incident, timeline, alerts, escalation: { current, next } };
  }

  pendingCount(): number {
    return this.db.prepare('SELECT count(*) FROM outbox WHERE synced_at IS NULL').pluck().get() as number;
  }

  pendingOutbox(): { id: string; incidentId: string; payload: RelayAck }[] {
    return (this.db.prepare('SELECT id, incident_id AS incidentId, payload FROM outbox WHERE synced_at IS NULL ORDER BY created_at, rowid').all() as { id: string; incidentId: string; payload: string }[]).map((r) => ({
      ...r,
      payload: JSON.parse(r.payload) as RelayAck,
    }));
  }

  // ------------------------------------------------------------- writing helpers

  private event(incidentId: string, kind: string, actor: string, text: string): void {
    this.db.prepare('INSERT INTO incident_event (incident_id, at, kind, actor, text) VALUES (?, ?, ?, ?, ?)').run(incidentId, this.now(), kind, actor, text);
  }

  private newId(): string {
    const base = `MAI-${compactStamp(this.clock.now())}`;
    // a range on the primary key ('-' < '.'), not LIKE, which SQLite cannot answer from the index: the cost never grows with history
    const taken = new Set(this.db.prepare(`SELECT id FROM incident WHERE id = ? OR (id > ? AND id < ?)`).pluck().all(base, `${base}-`, `${base}.`) as string[]);
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  private openByKey(key: string): Row | undefined {
    return this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE key = ? AND state != 'resolved'`).get(key) as Row | undefined;
  }

  private row(id: string): Row {
    const r = this.db.prepare('SELECT *, 0 AS pending FROM incident WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new ConsoleError('E_INCIDENT_NOT_FOUND', 'input', `no incident ${id}`);
    return r;
  }

  // ------------------------------------------------------------- alerts in

  /** Dedup alerts into incidents, in one transaction; pages new incidents after commit. */
  ingest(alerts: Alert[], source: 'relay' | 'local' = 'relay'): void {
    if (alerts.length === 0) return;
    const changed = new Set<string>();
    const pages: string[] = [];
    const opened: [string, Alert][] = [];
    this.audit.transaction(() => {
      const link = this.db.prepare('INSERT OR IGNORE INTO incident_alert (relay_id, seq, incident_id) VALUES (?, ?, ?)');
      const linked = this.db.prepare('SELECT 1 FROM incident_alert WHERE relay_id = ? AND seq = ?').pluck();
      // the stored alert is applied in the same transaction that makes its incident: a crash leaves both or neither
      const applied = this.db.prepare('UPDATE feed_alert SET applied = 1 WHERE relay_id = ? AND seq = ? AND applied = 0');
      for (const a of alerts) {
        applied.run(a.relayId, a.seq);
        if (linked.get(a.relayId, a.seq)) continue; // applied before: idempotent on (relay, seq)
        const open = this.openByKey(a.key);
        if (a.status === 'firing') {
          if (open) {
            const worse = severityRank(a.severity) < severityRank(open.severity);
            this.db.prepare('UPDATE incident SET alert_count = alert_count + 1, severity = ?, updated_at = ? WHERE id = ?').run(worse ? a.severity : open.severity, this.now(), open.id);
            link.run(a.relayId, a.seq, open.id);
            if (worse) {
              this.event(open.id, 'severity.raised', 'system', `severity raised to ${a.severity}`);
              this.audit.append({ operator: 'system', action: 'incident.severity_raised', subjectType: 'incident', subjectId: open.id, details: { severity: a.severity } });
              pages.push(open.id);
            }
            changed.add(open.id);
            continue;
          }
          const id = this.newId();
          const previous = this.db.prepare(`SELECT id FROM incident WHERE key = ? ORDER BY opened_at DESC LIMIT 1`).pluck().get(a.key) as string | undefined;
          const now = this.now();
          this.db
            .prepare(
              `INSERT INTO incident (id, key, severity, service, summary, source, state, opened_at, alert_count, previous_id, updated_at, category)
               VALUES (?, ?, ?, ?, ?, ?, 'triggered', ?, 1, ?, ?, ?)`,
            )
            .run(id, a.key, a.severity, a.service, a.summary, source === 'local' ? 'local' : a.source, now, previous ?? null, now, alertCategory(a));
          link.run(a.relayId, a.seq, id);
          this.event(id, 'alert.firing', a.source, previous ? `opened (re-fired after ${previous})` : 'opened');
          this.audit.append({ operator: 'system', action: 'incident.opened', subjectType: 'incident', subjectId: id, details: { severity: a.severity, service: a.service, key: a.key, previous: previous ?? null } });
          changed.add(id);
          pages.push(id);
          opened.push([id, a]);
        } else if (open) {
          link.run(a.relayId, a.seq, open.id);
          if (a.status === 'resolved') {
            this.db.prepare(`UPDATE incident SET state = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ?`).run(this.now(), this.now(), open.id);
            this.event(open.id, 'alert.resolved', a.source, 'resolved by its source');
            this.audit.append({ operator: 'system', action: 'incident.resolved', subjectType: 'incident', subjectId: open.id, details: { by: a.source } });
          } else if (open.state === 'triggered') {
            this.db.prepare(`UPDATE incident SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?`).run(this.now(), `${a.source} sender`, this.now(), open.id);
            this.event(open.id, 'acknowledged', a.source, `acknowledged at the ${a.source} sender`);
            this.audit.append({ operator: 'system', action: 'incident.acknowledged_at_source', subjectType: 'incident', subjectId: open.id, details: { by: a.source } });
          }
          changed.add(open.id);
        }
      }
    });
    for (const [id, a] of opened) this.deps.onOpened?.(this.get(id), a);
    if (changed.size) this.deps.onChanged?.([...changed]);
    for (const id of pages) this.deps.onPage?.({ incident: this.get(id), reason: 'new' });
  }

  /** "Contacted X": timeline and audit, attributed. */
  contacted(id: string, contact: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.contacted', () => ({ kind: 'contacted', text: `contacted ${contact}`, details: { contact } }));
  }

  // ------------------------------------------------------------- operator actions

  private act(id: string, operator: Operator | null, action: string, apply: (r: Row, by: Operator) => { kind: string; text: string; details?: Record<string, unknown>; outbox?: RelayAck['action'] }): Incident {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: every incident action is attributed');
    let wroteOutbox = false;
    this.audit.transaction(() => {
      const r = this.row(id);
      const { kind, text, details, outbox } = apply(r, operator);
      this.db.prepare('UPDATE incident SET updated_at = ? WHERE id = ?').run(this.now(), id);
      this.event(id, kind, operator.userId, text);
      if (outbox) {
        const ack: RelayAck = { id: randomUUID(), alertKey: r.key, action: outbox, operator: { userId: operator.userId, displayName: operator.displayName }, at: this.now(), incidentId: id };
        this.db.prepare('INSERT INTO outbox (id, incident_id, created_at, payload) VALUES (?, ?, ?, ?)').run(ack.id, id, ack.at, JSON.stringify(ack));
        wroteOutbox = true;
      }
      this.audit.append({ operator: operator.userId, action, subjectType: 'incident', subjectId: id, details: details ?? {} });
    });
    this.deps.onChanged?.([id]);
    if (wroteOutbox) this.deps.onOutbox?.();
    return this.get(id);
  }

  acknowledge(id: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.acknowledged', (r, by) => {
      if (r.state !== 'triggered') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is ${r.state}, not triggered: nothing to acknowledge`);
      this.db.prepare(`UPDATE incident SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ?`).run(this.now(), `${by.displayName} (${by.userId})`, id);
      return { kind: 'acknowledged', text: `acknowledged by ${by.displayName}`, outbox: 'acknowledge' };
    });
  }

  resolve(id: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.resolved', (r, by) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is already resolved`);
      this.db.prepare(`UPDATE incident SET state = 'resolved', resolved_at = ?, acknowledged_at = coalesce(acknowledged_at, ?), acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ?`).run(this.now(), this.now(), `${by.displayName} (${by.userId})`, id);
      return { kind: 'resolved', text: `resolved by ${by.displayName}`, outbox: 'resolve' };
    });
  }

  note(id: string, text: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.noted', () => ({ kind: 'note', text, details: { note: text }, outbox: 'note' }));
  }

  reassign(id: string, to: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.reassigned', (r) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      this.db.prepare('UPDATE incident SET assignee = ? WHERE id = ?').run(to, id);
      return { kind: 'reassigned', text: `reassigned to ${to}`, details: { to, from: r.assignee } };
    });
  }

  snooze(id: string, minutes: number, operator: Operator | null): Incident {
    if (!(minutes >= 1 && minutes <= MAX_SNOOZE_MINUTES)) throw new ConsoleError('E_SNOOZE', 'input', `snooze between 1 and ${MAX_SNOOZE_MINUTES} minutes`);
    return this.act(id, operator, 'incident.snoozed', (r) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      const until = isoTime(this.clock.now() + minutes * 60_000);
      this.db.prepare('UPDATE incident SET snoozed_until = ? WHERE id = ?').run(until, id);
      return { kind: 'snoozed', text: `repeat pages snoozed for ${minutes} min`, details: { minutes, until } };
    });
  }

  /** Escalate one level now, by hand. */
  escalate(id: string, operator: Operator | null): Incident {
    let page = false;
    const inc = this.act(id, operator, 'incident.escalated', (r) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      const next = this.escalation.find((l) => l.level > r.escalation_level);
      if (!next) throw new ConsoleError('E_ESCALATION_TOP', 'state', `${id} is already at the top escalation level`);
      this.db.prepare('UPDATE incident SET escalation_level = ? WHERE id = ?').run(next.level, id);
      page = true;
      return { kind: 'escalated', text: `escalated by hand to level ${next.level}: call ${next.contacts.join(', ')}`, details: { level: next.level, manual: true } };
    });
    if (page) this.deps.onPage?.({ incident: inc, reason: 'escalation' });
    return inc;
  }

  // ------------------------------------------------------------- relay side

  /** The relay stored our outbox row: mark it synced. */
  markSynced(outboxId: string, result: 'stored' | 'duplicate'): void {
    const row = this.db.prepare('SELECT incident_id FROM outbox WHERE id = ? AND synced_at IS NULL').pluck().get(outboxId) as string | undefined;
    if (!row) return;
    this.db.transaction(() => {
      this.db.prepare('UPDATE outbox SET synced_at = ?, result = ?, attempts = attempts + 1 WHERE id = ?').run(this.now(), result, outboxId);
      this.event(row, 'synced', 'relay', result === 'stored' ? 'action reached the relay' : 'action was already at the relay');
    }).immediate();
    this.deps.onChanged?.([row]);
  }

  /**
   * When another console's action counts. Its claimed time is believed when it
   * lies between the incident's opening and now (plus a small skew); otherwise
   * the relay's receive time (or now) is used and the skew is logged, so a
   * wrong or hostile clock cannot rewrite the response-time figures.
   */
  private remoteTime(ack: RelayAck, openedAt: string, receivedAt: string | undefined): { at: string; adjusted: boolean } {
    const now = this.clock.now();
    const claimed = Date.parse(ack.at);
    const opened = Date.parse(openedAt);
    if (Number.isFinite(claimed) && claimed <= now + REMOTE_SKEW_MS && claimed >= opened) return { at: isoTime(Math.min(claimed, now)), adjusted: false };
    const received = receivedAt ? Date.parse(receivedAt) : NaN;
    const fallback = Number.isFinite(received) && received <= now + REMOTE_SKEW_MS ? Math.min(received, now) : now;
    const at = Math.max(fallback, opened);
    this.deps.logger?.log('warn', 'W_REMOTE_ACK_SKEW', `an action from another console claimed a time ${Number.isFinite(claimed) ? `${Math.round((claimed - at) / 1000)} s away from` : 'unreadable instead of'} when it could have happened; applied at ${isoTime(at)}`, { ackId: ack.id });
    return { at: isoTime(at), adjusted: true };
  }

  /** Another console acted on an alert we hold: show who. */
  applyRemote(ack: RelayAck, consoleId: string, receivedAt?: string): void {
    if (this.db.prepare('SELECT 1 FROM remote_ack WHERE id = ?').get(ack.id)) return; // seen before
    const open = this.openByKey(ack.alertKey);
    if (!open) {
      this.db.prepare('INSERT OR IGNORE INTO remote_ack (id, applied_at) VALUES (?, ?)').run(ack.id, this.now());
      return;
    }
    const who = `${ack.operator.displayName} (${ack.operator.userId}) at ${consoleId}`;
    const { at, adjusted } = this.remoteTime(ack, open.opened_at, receivedAt);
    this.audit.transaction(() => {
      this.db.prepare('INSERT INTO remote_ack (id, applied_at) VALUES (?, ?)').run(ack.id, this.now());
      if (ack.action === 'acknowledge' && open.state === 'triggered') {
        this.db.prepare(`UPDATE incident SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?`).run(at, who, this.now(), open.id);
      } else if (ack.action === 'resolve') {
        this.db.prepare(`UPDATE incident SET state = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ?`).run(at, this.now(), open.id);
      }
      this.event(open.id, `remote.${ack.action}`, ack.operator.userId, `${ack.action === 'note' ? 'note' : `${ack.action}d`} by ${who}`);
      this.audit.append({ operator: ack.operator.userId, action: `incident.remote_${ack.action}`, subjectType: 'incident', subjectId: open.id, details: { console: consoleId, ackId: ack.id, ...(adjusted ? { claimedAt: ack.at.slice(0, 40), appliedAt: at } : {}) } });
    });
    this.deps.onChanged?.([open.id]);
  }

  // ------------------------------------------------------------- time

  /**
   * Escalate unacknowledged incidents whose time has come, and repeat SEV1
   * pages until acknowledged. Levels come from stored times, so a restart
   * picks up where it was.
   */
  tick(repeatEveryMs = 60_000): void {
    const nowMs = this.clock.now();
    const rows = this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE state = 'triggered'`).all() as Row[];
    const escalated: string[] = [];
    const repeats: string[] = [];
    this.audit.transaction(() => {
      for (const r of rows) {
        const elapsedMin = (nowMs - Date.parse(r.opened_at)) / 60_000;
        const due = this.escalation.filter((l) => l.afterMinutes <= elapsedMin).at(-1);
        if (due && due.level > r.escalation_level) {
          this.db.prepare('UPDATE incident SET escalation_level = ?, last_paged_at = ?, updated_at = ? WHERE id = ?').run(due.level, isoTime(nowMs), isoTime(nowMs), r.id);
          this.event(r.id, 'escalated', 'system', `no acknowledgement after ${due.afterMinutes} min: level ${due.level} (${due.description}): call ${due.contacts.join(', ')}`);
          this.audit.append({ operator: 'system', action: 'incident.escalated', subjectType: 'incident', subjectId: r.id, details: { level: due.level, afterMinutes: due.afterMinutes } });
          escalated.push(r.id);
          continue;
        }
        const snoozed = r.snoozed_until !== null && Date.parse(r.snoozed_until) > nowMs;
        const last = Date.parse(r.last_paged_at ?? r.opened_at);
        if (r.severity === 'SEV1' && !snoozed && nowMs - last >= repeatEveryMs) {
          this.db.prepare('UPDATE incident SET last_paged_at = ? WHERE id = ?').run(isoTime(nowMs), r.id);
          repeats.push(r.id);
        }
      }
    });
    if (escalated.length) this.deps.onChanged?.(escalated);
    for (const id of escalated) this.deps.onPage?.({ incident: this.get(id), reason: 'escalation' });
    for (const id of repeats) this.deps.onPage?.({ incident: this.get(id), reason: 'repeat' });
  }
}
