// Who is on call: a pure resolution of a role's schedule at an instant.
// Overrides win over layers (the newest override where two overlap); among
// layers the final one wins; where nothing covers the instant the answer is a
// reported gap. Rotations turn at local wall times in their own time zone, so
// a daily 08:00 hand-off stays at 08:00 on the day the clocks change.
import { DateTime } from 'luxon';
import type { CallTarget, Coverage, OnCallAnswer, OnCallSegment, RoleSchedule, RotationLayer, ScheduleLayer, WeeklyWindow } from './domain/schedule.js';
import type { EscalationLevel } from './domain/severity.js';

const WEEK_MIN = 7 * 24 * 60;
const HOUR_MS = 3_600_000;
/** how far ahead `until` and `next` are looked for */
export const ON_CALL_HORIZON_MS = 35 * 24 * HOUR_MS;

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (text: string): number => Date.parse(text);

function localStart(layer: RotationLayer): DateTime {
  return DateTime.fromISO(layer.start, { zone: layer.timeZone });
}

/** The instant turn `i` of a rotation begins (turn 0 at the layer's start). */
function turnStart(layer: RotationLayer, start: DateTime, i: number): number {
  return 'days' in layer.turn ? start.plus({ days: i * layer.turn.days }).toMillis() : start.toMillis() + i * layer.turn.hours * HOUR_MS;
}

/** The turn an instant falls in (negative before the start). */
function turnIndex(layer: RotationLayer, start: DateTime, t: number): number {
  const lengthMs = 'days' in layer.turn ? layer.turn.days * 24 * HOUR_MS : layer.turn.hours * HOUR_MS;
  let i = Math.floor((t - start.toMillis()) / lengthMs);
  // local days are 23 to 25 hours long: step to the turn that holds t
  while (turnStart(layer, start, i) > t) i--;
  while (turnStart(layer, start, i + 1) <= t) i++;
  return i;
}

function minuteOfWeek(t: number, zone: string): number {
  const d = DateTime.fromMillis(t, { zone });
  return (d.weekday - 1) * 1440 + d.hour * 60 + d.minute;
}

function inWindow(w: WeeklyWindow, m: number): boolean {
  return w.from <= w.to ? m >= w.from && m < w.to : m >= w.from || m < w.to;
}

/** The first instant after t at which a weekly wall-time minute comes round in the zone. */
function nextWeekMinute(t: number, zone: string, minute: number): number {
  const week = DateTime.fromMillis(t, { zone }).startOf('week');
  for (let k = 0; k < 3; k++) {
    const at = week
      .plus({ weeks: k, days: Math.floor(minute / 1440) })
      .set({ hour: Math.floor((minute % 1440) / 60), minute: minute % 60, second: 0, millisecond: 0 })
      .toMillis();
    if (at > t) return at;
  }
  return Number.POSITIVE_INFINITY;
}

function layerAt(layer: ScheduleLayer, t: number): string | null {
  if (layer.kind === 'shifts') {
    // the latest-starting shift that holds t
    let best: { person: string; start: number } | null = null;
    for (const s of layer.shifts) {
      const a = ms(s.start);
      if (a <= t && t < ms(s.end) && (!best || a >= best.start)) best = { person: s.person, start: a };
    }
    return best?.person ?? null;
  }
  if (layer.participants.length === 0) return null;
  const start = localStart(layer);
  if (t < start.toMillis()) return null;
  if (layer.end && t >= DateTime.fromISO(layer.end, { zone: layer.timeZone }).toMillis()) return null;
  if (layer.restrictions.length > 0) {
    const m = minuteOfWeek(t, layer.timeZone);
    if (!layer.restrictions.some((w) => inWindow(w, m))) return null;
  }
  const i = turnIndex(layer, start, t);
  const n = layer.participants.length;
  return layer.participants[((i % n) + n) % n]!;
}

/** Who covers the role at t, and through which override or layer; null is a gap. */
export function coverageAt(schedule: RoleSchedule, t: number): Coverage {
  let override: RoleSchedule['overrides'][number] | null = null;
  for (const o of schedule.overrides) {
    if (ms(o.start) <= t && t < ms(o.end) && (!override || o.createdAt > override.createdAt || (o.createdAt === override.createdAt && o.id > override.id))) override = o;
  }
  if (override) return { person: override.person, via: { kind: 'override', id: override.id, reason: override.reason } };
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const layer = schedule.layers[i]!;
    const person = layerAt(layer, t);
    if (person !== null) return { person, via: { kind: 'layer', name: layer.name } };
  }
  return null;
}

