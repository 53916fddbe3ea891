// The incident tables as the engine and the views read them: rows mapped to
// incidents (with their response and escalation times), the list query, one
// incident's detail, counts, the unsynced outbox, and the small writes the
// engine's transactions are made of (timeline entries, new ids).
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Alert, Severity } from '../../shared/domain/alert.js';
import type { Incident, IncidentDetail, IncidentMember, IncidentState, TimelineEntry } from '../../shared/domain/incident.js';
import { foldCase, matchesSearch } from '../../shared/domain/incident-query.js';
import { SEVERITY_POLICY, type EscalationLevel } from '../../shared/domain/severity.js';
import { MAX_ACK_ALERT_KEYS, type RelayAck } from '../../shared/relay-protocol.js';
import type { Db, Statement } from '../store/database.js';
import { byRole, callTargets, type WhoToCall } from './call-list.js';
import { sql, where } from '../store/sql.js';

export interface Row {
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
  group_key: string | null;
  firing_count: number;
  truncated_alerts: number;
  last_alert_at: string | null;
  pending: number;
}

/** One alert of an incident, as the engine reads it to decide. */
export interface MemberRow {
  status: 'firing' | 'resolved';
  severity: Severity;
}

/** How many alerts of an incident the detail lists; the rest are counted ("… and 312 more"). */
export const MEMBERS_SHOWN = 500;

export interface IncidentFilter {
  state?: 'open' | IncidentState | 'all' | undefined;
  severity?: Severity | undefined;
  search?: string | undefined;
  limit?: number | undefined;
}

function compactStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** The alert's "category" label (seed 004's error categories, or the sender's own), kept short; null when absent. */
export function alertCategory(a: Alert): string | null {
  const c = a.labels.category?.trim();
  return c ? c.slice(0, 64) : null;
}

