import { createHash, randomUUID } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Alert } from '../../shared/domain/alert.js';
import type { Incident, IncidentDetail } from '../../shared/domain/incident.js';
import { DEFAULT_ACK_TIMEOUT_MIN, DEFAULT_ESCALATION, severityRank, type EscalationLevel } from '../../shared/domain/severity.js';
import type { Severity } from '../../shared/domain/alert.js';
import { DEFAULT_GROUPING, groupOf, type GroupingRule } from './grouping.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { RelayAck, WriteBackReport } from '../../shared/relay-protocol.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import type { Logger } from '../platform/logger.js';
import { alertCategory, IncidentRepository, type IncidentFilter, type MemberRow, type Row } from './incident-repository.js';
import { remoteActionTime } from './remote-time.js';
import { MAX_SNOOZE_MINUTES } from '../../shared/contract/incidents.js';
import { byRole, callDetails, callTargets, type WhoToCall } from './call-list.js';
import { callText } from '../../shared/on-call.js';
import { Emitter } from '../platform/emitter.js';

export type { IncidentFilter } from './incident-repository.js';

export { REMOTE_SKEW_MS } from './remote-time.js';


/** What an operator action did: its timeline entry, audit details and, when other consoles must hear of it, its outbox action. */
interface Outcome {
  kind: string;
  text: string;
  details?: Record<string, unknown>;
  outbox?: RelayAck['action'];
  alertKeys?: string[];
  scope?: 'alerts';
  mergeKeys?: string[];
  newKey?: string;
}

/** What the engine asks the pager to do after a commit. */
export interface PageRequest {
  incident: Incident;
  reason: 'new' | 'repeat' | 'escalation' | 'ack-timeout';
}

