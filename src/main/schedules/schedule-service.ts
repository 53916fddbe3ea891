// Who is on call now, for each role of the escalation matrix: the schedules
// file (rotations, calendars, overrides) with the overrides added at this and
// other consoles. Overrides added here are audited, kept locally and sent to
// the relay once (they travel like acknowledgements); those from other
// consoles are applied once.
import { randomUUID } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { CallTarget, OnCallAnswer, OnCallSegment, Person, RoleBoard, RoleSchedule, ScheduleOverride, ShiftsLayer } from '../../shared/domain/schedule.js';
import { onCallAt, onCallTimeline } from '../../shared/on-call.js';
import { OverridePayloadSchema, type RelayAck } from '../../shared/relay-protocol.js';
import type { AuditLog } from '../audit/audit-log.js';
import { Emitter } from '../platform/emitter.js';
import type { Logger } from '../platform/logger.js';
import type { Db } from '../store/database.js';
import { readCalendar } from './ical-import.js';
import type { ScheduleFile } from './schedule-file.js';

const DAY = 24 * 3_600_000;

interface OverrideRow {
  id: string;
  role: string;
  person: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_by: string;
  created_by_name: string;
  created_at: string;
  origin: string | null;
}

export interface ScheduleServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** the loaded schedules file (null: none, every role resolves to its own number) */
  file: ScheduleFile | null;
  people: Person[];
  /** role name → the role's own number in the directory */
  rolePhones: ReadonlyMap<string, string>;
  /** the roles called at escalation level 1 */
  firstResponders: readonly string[];
}

export interface OverrideInput {
  role: string;
  person: string;
  start: string;
  end: string;
  reason: string;
}

export class ScheduleService {
  /** after commit: an override was added here or arrived from another console */
  readonly changed = new Emitter<string>();
  /** problems found while reading calendars (unknown people): shown with the file errors */
  readonly warnings: string[] = [];
  private readonly directory: Map<string, Person>;
  private calendars = new Map<string, { from: number; to: number; layer: ShiftsLayer }>();

  constructor(private readonly deps: ScheduleServiceDeps) {
    this.directory = new Map(deps.people.map((p) => [p.name, p]));
    this.expandCalendars(deps.clock.now());
  }

  people(): Person[] {
    return [...this.directory.values()];
  }

  /** the roles with a schedule, in file order */
  roles(): string[] {
    return this.deps.file?.roles.map((r) => r.role) ?? [];
  }

  private expandCalendars(t: number): void {
    const names = new Set(this.directory.keys());
    this.warnings.length = 0;
    for (const r of this.deps.file?.roles ?? []) {
      if (!r.calendar) continue;
      const from = t - 35 * DAY;
      const to = t + 70 * DAY;
      try {
        const read = readCalendar(r.calendar.text, `calendar ${r.calendar.file.split(/[\\/]/).at(-1)}`, { from, to }, names, this.deps.file!.timeZone);
        if (read.truncated) this.warnings.push(`E_SCHEDULES: ${r.calendar.file}: line 1: the calendar repeats more often than an on-call rota can (over 50,000 occurrences): read up to that point only`);
        for (const u of read.unknown) this.warnings.push(`E_SCHEDULES: ${r.calendar.file}: line ${u.line}: "${u.person}" is not in the contact directory (people in contacts.yaml): their shifts are left out`);
        this.calendars.set(r.role, { from, to, layer: read.layer });
      } catch (err) {
        this.warnings.push(`E_SCHEDULES: ${r.calendar.file}: line 1: ${(err as Error).message}`);
        this.calendars.set(r.role, { from, to, layer: { kind: 'shifts', name: 'calendar (unreadable)', shifts: [] } });
      }
    }
    for (const w of this.warnings) this.deps.logger.log('warn', 'W_SCHEDULE_CALENDAR', w);
  }

  /** Overrides that can still matter around t (ended at most 35 days before): years of them never slow a page. */
  private overridesOf(role: string, t: number): ScheduleOverride[] {
    const rows = this.deps.db.prepare('SELECT * FROM schedule_override WHERE role = ? AND ends_at > ? ORDER BY created_at, id').all(role, new Date(t - 35 * DAY).toISOString()) as OverrideRow[];
    const local = rows.map((r): ScheduleOverride => ({ id: r.id, role: r.role, person: r.person, start: r.starts_at, end: r.ends_at, reason: r.reason, createdBy: r.created_by, createdAt: r.created_at, ...(r.origin ? { origin: r.origin } : {}) }));
    const spec = this.deps.file?.roles.find((r) => r.role === role);
    // the file's own overrides are older than anything added at a console
    const fromFile = (spec?.overrides ?? []).map((o, i): ScheduleOverride => ({ id: `file-${i}`, role, person: o.person, start: o.start, end: o.end, reason: o.reason, createdBy: 'schedules.yaml', createdAt: '' }));
    return [...fromFile, ...local];
  }

  /** The role's whole schedule around t; null when the role has none. */
  schedule(role: string, t: number): RoleSchedule | null {
    const spec = this.deps.file?.roles.find((r) => r.role === role);
    if (!spec) return null;
    let cal = this.calendars.get(role);
    if (spec.calendar && (!cal || t < cal.from + 7 * DAY || t > cal.to - 35 * DAY)) {
      this.expandCalendars(t);
      cal = this.calendars.get(role);
    }
    return { role, layers: [...spec.layers, ...(cal ? [cal.layer] : [])], overrides: this.overridesOf(role, t) };
  }