export class IncidentRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly escalation: EscalationLevel[],
    private readonly who: WhoToCall = byRole,
    private readonly ackTimeoutMin: Partial<Record<Severity, number>> = {},
  ) {}

  private now(): string {
    return isoTime(this.clock.now());
  }

  /** The incident changes told of so far (the engine counts them): each copy read carries it as `asOf`. */
  changesTold = 0;

  /** Statements run for every alert or incident of a storm, prepared once (each used in one mode only). */
  private readonly prepared = new Map<string, Statement>();
  private once(text: string): Statement {
    let st = this.prepared.get(text);
    if (!st) this.prepared.set(text, (st = this.db.prepare(text)));
    return st;
  }

  private static readonly SELECT = `SELECT i.*, EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.synced_at IS NULL) AS pending FROM incident i`;

  view(r: Row): Incident {
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
      firingCount: r.firing_count,
      truncatedAlerts: r.truncated_alerts,
      previousId: r.previous_id,
      pendingSync: r.pending === 1,
      responseDueAt: isoTime(opened + SEVERITY_POLICY[r.severity].responseMinutes * 60_000),
      ackExpiresAt: r.state === 'acknowledged' && r.acknowledged_at && (this.ackTimeoutMin[r.severity] ?? 0) > 0 ? isoTime(Date.parse(r.acknowledged_at) + this.ackTimeoutMin[r.severity]! * 60_000) : null,
      nextEscalationAt: next ? isoTime(opened + next.afterMinutes * 60_000) : null,
      asOf: this.changesTold,
    };
  }

  get(id: string): Incident {
    const row = this.once(`${IncidentRepository.SELECT} WHERE i.id = ?`).get(id) as Row | undefined;
    if (!row) throw new ConsoleError('E_INCIDENT_NOT_FOUND', 'input', `no incident ${id}`);
    return this.view(row);
  }

  list(filter: IncidentFilter = {}): Incident[] {
    const state = filter.state ?? 'open';
    const w = where(state === 'open' ? sql`i.state != 'resolved'` : state !== 'all' && sql`i.state = ${state}`, filter.severity && sql`i.severity = ${filter.severity}`);
    const order = `ORDER BY CASE i.state WHEN 'triggered' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, i.severity, i.opened_at DESC`;
    const whereSql = w.text;
    const params = w.params;
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
    const rows = this.db.prepare(`${IncidentRepository.SELECT} ${whereSql} ${order} LIMIT ?`).all(...params, limit) as Row[];
    return rows.map((r) => this.view(r));
  }

  /** The open incident holding an alert key (the newest, if groups share it), if any. */
  findOpen(key: string): Incident | null {
    const r = this.db
      .prepare(`${IncidentRepository.SELECT} WHERE i.id IN (SELECT incident_id FROM incident_member WHERE alert_key = ?) AND i.state != 'resolved' ORDER BY i.opened_at DESC LIMIT 1`)
      .get(key) as Row | undefined;
    return r ? this.view(r) : null;
  }

  /** The incidents of these ids that exist, in the order asked: one statement (one read of the database) for many. */
  byIds(ids: string[]): Incident[] {
    if (ids.length === 0) return [];
    const rows = new Map<string, Row>();
    for (const r of this.once(`${IncidentRepository.SELECT} WHERE i.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[]) rows.set(r.id, r);
    return ids.flatMap((id) => {
      const r = rows.get(id);
      return r ? [this.view(r)] : [];
    });
  }

  counts(): { open: number; bySeverity: Record<Severity, number>; unacknowledged: number; unacknowledgedSev1: number } {
    const rows = this.once(`SELECT severity, state, count(*) AS n FROM incident WHERE state IN ('triggered', 'acknowledged') GROUP BY severity, state`).all() as { severity: Severity; state: IncidentState; n: number }[];
    const bySeverity: Record<Severity, number> = { SEV1: 0, SEV2: 0, SEV3: 0 };
    let open = 0;
    let unacknowledged = 0;
    let unacknowledgedSev1 = 0;
    for (const r of rows) {
      bySeverity[r.severity] += r.n;
      open += r.n;
      if (r.state === 'triggered') unacknowledged += r.n;
      if (r.state === 'triggered' && r.severity === 'SEV1') unacknowledgedSev1 += r.n;
    }
    return { open, bySeverity, unacknowledged, unacknowledgedSev1 };
  }

  /** The worst severity with unacknowledged, unsnoozed incidents: how many, and the oldest of them. */
  alarm(): { severity: Severity; count: number; oldestOpenedAt: string; incidentId: string } | null {
    const now = this.now();
    const r = this.db
      .prepare(
        `SELECT severity, count(*) AS n, min(opened_at) AS oldest FROM incident
         WHERE state = 'triggered' AND (snoozed_until IS NULL OR snoozed_until <= ?) GROUP BY severity ORDER BY severity LIMIT 1`,
      )
      .get(now) as { severity: Severity; n: number; oldest: string } | undefined;
    if (!r) return null;
    const id = this.db.prepare(`SELECT id FROM incident WHERE state = 'triggered' AND severity = ? AND opened_at = ? LIMIT 1`).pluck().get(r.severity, r.oldest) as string;
    return { severity: r.severity, count: r.n, oldestOpenedAt: r.oldest, incidentId: id };
  }

  detail(id: string): IncidentDetail {
    const incident = this.get(id);
    const events = this.db.prepare('SELECT at, kind, actor, text FROM incident_event WHERE incident_id = ? ORDER BY id').all(id) as TimelineEntry[];
    // what people did in the incident's runbooks belongs to its story too: answers, overrides (with their reason), steps done
    const steps = (
      this.db.prepare('SELECT s.at, s.status, s.by, s.step_id AS step, s.answer, s.note, r.title FROM runbook_step s JOIN runbook_run r ON r.id = s.run_id WHERE r.incident_id = ?').all(id) as {
        at: string; status: 'done' | 'overridden' | 'answered'; by: string; step: string; answer: string | null; note: string | null; title: string;
      }[]
    ).map((r): TimelineEntry => ({
      at: r.at,
      kind: `runbook.${r.status}`,
      actor: r.by,
      text: `${r.title}: ${r.step} ${r.status === 'answered' ? `answered “${r.answer ?? ''}”` : r.status === 'overridden' ? `overridden — ${r.note ?? 'no reason'}` : `done${r.note ? ` — ${r.note}` : ''}`}`,
    }));
    // merged by time; events of the same moment keep their order
    const timeline = [...events, ...steps].map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map((x) => x.e);
    const alerts = (
      this.db
        .prepare('SELECT f.body FROM incident_alert ia JOIN feed_alert f ON f.relay_id = ia.relay_id AND f.seq = ia.seq WHERE ia.incident_id = ? ORDER BY ia.rowid DESC LIMIT 200')
        .pluck()
        .all(id) as string[]
    ).map((b) => JSON.parse(b) as Alert);
    const escalation = incident.state !== 'resolved' ? this.callLevels(incident.escalationLevel) : { current: null, next: null };
    return { incident, timeline, alerts, escalation, members: this.members(id) };
  }

  /** The alerts an incident holds, firing and worst first, each with its own state; the total besides the ones listed. */
  members(id: string, limit = MEMBERS_SHOWN): IncidentDetail['members'] {
    const total = this.db.prepare('SELECT count(*) FROM incident_member WHERE incident_id = ?').pluck().get(id) as number;
    const rows = this.db
      .prepare(
        `SELECT alert_key AS key, status, severity, summary, first_seen AS firstSeen, last_seen AS lastSeen, repeats, acknowledged_by AS acknowledgedBy
           FROM incident_member WHERE incident_id = ? ORDER BY status = 'resolved', severity, last_seen DESC, alert_key LIMIT ?`,
      )
      .all(id, limit) as IncidentMember[];
    return { total, alerts: rows };
  }

  /**
   * Whom to call for an open incident at the level it reached: that level, or
   * the first until it escalates; and the level after it — what Escalate calls
   * in and the detail shows as next.
   */
  callLevels(reached: number): { current: EscalationLevel | null; next: EscalationLevel | null } {
    const current = this.escalation.find((l) => l.level === reached) ?? this.escalation[0] ?? null;
    const next = this.escalation.find((l) => l.level > Math.max(reached, current?.level ?? 0)) ?? null;
    const now = this.clock.now();
    const resolved = (l: EscalationLevel | null) => (l ? { ...l, calls: callTargets(l, this.who, now) } : null);
    return { current: resolved(current), next: resolved(next) };
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

  event(incidentId: string, kind: string, actor: string, text: string): void {
    this.once('INSERT INTO incident_event (incident_id, at, kind, actor, text) VALUES (?, ?, ?, ?, ?)').run(incidentId, this.now(), kind, actor, text);
  }

  /** the second ids are being handed out for, and the suffix to try first */
  private idCursor = { base: '', n: 1 };

  /**
   * A new incident id, `MAI-YYYYMMDD-HHMMSS` with `-2`, `-3`… for more in the
   * same second: the lowest suffix not taken from where this second's last one
   * was handed out, each candidate a primary-key lookup. The cursor rests on
   * the id just handed out, so an id whose transaction rolled back is handed
   * out again; the cost does not grow with the incidents of the second.
   */
  newId(): string {
    const base = `MAI-${compactStamp(this.clock.now())}`;
    if (this.idCursor.base !== base) this.idCursor = { base, n: 1 };
    const exists = this.once('SELECT 1 FROM incident WHERE id = ?').pluck(true);
    const idOf = (n: number) => (n === 1 ? base : `${base}-${n}`);
    let n = this.idCursor.n;
    while (exists.get(idOf(n))) n++;
    this.idCursor.n = n;
    return idOf(n);
  }

  /**
   * The keys an action on the whole incident carries to the relay (for its
   * write-back to the sources): the firing alerts, at most 1,000 and 32 KiB,
   * so the frame stays well under the relay's limit.
   */
  actionKeys(id: string): string[] {
    const keys: string[] = [];
    let bytes = 0;
    for (const k of this.db.prepare(`SELECT alert_key FROM incident_member WHERE incident_id = ? AND status = 'firing' ORDER BY alert_key`).pluck().iterate(id) as Iterable<string>) {
      bytes += Buffer.byteLength(k) + 3;
      if (keys.length >= MAX_ACK_ALERT_KEYS || bytes > 32 * 1024) break;
      keys.push(k);
    }
    return keys;
  }

  /** The newest open incident of a group. */
  openByGroup(groupKey: string): Row | undefined {
    return this.once(`SELECT *, 0 AS pending FROM incident WHERE group_key = ? AND state != 'resolved' ORDER BY opened_at DESC LIMIT 1`).get(groupKey) as Row | undefined;
  }

  openByKey(key: string): Row | undefined {
    return this.db.prepare(`SELECT *, 0 AS pending FROM incident WHERE key = ? AND state != 'resolved'`).get(key) as Row | undefined;
  }

  row(id: string): Row {
    const r = this.db.prepare('SELECT *, 0 AS pending FROM incident WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new ConsoleError('E_INCIDENT_NOT_FOUND', 'input', `no incident ${id}`);
    return r;
  }
}