export interface IncidentEngineDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger?: Logger;
  escalation?: EscalationLevel[];
  /** a role to the person on call at an instant (the schedules); default: the role itself */
  whoToCall?: WhoToCall;
  /** how native and local alerts group (the sender's own groups always do) */
  grouping?: GroupingRule;
  /** minutes per severity an acknowledgement holds (0: forever) */
  ackTimeoutMin?: Record<Severity, number>;
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
  readonly grouping: GroupingRule;
  readonly repo: IncidentRepository;
  /** after commit: the incidents that changed */
  readonly changed = new Emitter<string[]>();
  /** after commit: a page to send */
  readonly page = new Emitter<PageRequest>();
  /** after commit: an outbox row was written */
  readonly outboxWritten = new Emitter<void>();
  /**
   * Inside the transaction that opens them: new incidents, for what must
   * commit with them (their runbooks). Listeners write only through the same
   * database and tell their own listeners after the commit.
   */
  readonly opening = new Emitter<{ id: string; severity: Severity; category: string | undefined }[]>();

  constructor(private readonly deps: IncidentEngineDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.escalation = [...(deps.escalation ?? DEFAULT_ESCALATION)].sort((a, b) => a.afterMinutes - b.afterMinutes);
    this.grouping = deps.grouping ?? DEFAULT_GROUPING;
    this.repo = new IncidentRepository(deps.db, deps.clock, this.escalation, deps.whoToCall, deps.ackTimeoutMin ?? DEFAULT_ACK_TIMEOUT_MIN);
    // counted before anyone hears of the change (this listener is the first), so the copies they read carry it
    this.changed.on(() => void this.repo.changesTold++);
  }

  private now(): string {
    return isoTime(this.clock.now());
  }

  // ------------------------------------------------------------- reading (the repository)

  get(id: string): Incident { return this.repo.get(id); }
  list(filter: IncidentFilter = {}): Incident[] { return this.repo.list(filter); }
  /** The open incident for an alert key, if any. */
  findOpen(key: string): Incident | null { return this.repo.findOpen(key); }
  byIds(ids: string[]): Incident[] { return this.repo.byIds(ids); }
  counts(): ReturnType<IncidentRepository['counts']> { return this.repo.counts(); }
  detail(id: string): IncidentDetail { return this.repo.detail(id); }
  alarm(): ReturnType<IncidentRepository['alarm']> { return this.repo.alarm(); }
  pendingCount(): number { return this.repo.pendingCount(); }
  pendingOutbox(): { id: string; incidentId: string; payload: RelayAck }[] { return this.repo.pendingOutbox(); }

  // ------------------------------------------------------------- alerts in

  /**
   * Alerts into incidents, in one transaction: each alert joins the open
   * incident of its group (see grouping.ts) as a member with its own state, or
   * opens one; pages new incidents and raised severities after commit.
   */
  ingest(alerts: Alert[], source: 'relay' | 'local' = 'relay'): void {
    if (alerts.length === 0) return;
    const changed = new Set<string>();
    const pages: string[] = [];
    const opened: [string, Alert][] = [];
    const st = this.statements();
    // all or nothing with the caller's transaction (the intake's slice): no savepoint, whose page copies cost a storm
    this.audit.join(() => {
      // merges and splits are rare: with none on record, no alert needs looking up among them
      const routes = st.anyRoute.get() !== undefined;
      for (const a of alerts) {
        // the stored alert is applied in the same transaction that makes its incident: a crash leaves both or neither
        st.applied.run(a.relayId, a.seq);
        if (st.linked.get(a.relayId, a.seq)) continue; // applied before: idempotent on (relay, seq)
        const g = groupOf(a, this.grouping);
        // an alert split out, or a group merged, goes where a person put it
        const routed = routes ? ((st.routed.get(a.key) ?? (g.key !== a.key ? st.routed.get(g.key) : undefined)) as Row | undefined) : undefined;
        let open = routed ?? this.repo.openByGroup(g.key);
        // a rule's group is joined only within its window; after it, the same labels open a new incident
        if (!routed && open && g.windowed && Date.parse(open.last_alert_at ?? open.opened_at) < Date.parse(a.receivedAt) - this.grouping.windowMs) open = undefined;
        const member = open ? (st.member.get(open.id, a.key) as MemberRow | undefined) : undefined;
        if (a.status === 'firing') {
          if (open) {
            if (member) st.memberFiring.run(a.severity, a.summary.slice(0, 300), a.receivedAt, open.id, a.key);
            else st.memberInsert.run(open.id, a.key, 'firing', a.severity, a.summary.slice(0, 300), a.receivedAt, a.receivedAt, null);
            st.link.run(a.relayId, a.seq, open.id);
            const firingDelta = member?.status === 'firing' ? 0 : 1;
            let severity: Severity;
            if (open.firing_count - (member?.status === 'firing' ? 1 : 0) <= 0) severity = a.severity; // the only one firing
            else if (severityRank(a.severity) <= severityRank(open.severity)) severity = a.severity; // as bad or worse
            else if (member?.status === 'firing' && member.severity === open.severity) severity = this.worstFiring(open.id, open.severity); // it was the worst and eased
            else severity = open.severity;
            const worse = severityRank(severity) < severityRank(open.severity);
            st.incidentJoin.run(member ? 0 : 1, firingDelta, severity, this.now(), a.receivedAt, a.groupTruncated ?? null, open.id);
            if (worse) {
              this.repo.event(open.id, 'severity.raised', 'system', `severity raised to ${severity}`);
              this.audit.append({ operator: 'system', action: 'incident.severity_raised', subjectType: 'incident', subjectId: open.id, details: { severity } });
              pages.push(open.id);
            } else if (severity !== open.severity) {
              this.repo.event(open.id, 'severity.lowered', 'system', `severity now ${severity}: its worst firing alert`);
            }
            changed.add(open.id);
            continue;
          }
          const id = this.repo.newId();
          const previous = st.previous.get(g.key) as string | undefined;
          const now = this.now();
          const key = g.windowed ? `${g.key}@${Date.parse(a.receivedAt) || this.clock.now()}` : g.key;
          st.incidentInsert.run(id, key, g.key, a.severity, a.service, a.summary, source === 'local' ? 'local' : a.source, now, previous ?? null, now, alertCategory(a), a.receivedAt, a.groupTruncated ?? 0);
          st.memberInsert.run(id, a.key, 'firing', a.severity, a.summary.slice(0, 300), a.receivedAt, a.receivedAt, null);
          st.link.run(a.relayId, a.seq, id);
          this.repo.event(id, 'alert.firing', a.source, previous ? `opened (re-fired after ${previous})` : 'opened');
          this.audit.append({ operator: 'system', action: 'incident.opened', subjectType: 'incident', subjectId: id, details: { severity: a.severity, service: a.service, key: a.key, previous: previous ?? null } });
          changed.add(id);
          pages.push(id);
          opened.push([id, a]);
        } else if (open && member) {
          st.link.run(a.relayId, a.seq, open.id);
          if (a.status === 'resolved') {
            if (member.status === 'resolved') continue;
            st.memberResolved.run(a.receivedAt, open.id, a.key);
            const firing = open.firing_count - 1;
            if (firing <= 0 && this.grouping.resolve === 'auto') {
              st.incidentResolved.run(this.now(), this.now(), open.id);
              this.repo.event(open.id, 'alert.resolved', a.source, open.alert_count > 1 ? `resolved by its source: all ${open.alert_count} alerts resolved` : 'resolved by its source');
              this.audit.append({ operator: 'system', action: 'incident.resolved', subjectType: 'incident', subjectId: open.id, details: { by: a.source } });
            } else {
              const severity = firing > 0 && member.severity === open.severity ? this.worstFiring(open.id, open.severity) : open.severity;
              st.incidentFiring.run(-1, severity, this.now(), open.id);
              if (severity !== open.severity) this.repo.event(open.id, 'severity.lowered', 'system', `severity now ${severity}: its worst firing alert`);
              if (firing <= 0) this.repo.event(open.id, 'alert.resolved', a.source, `all ${open.alert_count} alerts resolved at their source: resolve it by hand`);
            }
          } else {
            st.memberAcknowledged.run(`${a.source} sender`, open.id, a.key);
            if (open.state === 'triggered' && !st.unacknowledgedFiring.get(open.id)) {
              st.incidentAcknowledged.run(this.now(), `${a.source} sender`, this.now(), open.id);
              this.repo.event(open.id, 'acknowledged', a.source, `acknowledged at the ${a.source} sender`);
              this.audit.append({ operator: 'system', action: 'incident.acknowledged_at_source', subjectType: 'incident', subjectId: open.id, details: { by: a.source } });
            }
          }
          changed.add(open.id);
        } else if (open) {
          // resolved or acknowledged for an alert this incident never held: nothing to change
          st.link.run(a.relayId, a.seq, open.id);
        }
      }
      if (opened.length) this.opening.emit(opened.map(([id, a]) => ({ id, severity: a.severity, category: a.labels.category })));
      // told after the outermost commit (the intake's, when it stores and applies a page in one transaction); never after a rollback
      if (changed.size || pages.length) this.audit.afterCommit(() => this.tellIngested(changed, pages));
    });
  }

  private tellIngested(changed: Set<string>, pages: string[]): void {
    if (changed.size) this.changed.emit([...changed]);
    // read after the commit, once each, in one go
    for (const incident of this.byIds(pages)) this.page.emit({ incident, reason: 'new' });
  }

  /** The worst severity among an incident's firing alerts (an index seek); `fallback` when none fires. */
  private worstFiring(incidentId: string, fallback: Severity): Severity {
    return (this.statements().worstFiring.get(incidentId) as Severity | null) ?? fallback;
  }

  private cached: ReturnType<IncidentEngine['prepareStatements']> | null = null;

  /** Prepared once: the intake runs these for every alert of a storm. */
  private statements() {
    return (this.cached ??= this.prepareStatements());
  }

  private prepareStatements() {
    const db = this.db;
    return {
      link: db.prepare('INSERT OR IGNORE INTO incident_alert (relay_id, seq, incident_id) VALUES (?, ?, ?)'),
      linked: db.prepare('SELECT 1 FROM incident_alert WHERE relay_id = ? AND seq = ?').pluck(),
      applied: db.prepare('UPDATE feed_alert SET applied = 1 WHERE relay_id = ? AND seq = ? AND applied = 0'),
      previous: db.prepare(`SELECT id FROM incident WHERE group_key = ? ORDER BY opened_at DESC LIMIT 1`).pluck(),
      member: db.prepare('SELECT status, severity FROM incident_member WHERE incident_id = ? AND alert_key = ?'),
      anyRoute: db.prepare('SELECT 1 FROM incident_route LIMIT 1').pluck(),
      routed: db.prepare(`SELECT i.*, 0 AS pending FROM incident_route r JOIN incident i ON i.id = r.incident_id WHERE r.route_key = ? AND i.state != 'resolved' ORDER BY i.opened_at DESC LIMIT 1`),
      memberInsert: db.prepare('INSERT INTO incident_member (incident_id, alert_key, status, severity, summary, first_seen, last_seen, repeats, acknowledged_by) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)'),
      memberFiring: db.prepare(`UPDATE incident_member SET status = 'firing', severity = ?, summary = ?, last_seen = ?, repeats = repeats + 1 WHERE incident_id = ? AND alert_key = ?`),
      memberResolved: db.prepare(`UPDATE incident_member SET status = 'resolved', last_seen = ? WHERE incident_id = ? AND alert_key = ?`),
      memberAcknowledged: db.prepare('UPDATE incident_member SET acknowledged_by = ? WHERE incident_id = ? AND alert_key = ?'),
      unacknowledgedFiring: db.prepare(`SELECT 1 FROM incident_member WHERE incident_id = ? AND status = 'firing' AND acknowledged_by IS NULL LIMIT 1`).pluck(),
      worstFiring: db.prepare(`SELECT min(severity) FROM incident_member WHERE incident_id = ? AND status = 'firing'`).pluck(),
      incidentJoin: db.prepare('UPDATE incident SET alert_count = alert_count + ?, firing_count = firing_count + ?, severity = ?, updated_at = ?, last_alert_at = ?, truncated_alerts = coalesce(?, truncated_alerts) WHERE id = ?'),
      incidentFiring: db.prepare('UPDATE incident SET firing_count = firing_count + ?, severity = ?, updated_at = ? WHERE id = ?'),
      incidentAcknowledged: db.prepare(`UPDATE incident SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?`),
      incidentResolved: db.prepare(`UPDATE incident SET state = 'resolved', firing_count = 0, resolved_at = ?, updated_at = ? WHERE id = ?`),
      incidentInsert: db.prepare(
        `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, alert_count, firing_count, previous_id, updated_at, category, last_alert_at, truncated_alerts)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'triggered', ?, 1, 1, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** "Contacted X": timeline and audit, attributed. */
  contacted(id: string, contact: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.contacted', () => ({ kind: 'contacted', text: `contacted ${contact}`, details: { contact } }));
  }

  // ------------------------------------------------------------- operator actions

  private act(id: string, operator: Operator | null, action: string, apply: (r: Row, by: Operator) => Outcome): Incident {
    const by = this.signedIn(operator);
    let wroteOutbox = false;
    this.audit.transaction(() => {
      wroteOutbox = this.actWithin(this.repo.row(id), by, action, apply);
    });
    this.changed.emit([id]);
    if (wroteOutbox) this.outboxWritten.emit();
    return this.get(id);
  }

  private signedIn(operator: Operator | null): Operator {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: every incident action is attributed');
    return operator;
  }

  /** One action inside the caller's transaction: state, timeline, outbox row and audit record. True when it wrote an outbox row. */
  private actWithin(r: Row, operator: Operator, action: string, apply: (r: Row, by: Operator) => Outcome): boolean {
    const { kind, text, details, outbox, alertKeys, scope, mergeKeys, newKey } = apply(r, operator);
    this.db.prepare('UPDATE incident SET updated_at = ? WHERE id = ?').run(this.now(), r.id);
    this.repo.event(r.id, kind, operator.userId, text);
    if (outbox) {
      const keys = alertKeys ?? (outbox === 'acknowledge' || outbox === 'resolve' ? this.repo.actionKeys(r.id) : undefined);
      const ack: RelayAck = {
        id: randomUUID(), alertKey: r.key, action: outbox, operator: { userId: operator.userId, displayName: operator.displayName }, at: this.now(), incidentId: r.id,
        ...(keys && keys.length ? { alertKeys: keys } : {}), ...(scope ? { scope } : {}), ...(mergeKeys ? { mergeKeys } : {}), ...(newKey ? { newKey } : {}),
      };
      this.db.prepare('INSERT INTO outbox (id, incident_id, created_at, payload) VALUES (?, ?, ?, ?)').run(ack.id, r.id, ack.at, JSON.stringify(ack));
    }
    this.audit.append({ operator: operator.userId, action, subjectType: 'incident', subjectId: r.id, details: details ?? {} });
    return outbox !== undefined;
  }

  private readonly ackApply = (r: Row, by: Operator): Outcome => {
    if (r.state !== 'triggered') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${r.id} is ${r.state}, not triggered: nothing to acknowledge`);
    this.statements().incidentAcknowledged.run(this.now(), `${by.displayName} (${by.userId})`, this.now(), r.id);
    return { kind: 'acknowledged', text: `acknowledged by ${by.displayName}`, outbox: 'acknowledge' };
  };

  acknowledge(id: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.acknowledged', this.ackApply);
  }

  /**
   * Acknowledge a selection in one transaction: every triggered one is
   * acknowledged (each audited, each with its outbox row); the others are
   * named with the reason they were left.
   */
  acknowledgeMany(ids: string[], operator: Operator | null): { acknowledged: string[]; skipped: { id: string; reason: string }[] } {
    const by = this.signedIn(operator);
    const acknowledged: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    this.audit.transaction(() => {
      for (const id of new Set(ids)) {
        const r = this.db.prepare('SELECT *, 0 AS pending FROM incident WHERE id = ?').get(id) as Row | undefined;
        if (!r) skipped.push({ id, reason: 'no such incident' });
        else if (r.state !== 'triggered') skipped.push({ id, reason: `already ${r.state}` });
        else {
          this.actWithin(r, by, 'incident.acknowledged', (row, op) => ({ ...this.ackApply(row, op), details: { bulk: true } }));
          acknowledged.push(id);
        }
      }
    });
    if (acknowledged.length) {
      this.changed.emit(acknowledged);
      this.outboxWritten.emit();
    }
    return { acknowledged, skipped };
  }

  resolve(id: string, operator: Operator | null): Incident {
    return this.act(id, operator, 'incident.resolved', (r, by) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is already resolved`);
      this.db.prepare(`UPDATE incident SET state = 'resolved', firing_count = 0, resolved_at = ?, acknowledged_at = coalesce(acknowledged_at, ?), acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ?`).run(this.now(), this.now(), `${by.displayName} (${by.userId})`, id);
      return { kind: 'resolved', text: `resolved by ${by.displayName}`, outbox: 'resolve' };
    });
  }

  /**
   * Acknowledge or resolve one alert of an incident. Acknowledging the last
   * unacknowledged firing alert acknowledges the incident; resolving its last
   * firing alert resolves it (unless groups resolve by hand).
   */
  alertAction(id: string, alertKey: string, action: 'acknowledge' | 'resolve', operator: Operator | null): Incident {
    return this.act(id, operator, `incident.alert_${action === 'acknowledge' ? 'acknowledged' : 'resolved'}`, (r, by) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      const m = this.statements().member.get(id, alertKey) as MemberRow | undefined;
      if (!m) throw new ConsoleError('E_ALERT_NOT_FOUND', 'input', `${id} holds no alert ${alertKey.slice(0, 80)}`);
      if (m.status === 'resolved') throw new ConsoleError('E_ALERT_STATE', 'state', `that alert of ${id} has already resolved`);
      const who = `${by.displayName} (${by.userId})`;
      const text = this.applyToAlerts(r, [alertKey], action, who);
      return { kind: `alert.${action === 'acknowledge' ? 'acknowledged' : 'resolved'}`, text: `${text} by ${by.displayName}`, details: { alert: alertKey.slice(0, 120) }, outbox: action, alertKeys: [alertKey], scope: 'alerts' };
    });
  }

  /** Per-alert acknowledge or resolve (here or from another console), inside the caller's transaction; the words for the timeline. */
  private applyToAlerts(r: Row, keys: string[], action: 'acknowledge' | 'resolve', who: string): string {
    const st = this.statements();
    let n = 0;
    for (const k of keys) {
      const m = st.member.get(r.id, k) as MemberRow | undefined;
      if (!m || m.status === 'resolved') continue;
      n++;
      if (action === 'acknowledge') st.memberAcknowledged.run(who, r.id, k);
      else st.memberResolved.run(this.now(), r.id, k);
    }
    if (action === 'acknowledge') {
      if (r.state === 'triggered' && !st.unacknowledgedFiring.get(r.id)) {
        st.incidentAcknowledged.run(this.now(), who, this.now(), r.id);
        return `acknowledged ${n === 1 ? 'an alert' : `${n} alerts`}, the last unacknowledged: the incident is acknowledged,`;
      }
      return `acknowledged ${n === 1 ? 'an alert' : `${n} alerts`}`;
    }
    const firing = r.firing_count - n;
    if (firing <= 0 && this.grouping.resolve === 'auto') {
      st.incidentResolved.run(this.now(), this.now(), r.id);
      return `resolved ${n === 1 ? 'its last firing alert' : `its last ${n} firing alerts`}: the incident is resolved,`;
    }
    st.incidentFiring.run(-n, firing > 0 ? this.worstFiring(r.id, r.severity) : r.severity, this.now(), r.id);
    return `resolved ${n === 1 ? 'an alert' : `${n} alerts`} (${Math.max(firing, 0)} still firing)`;
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

  /** Hold repeat pages for `minutes`, or until a time (at most a week), with the reason in the timeline. */
  snooze(id: string, length: number | string, operator: Operator | null, reason?: string): Incident {
    const untilMs = typeof length === 'number' ? this.clock.now() + length * 60_000 : Date.parse(length);
    const minutes = Math.round((untilMs - this.clock.now()) / 60_000);
    if (!Number.isFinite(untilMs) || !(minutes >= 1 && minutes <= MAX_SNOOZE_MINUTES)) throw new ConsoleError('E_SNOOZE', 'input', `snooze between 1 minute and a week (${MAX_SNOOZE_MINUTES} minutes) from now`);
    return this.act(id, operator, 'incident.snoozed', (r) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      const until = isoTime(untilMs);
      this.db.prepare('UPDATE incident SET snoozed_until = ? WHERE id = ?').run(until, id);
      const why = reason?.trim();
      return { kind: 'snoozed', text: `repeat pages snoozed until ${until.slice(11, 16)} UTC (${minutes} min)${why ? `: ${why}` : ''}`, details: { minutes, until, ...(why ? { reason: why } : {}) } };
    });
  }

  /** Escalate one level now, by hand. */
  escalate(id: string, operator: Operator | null): Incident {
    let page = false;
    const inc = this.act(id, operator, 'incident.escalated', (r) => {
      if (r.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      const next = this.repo.callLevels(r.escalation_level).next;
      if (!next) throw new ConsoleError('E_ESCALATION_TOP', 'state', `${id} is already at the top escalation level`);
      this.db.prepare('UPDATE incident SET escalation_level = ? WHERE id = ?').run(next.level, id);
      page = true;
      return { kind: 'escalated', text: `escalated by hand to level ${next.level}: call ${callText(next.calls ?? [])}`, details: { level: next.level, manual: true, called: callDetails(next.calls ?? []) } };
    });
    if (page) this.page.emit({ incident: inc, reason: 'escalation' });
    return inc;
  }

  // ------------------------------------------------------------- relay side

  /** The relay stored our outbox row: mark it synced. */
  markSynced(outboxId: string, result: 'stored' | 'duplicate'): void {
    const row = this.db.prepare('SELECT incident_id FROM outbox WHERE id = ? AND synced_at IS NULL').pluck().get(outboxId) as string | undefined;
    if (!row) return;
    this.db.transaction(() => {
      this.db.prepare('UPDATE outbox SET synced_at = ?, result = ?, attempts = attempts + 1 WHERE id = ?').run(this.now(), result, outboxId);
      this.repo.event(row, 'synced', 'relay', result === 'stored' ? 'action reached the relay' : 'action was already at the relay');
    }).immediate();
    this.changed.emit([row]);
  }

  /** Another console acted on an alert we hold: show who. */
  applyRemote(ack: RelayAck, consoleId: string, receivedAt?: string): void {
    if (this.db.prepare('SELECT 1 FROM remote_ack WHERE id = ?').get(ack.id)) return; // seen before
    if (ack.writeback) return this.applyWriteBack(ack, ack.writeback);
    const open = this.repo.openByKey(ack.alertKey);
    if (!open) {
      this.db.prepare('INSERT OR IGNORE INTO remote_ack (id, applied_at) VALUES (?, ?)').run(ack.id, this.now());
      return;
    }
    const who = `${ack.operator.displayName} (${ack.operator.userId}) at ${consoleId}`;
    const { at, adjusted, claimed } = remoteActionTime(ack.at, open.opened_at, receivedAt, this.clock.now());
    if (adjusted) this.deps.logger?.log('warn', 'W_REMOTE_ACK_SKEW', `an action from another console claimed a time ${claimed === null ? 'unreadable instead of' : `${Math.round((claimed - Date.parse(at)) / 1000)} s away from`} when it could have happened; applied at ${at}`, { ackId: ack.id });
    let changedHere: string[] = [];
    this.audit.transaction(() => {
      this.db.prepare('INSERT INTO remote_ack (id, applied_at) VALUES (?, ?)').run(ack.id, this.now());
      let text = `${ack.action === 'note' ? 'note' : `${ack.action}d`} by ${who}`;
      const changed: string[] = [];
      if (ack.action === 'merge' && ack.mergeKeys) {
        const froms = ack.mergeKeys.map((k) => this.repo.openByKey(k)).filter((r): r is Row => r !== undefined && r.id !== open.id);
        text = `${this.mergeWithin(open, froms, who)} by ${who}`;
        changed.push(...froms.map((f) => f.id));
      } else if (ack.action === 'split' && ack.newKey && ack.alertKeys?.[0]) {
        if (this.statements().member.get(open.id, ack.alertKeys[0])) {
          const to = this.splitWithin(open, ack.alertKeys[0], ack.newKey, who);
          text = `an alert moved out to ${to} by ${who}`;
          changed.push(to);
        }
      } else if (ack.scope === 'alerts' && ack.alertKeys && (ack.action === 'acknowledge' || ack.action === 'resolve')) {
        text = `${this.applyToAlerts(open, ack.alertKeys, ack.action, who)} by ${who}`;
      } else if (ack.action === 'acknowledge' && open.state === 'triggered') {
        this.statements().incidentAcknowledged.run(at, who, this.now(), open.id);
      } else if (ack.action === 'resolve') {
        this.statements().incidentResolved.run(at, this.now(), open.id);
      }
      this.repo.event(open.id, `remote.${ack.action}`, ack.operator.userId, text);
      this.audit.append({ operator: ack.operator.userId, action: `incident.remote_${ack.action}`, subjectType: 'incident', subjectId: open.id, details: { console: consoleId, ackId: ack.id, ...(adjusted ? { claimedAt: ack.at.slice(0, 40), appliedAt: at } : {}) } });
      changedHere = changed;
    });
    this.changed.emit([open.id, ...changedHere]);
  }

  /**
   * Merge incidents into one: their alerts join it, their groups send their
   * next alerts to it, and they are resolved as merged. The words for the timeline.
   */
  private mergeWithin(into: Row, froms: Row[], who: string): string {
    const now = this.now();
    for (const f of froms) {
      this.db
        .prepare(
          `INSERT INTO incident_member (incident_id, alert_key, status, severity, summary, first_seen, last_seen, repeats, acknowledged_by)
           SELECT ?, alert_key, status, severity, summary, first_seen, last_seen, repeats, acknowledged_by FROM incident_member WHERE incident_id = ? AND true
           ON CONFLICT (incident_id, alert_key) DO NOTHING`,
        )
        .run(into.id, f.id);
      this.db.prepare('INSERT OR IGNORE INTO incident_route (route_key, incident_id, at) VALUES (?, ?, ?)').run(f.group_key ?? f.key, into.id, now);
      this.statements().incidentResolved.run(now, now, f.id);
      this.repo.event(f.id, 'merged', 'system', `merged into ${into.id} by ${who}`);
      this.audit.append({ operator: 'system', action: 'incident.merged_into', subjectType: 'incident', subjectId: f.id, details: { into: into.id } });
    }
    this.recount(into.id, into.severity);
    return `merged ${froms.map((f) => f.id).join(', ') || 'nothing'} into this`;
  }

  /** Move one alert out of an incident into a new one (key `newKey`); its next alerts go there. The new incident's id. */
  private splitWithin(src: Row, alertKey: string, newKey: string, who: string): string {
    const m = this.db.prepare('SELECT * FROM incident_member WHERE incident_id = ? AND alert_key = ?').get(src.id, alertKey) as
      | { status: 'firing' | 'resolved'; severity: Severity; summary: string; first_seen: string; last_seen: string; repeats: number; acknowledged_by: string | null }
      | undefined;
    if (!m) throw new ConsoleError('E_ALERT_NOT_FOUND', 'input', `${src.id} holds no alert ${alertKey.slice(0, 80)}`);
    const id = this.repo.newId();
    const now = this.now();
    const state = m.status === 'resolved' ? 'resolved' : src.state === 'acknowledged' ? 'acknowledged' : 'triggered';
    this.db
      .prepare(
        `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, acknowledged_at, acknowledged_by, resolved_at, alert_count, firing_count, previous_id, updated_at, category, last_alert_at, truncated_alerts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, ?, ?, ?, 0)`,
      )
      .run(id, newKey, newKey, m.severity, src.service, m.summary, src.source, state, now, state === 'acknowledged' ? src.acknowledged_at : null, state === 'acknowledged' ? src.acknowledged_by : null, state === 'resolved' ? now : null, m.status === 'firing' ? 1 : 0, now, null, m.last_seen);
    this.db.prepare('INSERT INTO incident_member (incident_id, alert_key, status, severity, summary, first_seen, last_seen, repeats, acknowledged_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(id, alertKey, m.status, m.severity, m.summary, m.first_seen, m.last_seen, m.repeats, m.acknowledged_by);
    this.db.prepare('DELETE FROM incident_member WHERE incident_id = ? AND alert_key = ?').run(src.id, alertKey);
    this.db.prepare('INSERT OR IGNORE INTO incident_route (route_key, incident_id, at) VALUES (?, ?, ?)').run(alertKey, id, now);
    this.recount(src.id, src.severity);
    this.repo.event(id, 'split', 'system', `split out of ${src.id} by ${who}`);
    this.audit.append({ operator: 'system', action: 'incident.split_from', subjectType: 'incident', subjectId: id, details: { from: src.id } });
    return id;
  }

  /** An incident's counts and severity from its alerts (after a merge or split). */
  private recount(id: string, fallback: Severity): void {
    const c = this.db.prepare(`SELECT count(*) AS total, coalesce(sum(status = 'firing'), 0) AS firing, min(CASE WHEN status = 'firing' THEN severity END) AS worst FROM incident_member WHERE incident_id = ?`).get(id) as { total: number; firing: number; worst: Severity | null };
    this.db.prepare('UPDATE incident SET alert_count = ?, firing_count = ?, severity = ?, updated_at = ? WHERE id = ?').run(c.total, c.firing, c.worst ?? fallback, this.now(), id);
  }

  /** Merge `fromIds` into `intoId` (all open), attributed and synced. */
  merge(intoId: string, fromIds: string[], operator: Operator | null): Incident {
    const merged: string[] = [];
    const inc = this.act(intoId, operator, 'incident.merged', (into, by) => {
      if (into.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${intoId} is resolved: merge into an open incident`);
      const froms = [...new Set(fromIds)].filter((f) => f !== intoId).map((f) => this.repo.row(f));
      if (froms.length === 0) throw new ConsoleError('E_MERGE', 'input', 'name at least one other incident to merge');
      const closed = froms.find((f) => f.state === 'resolved');
      if (closed) throw new ConsoleError('E_INCIDENT_STATE', 'state', `${closed.id} is resolved: only open incidents merge`);
      const text = this.mergeWithin(into, froms, `${by.displayName} (${by.userId})`);
      merged.push(...froms.map((f) => f.id));
      return { kind: 'merged', text: `${text} by ${by.displayName}`, details: { from: merged }, outbox: 'merge', mergeKeys: froms.map((f) => f.key) };
    });
    this.changed.emit(merged);
    return inc;
  }

  /** Move one alert out into a new incident; returns the new incident. */
  split(id: string, alertKey: string, operator: Operator | null): Incident {
    let to = '';
    this.act(id, operator, 'incident.split', (src, by) => {
      if (src.state === 'resolved') throw new ConsoleError('E_INCIDENT_STATE', 'state', `${id} is resolved`);
      if (!this.statements().member.get(id, alertKey)) throw new ConsoleError('E_ALERT_NOT_FOUND', 'input', `${id} holds no alert ${alertKey.slice(0, 80)}`);
      if (src.alert_count <= 1) throw new ConsoleError('E_SPLIT', 'state', `${id} holds only this alert: nothing to split from`);
      const newKey = `split:${createHash('sha256').update(alertKey).digest('hex').slice(0, 24)}@${this.clock.now()}`;
      to = this.splitWithin(src, alertKey, newKey, `${by.displayName} (${by.userId})`);
      return { kind: 'split', text: `an alert moved out to ${to} by ${by.displayName}`, details: { alert: alertKey.slice(0, 120), to }, outbox: 'split', alertKeys: [alertKey], newKey };
    });
    this.changed.emit([to]);
    return this.get(to);
  }

  /** The relay's report of what it did at an alert's source (a silence, a PagerDuty event): in the timeline of the incident it was for, resolved or not. */
  private applyWriteBack(ack: RelayAck, w: WriteBackReport): void {
    const id = this.db.prepare('SELECT id FROM incident WHERE key = ? ORDER BY opened_at DESC LIMIT 1').pluck().get(ack.alertKey) as string | undefined;
    const source = w.target === 'alertmanager' ? 'Alertmanager' : 'PagerDuty';
    const until = w.until && !Number.isNaN(Date.parse(w.until)) ? ` until ${isoTime(Date.parse(w.until)).slice(11, 16)} UTC` : '';
    const text =
      w.op === 'silence.created' ? `${source} silence ${w.ref ?? '?'} created${until}`
        : w.op === 'silence.extended' ? `${source} silence ${w.ref ?? '?'} extended${until}: its alerts still fire`
          : w.op === 'silence.expired' ? `${source} silence ${w.ref ?? '?'} expired`
            : w.op === 'event.sent' ? `${source} told (${w.detail ?? 'event'}${w.ref ? `, dedup key ${w.ref}` : ''})`
              : `${source} could not be told: ${w.detail ?? 'refused'}`;
    this.audit.transaction(() => {
      this.db.prepare('INSERT INTO remote_ack (id, applied_at) VALUES (?, ?)').run(ack.id, this.now());
      if (!id) return;
      this.repo.event(id, `writeback.${w.op}`, 'relay', text);
      this.audit.append({ operator: 'system', action: 'incident.source_writeback', subjectType: 'incident', subjectId: id, details: { target: w.target, op: w.op, ref: w.ref ?? null } });
    });
    if (id) this.changed.emit([id]);
  }

  // ------------------------------------------------------------- time

  /**
   * Triggered incidents that may have a level due: for each level an incident
   * can be at, those opened before the soonest later level's time (a superset:
   * the tick decides each one as before).
   */
  private dueForEscalation(nowMs: number): Row[] {
    const levels = this.escalation;
    const top = Math.max(0, ...levels.map((l) => l.level));
    const first = Math.min(...levels.map((l) => l.afterMinutes));
    if (!Number.isFinite(first)) return [];
    // a level below 0 is no level this console writes (a row edited by hand): every level is above it
    const rows = this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND escalation_level < 0 AND opened_at <= ?`).all(isoTime(nowMs - first * 60_000)) as Row[];
    const stmt = this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND escalation_level = ? AND opened_at <= ?`);
    for (let k = 0; k < top; k++) {
      const soonest = Math.min(...levels.filter((l) => l.level > k).map((l) => l.afterMinutes));
      if (Number.isFinite(soonest)) rows.push(...(stmt.all(k, isoTime(nowMs - soonest * 60_000)) as Row[]));
    }
    return rows;
  }

  /** Escalate unacknowledged incidents whose time has come (from stored times: a restart picks up), and repeat SEV1 pages until acknowledged. */
  tick(repeatEveryMs = 60_000): void {
    const nowMs = this.clock.now();
    // only what may be due is read (index seeks): a storm's tens of thousands of open incidents are not read every tick
    const rows = this.dueForEscalation(nowMs);
    const escalating = new Set(rows.map((r) => r.id));
    const sev1 = (this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND severity = 'SEV1'`).all() as Row[]).filter((r) => !escalating.has(r.id));
    rows.push(...sev1);
    const escalated: string[] = [];
    const repeats: string[] = [];
    const lapsed: string[] = [];
    const timeouts = this.deps.ackTimeoutMin ?? DEFAULT_ACK_TIMEOUT_MIN;
    const acknowledged = (Object.keys(timeouts) as Severity[]).flatMap((sev) =>
      (timeouts[sev] ?? 0) > 0
        ? (this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE state = 'acknowledged' AND severity = ? AND acknowledged_at <= ?`).all(sev, isoTime(nowMs - timeouts[sev] * 60_000)) as Row[])
        : [],
    );
    this.audit.transaction(() => {
      // an acknowledgement that held past its timeout with the incident still open: back to triggered, and page again
      for (const r of acknowledged) {
        const minutes = timeouts[r.severity] ?? 0;
        const snoozed = r.snoozed_until !== null && Date.parse(r.snoozed_until) > nowMs;
        if (minutes <= 0 || snoozed || nowMs - Date.parse(r.acknowledged_at!) < minutes * 60_000) continue;
        this.db.prepare(`UPDATE incident SET state = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, last_paged_at = ?, updated_at = ? WHERE id = ?`).run(isoTime(nowMs), isoTime(nowMs), r.id);
        this.repo.event(r.id, 'ack.timeout', 'system', `acknowledged by ${r.acknowledged_by ?? 'someone'} ${minutes} min ago and still open: back to unacknowledged, paged again`);
        this.audit.append({ operator: 'system', action: 'incident.ack_timeout', subjectType: 'incident', subjectId: r.id, details: { minutes, acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at } });
        lapsed.push(r.id);
      }
      for (const r of rows) {
        const elapsedMin = (nowMs - Date.parse(r.opened_at)) / 60_000;
        const due = this.escalation.filter((l) => l.afterMinutes <= elapsedMin).at(-1);
        if (due && due.level > r.escalation_level) {
          this.db.prepare('UPDATE incident SET escalation_level = ?, last_paged_at = ?, updated_at = ? WHERE id = ?').run(due.level, isoTime(nowMs), isoTime(nowMs), r.id);
          const calls = callTargets(due, this.deps.whoToCall ?? byRole, nowMs);
          this.repo.event(r.id, 'escalated', 'system', `no acknowledgement after ${due.afterMinutes} min: level ${due.level} (${due.description}): call ${callText(calls)}`);
          this.audit.append({ operator: 'system', action: 'incident.escalated', subjectType: 'incident', subjectId: r.id, details: { level: due.level, afterMinutes: due.afterMinutes, called: callDetails(calls) } });
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
    if (escalated.length || lapsed.length) this.changed.emit([...escalated, ...lapsed]);
    for (const id of lapsed) this.page.emit({ incident: this.get(id), reason: 'ack-timeout' });
    for (const id of escalated) this.page.emit({ incident: this.get(id), reason: 'escalation' });
    for (const id of repeats) this.page.emit({ incident: this.get(id), reason: 'repeat' });
  }
}