  /** Whom to call for a role at t: its person on call (and their number), or the role's own number. */
  resolve(role: string, t: number): CallTarget {
    const a = this.answer(role, t);
    const rolePhone = this.deps.rolePhones.get(role) ?? null;
    if (!a) return { role, person: null, phone: rolePhone, gap: false, until: null };
    return { role, person: a.person, phone: (a.person ? this.directory.get(a.person)?.phone : null) ?? rolePhone, gap: a.person === null, until: a.until };
  }

  answer(role: string, t: number): OnCallAnswer | null {
    const s = this.schedule(role, t);
    return s ? onCallAt(s, t) : null;
  }

  timeline(role: string, from: number, to: number): OnCallSegment[] {
    const s = this.schedule(role, from);
    return s ? onCallTimeline(s, from, to) : [];
  }

  /** Every role on the Contacts board: now, the next `days` days, and the gaps in them (each role's schedule built once). */
  board(t: number, days = 7): RoleBoard[] {
    return this.roles().map((role) => {
      const s = this.schedule(role, t)!;
      const segments = onCallTimeline(s, t, t + days * DAY);
      return {
        role,
        now: onCallAt(s, t),
        segments,
        gaps: segments.filter((x) => x.person === null),
        firstResponder: this.deps.firstResponders.includes(role),
        rolePhone: this.deps.rolePhones.get(role) ?? null,
      };
    });
  }

  private now(): string {
    return isoTime(this.deps.clock.now());
  }

  /** "I take the night": an engineer or admin puts someone on call for a role, above the schedule. */
  addOverride(input: OverrideInput, operator: Operator | null): ScheduleOverride {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: an override is attributed');
    if (operator.role !== 'engineer' && operator.role !== 'admin') throw new ConsoleError('E_NOT_ALLOWED', 'auth', 'only an engineer or an admin changes who is on call');
    if (!this.roles().includes(input.role)) throw new ConsoleError('E_SCHEDULE_ROLE', 'input', `role: no schedule for "${input.role}"`);
    if (!this.directory.has(input.person)) throw new ConsoleError('E_SCHEDULE_PERSON', 'input', `person: "${input.person}" is not in the contact directory`);
    const checked = OverridePayloadSchema.safeParse(input);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new ConsoleError('E_INVALID_INPUT', 'input', `${issue.path.join('.')}: ${issue.message}`);
    }
    const o: ScheduleOverride = { id: randomUUID(), role: input.role, person: input.person, start: new Date(input.start).toISOString(), end: new Date(input.end).toISOString(), reason: input.reason, createdBy: operator.userId, createdAt: this.now() };
    this.deps.audit.transaction(() => {
      this.insert(o, operator.displayName, null);
      this.deps.audit.append({ operator: operator.userId, action: 'schedule.override_added', subjectType: 'schedule', subjectId: o.role, details: { id: o.id, person: o.person, start: o.start, end: o.end, reason: o.reason } });
    });
    this.changed.emit(o.role);
    return o;
  }

  private insert(o: ScheduleOverride, byName: string, origin: string | null): void {
    this.deps.db
      .prepare('INSERT INTO schedule_override (id, role, person, starts_at, ends_at, reason, created_by, created_by_name, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(o.id, o.role, o.person, o.start, o.end, o.reason, o.createdBy, byName, o.createdAt, origin);
  }

  /** An override another console added: applied once, audited, whatever the relay repeats. */
  applyRemote(ack: RelayAck, consoleId: string): void {
    const o = ack.override;
    if (ack.action !== 'schedule.override' || !o) return;
    if (this.deps.db.prepare('SELECT 1 FROM schedule_override WHERE id = ?').get(ack.id)) return;
    if (!this.directory.has(o.person)) this.deps.logger.log('warn', 'W_SCHEDULE_REMOTE_PERSON', `an override from ${consoleId} names someone this console's directory does not have; kept, shown without a number`, { ackId: ack.id });
    const row: ScheduleOverride = { id: ack.id, role: o.role, person: o.person, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString(), reason: o.reason, createdBy: ack.operator.userId, createdAt: new Date(ack.at).toISOString() };
    this.deps.audit.transaction(() => {
      this.insert(row, ack.operator.displayName, consoleId);
      this.deps.audit.append({ operator: ack.operator.userId, action: 'schedule.remote_override', subjectType: 'schedule', subjectId: o.role, details: { id: ack.id, console: consoleId, person: o.person, start: row.start, end: row.end } });
    });
    this.changed.emit(o.role);
  }

  /** Overrides added here and not yet at the relay, oldest first, as relay actions. */
  pendingOutbox(): { id: string; payload: RelayAck }[] {
    const rows = this.deps.db.prepare('SELECT * FROM schedule_override WHERE origin IS NULL AND synced_at IS NULL ORDER BY created_at, id').all() as OverrideRow[];
    return rows.map((r) => ({
      id: r.id,
      payload: {
        id: r.id,
        alertKey: `schedule:${r.role}`.slice(0, 512),
        action: 'schedule.override',
        operator: { userId: r.created_by, displayName: r.created_by_name },
        at: r.created_at,
        override: { role: r.role, person: r.person, start: r.starts_at, end: r.ends_at, reason: r.reason },
      },
    }));
  }

  markSynced(id: string): void {
    this.deps.db.prepare('UPDATE schedule_override SET synced_at = ? WHERE id = ? AND synced_at IS NULL').run(this.now(), id);
  }
}
