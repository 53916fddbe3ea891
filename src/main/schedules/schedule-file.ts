// schedules.yaml: who is on call for each role of the escalation matrix.
// Per role, layers of rotations (the final layer wins) and/or an on-call
// calendar (iCalendar) that ends up as the final layer, and overrides. Every
// person named must be in the contact directory (contacts.yaml `people`).
// Errors name the file, the line and the field.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { RotationLayer, WeeklyWindow } from '../../shared/domain/schedule.js';
import { RESTRICTION_PRESETS } from '../../shared/on-call.js';
import { lineAt, MAX_CONFIG_BYTES, readYamlFile } from '../platform/yaml-file.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

const zone = z.string().refine((v) => DateTime.local().setZone(v).isValid, { message: 'not a time zone (use an IANA name such as Europe/London)' });
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const Restriction = z.union([
  z.enum(['weekday', 'weeknight', 'weekend']),
  z
    .object({
      days: z.array(z.enum(DAYS)).min(1).default([...DAYS]),
      from: z.string().regex(HHMM, 'a time as HH:MM'),
      to: z.string().regex(HHMM, 'a time as HH:MM'),
    })
    .strict(),
]);

const Turn = z.union([z.enum(['daily', 'weekly']), z.object({ days: z.number().int().min(1).max(366) }).strict(), z.object({ hours: z.number().int().min(1).max(24 * 366) }).strict()]);

const LayerSchema = z
  .object({
    name: z.string().min(1).max(80),
    rotation: Turn,
    start: z.string().regex(LOCAL, 'a local date and time such as 2026-11-02T08:00'),
    end: z.string().regex(LOCAL, 'a local date and time such as 2027-01-04T08:00').optional(),
    timeZone: zone.optional(),
    participants: z.array(z.string().min(1).max(120)).min(1),
    restrictions: z.array(Restriction).default([]),
  })
  .strict();

const OverrideSchema = z
  .object({
    person: z.string().min(1).max(120),
    start: z.string().min(16).max(40),
    end: z.string().min(16).max(40),
    reason: z.string().min(1).max(200),
  })
  .strict();

const RoleSchema = z
  .object({
    role: z.string().min(1).max(120),
    layers: z.array(LayerSchema).default([]),
    /** an iCalendar file of shifts (SUMMARY = the person), relative to schedules.yaml */
    calendar: z.string().min(1).max(400).optional(),
    overrides: z.array(OverrideSchema).default([]),
  })
  .strict()
  .refine((r) => r.layers.length > 0 || r.calendar !== undefined, { message: 'give layers, a calendar, or both' });

export const ScheduleFileSchema = z
  .object({
    /** the default zone of layers and of local override times */
    timeZone: zone.default('UTC'),
    schedules: z.array(RoleSchema).min(1),
  })
  .strict();

/** A role's schedule as the file gives it: overrides from the console and the calendar's shifts are added by the service. */
export interface RoleSpec {
  role: string;
  layers: RotationLayer[];
  calendar: { file: string; text: string } | null;
  overrides: { person: string; start: string; end: string; reason: string }[];
}

export interface ScheduleFile {
  timeZone: string;
  roles: RoleSpec[];
  source: string;
}

function windows(list: z.infer<typeof Restriction>[]): WeeklyWindow[] {
  return list.flatMap((r) =>
    typeof r === 'string' ? RESTRICTION_PRESETS[r] : r.days.map((d) => {
      const day = DAYS.indexOf(d) * 1440;
      const from = day + minutes(r.from);
      // 18:00–08:00 runs into the next morning (Sunday's into Monday's)
      const to = minutes(r.to) > minutes(r.from) ? day + minutes(r.to) : (day + 1440 + minutes(r.to)) % (7 * 1440);
      return { from, to };
    }),
  );
}

/** An instant from text with an offset, or a local time in `zone`; null when neither. */
function instant(text: string, zoneName: string): string | null {
  const withOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text);
  const d = withOffset ? DateTime.fromISO(text, { setZone: true }) : LOCAL.test(text) ? DateTime.fromISO(text, { zone: zoneName }) : null;
  return d?.isValid ? d.toUTC().toISO() : null;
}

/** Read schedules.yaml against the directory's people: the file, or one error naming file, line and field. */
export function loadScheduleFile(file: string, people: ReadonlySet<string>): { file?: ScheduleFile; error?: string } {
  const read = readYamlFile(file);
  if (!read.ok) return { error: `E_SCHEDULES: ${read.error}` };
  const { value, doc, counter } = read;
  const at = (path: PropertyKey[], message: string) => ({ error: `E_SCHEDULES: ${file}: line ${lineAt(doc, counter, path) ?? '?'}: ${path.join('.')}: ${message}` });
  const parsed = ScheduleFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return at(issue.path, issue.message);
  }
  const roles: RoleSpec[] = [];
  const seen = new Set<string>();
  for (const [i, r] of parsed.data.schedules.entries()) {
    if (seen.has(r.role)) return at(['schedules', i, 'role'], `"${r.role}" has two schedules`);
    seen.add(r.role);
    const layers: RotationLayer[] = [];
    for (const [j, l] of r.layers.entries()) {
      const tz = l.timeZone ?? parsed.data.timeZone;
      for (const [k, p] of l.participants.entries()) if (!people.has(p)) return at(['schedules', i, 'layers', j, 'participants', k], `"${p}" is not in the contact directory (people in contacts.yaml)`);
      if (!DateTime.fromISO(l.start, { zone: tz }).isValid) return at(['schedules', i, 'layers', j, 'start'], `"${l.start}" is not a date and time`);
      const turn = l.rotation === 'daily' ? { days: 1 } : l.rotation === 'weekly' ? { days: 7 } : l.rotation;
      layers.push({ kind: 'rotation', name: l.name, start: l.start, timeZone: tz, turn, participants: l.participants, restrictions: windows(l.restrictions), ...(l.end ? { end: l.end } : {}) });
    }
    const overrides: RoleSpec['overrides'] = [];
    for (const [j, o] of r.overrides.entries()) {
      if (!people.has(o.person)) return at(['schedules', i, 'overrides', j, 'person'], `"${o.person}" is not in the contact directory (people in contacts.yaml)`);
      const start = instant(o.start, parsed.data.timeZone);
      const end = instant(o.end, parsed.data.timeZone);
      if (!start) return at(['schedules', i, 'overrides', j, 'start'], `"${o.start}" is not a date and time`);
      if (!end) return at(['schedules', i, 'overrides', j, 'end'], `"${o.end}" is not a date and time`);
      if (end <= start) return at(['schedules', i, 'overrides', j, 'end'], 'ends before it starts');
      overrides.push({ person: o.person, start, end, reason: o.reason });
    }
    let calendar: RoleSpec['calendar'] = null;
    if (r.calendar) {
      const path = isAbsolute(r.calendar) ? r.calendar : join(dirname(file), r.calendar);
      try {
        const st = statSync(path);
        if (!st.isFile()) return at(['schedules', i, 'calendar'], `${path} is not a regular file`);
        if (st.size > MAX_CONFIG_BYTES) return at(['schedules', i, 'calendar'], `${path} holds ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a calendar may`);
        calendar = { file: path, text: readFileSync(path, 'utf8') };
      } catch (err) {
        return at(['schedules', i, 'calendar'], `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    roles.push({ role: r.role, layers, calendar, overrides });
  }
  return { file: { timeZone: parsed.data.timeZone, roles, source: file } };
}