/** The earliest instant after t at which any part of the schedule can change. */
export function nextChange(schedule: RoleSchedule, t: number): number {
  let best = Number.POSITIVE_INFINITY;
  const consider = (x: number) => {
    if (x > t && x < best) best = x;
  };
  for (const o of schedule.overrides) {
    consider(ms(o.start));
    consider(ms(o.end));
  }
  for (const layer of schedule.layers) {
    if (layer.kind === 'shifts') {
      for (const s of layer.shifts) {
        consider(ms(s.start));
        consider(ms(s.end));
      }
      continue;
    }
    const start = localStart(layer);
    if (layer.end) consider(DateTime.fromISO(layer.end, { zone: layer.timeZone }).toMillis());
    if (t < start.toMillis()) {
      consider(start.toMillis());
      continue;
    }
    consider(turnStart(layer, start, turnIndex(layer, start, t) + 1));
    for (const w of layer.restrictions) {
      consider(nextWeekMinute(t, layer.timeZone, w.from));
      consider(nextWeekMinute(t, layer.timeZone, w.to % WEEK_MIN));
    }
  }
  return best;
}

const viaText = (c: Coverage): string | null => (c === null ? null : c.via.kind === 'override' ? `override: ${c.via.reason}` : c.via.name);

/** The role's person at t (or a gap), until when that holds, and who comes next. */
export function onCallAt(schedule: RoleSchedule, t: number, horizonMs = ON_CALL_HORIZON_MS): OnCallAnswer {
  const here = coverageAt(schedule, t);
  let x = t;
  let until: number | null = null;
  let next: Coverage = null;
  for (let steps = 0; steps < 10_000; steps++) {
    x = nextChange(schedule, x);
    if (!Number.isFinite(x) || x > t + horizonMs) break;
    const there = coverageAt(schedule, x);
    if ((there?.person ?? null) !== (here?.person ?? null)) {
      until = x;
      next = there;
      break;
    }
  }
  return { role: schedule.role, at: iso(t), person: here?.person ?? null, via: viaText(here), until: until === null ? null : iso(until), next: next?.person ?? null };
}

/** The schedule between two instants as segments of one person (or a gap) each. */
export function onCallTimeline(schedule: RoleSchedule, from: number, to: number): OnCallSegment[] {
  const out: OnCallSegment[] = [];
  let x = from;
  for (let steps = 0; x < to && steps < 10_000; steps++) {
    const c = coverageAt(schedule, x);
    const end = Math.min(nextChange(schedule, x), to);
    const last = out.at(-1);
    if (last && last.person === (c?.person ?? null) && last.via === viaText(c)) last.end = iso(end);
    else out.push({ start: iso(x), end: iso(end), person: c?.person ?? null, via: viaText(c) });
    x = end;
  }
  return out;
}

/** Named weekly windows: the three together cover the whole week. */
export const RESTRICTION_PRESETS: Record<'weekday' | 'weeknight' | 'weekend', WeeklyWindow[]> = {
  // Monday to Friday, 08:00–18:00
  weekday: [0, 1, 2, 3, 4].map((d) => ({ from: d * 1440 + 480, to: d * 1440 + 1080 })),
  // Monday to Thursday evenings, 18:00 to 08:00 the next morning
  weeknight: [0, 1, 2, 3].map((d) => ({ from: d * 1440 + 1080, to: (d + 1) * 1440 + 480 })),
  // Friday 18:00 to Monday 08:00
  weekend: [{ from: 4 * 1440 + 1080, to: 480 }],
};

/** A level's roles as call targets: resolved when the level carries them, else the roles themselves. */
export function callsOf(level: EscalationLevel): CallTarget[] {
  return level.calls ?? level.contacts.map((role) => ({ role, person: null, phone: null, gap: false, until: null }));
}

/** "Dana Whitfield (On-Call Engineer) +1-555-0141, …": the timeline's words and the detail's, from one rule. */
export function callText(targets: CallTarget[]): string {
  return targets
    .map((c) => (c.person ? `${c.person} (${c.role})${c.phone ? ` ${c.phone}` : ''}` : c.gap ? `${c.role} (nobody on call: schedule gap${c.phone ? `; role number ${c.phone}` : ''})` : c.role))
    .join(', ');
}
