// Who is on call for a role: layers of rotations (or shifts from an
// on-call calendar) and overrides above them. Times of a rotation are wall
// times in its own time zone, so a hand-off at 08:00 stays at 08:00 across a
// daylight-saving change; instants are ISO strings with an offset.

/** A weekly window in the layer's time zone, minutes from Monday 00:00 (0 … 10080); `to` before `from` wraps over Sunday night. */
export interface WeeklyWindow {
  from: number;
  to: number;
}

export interface RotationLayer {
  kind: 'rotation';
  name: string;
  /** the first hand-off, a local wall time in `timeZone` ('2026-11-02T08:00') */
  start: string;
  /** IANA time zone of `start`, the hand-offs and the restrictions */
  timeZone: string;
  /** one turn: whole local days (hand-off at the same wall time) or exact hours */
  turn: { days: number } | { hours: number };
  /** in turn order; the first takes the turn that begins at `start` */
  participants: string[];
  /** when not empty, the layer covers only these windows */
  restrictions: WeeklyWindow[];
  /** local wall time after which the layer ends */
  end?: string;
}

/** Shifts listed one by one (an iCalendar file expanded), instants with offsets. */
export interface ShiftsLayer {
  kind: 'shifts';
  name: string;
  shifts: { person: string; start: string; end: string }[];
}

export type ScheduleLayer = RotationLayer | ShiftsLayer;

/** "I take the night": a person on call for a role within [start, end), above every layer. */
export interface ScheduleOverride {
  id: string;
  role: string;
  person: string;
  start: string;
  end: string;
  reason: string;
  /** userId of who added it */
  createdBy: string;
  createdAt: string;
  /** the console it came from, when another console added it */
  origin?: string;
}

export interface RoleSchedule {
  role: string;
  /** the final layer wins where layers overlap */
  layers: ScheduleLayer[];
  overrides: ScheduleOverride[];
}

/** Who covers a role at an instant, and from which part of the schedule. */
export type Coverage = { person: string; via: { kind: 'override'; id: string; reason: string } | { kind: 'layer'; name: string } } | null;

/** The answer for a role at an instant: a person or a reported gap, and until when. */
export interface OnCallAnswer {
  role: string;
  at: string;
  person: string | null;
  via: string | null;
  /** when this answer changes; null when it does not within the horizon looked at */
  until: string | null;
  /** who comes after `until` (null for a gap) */
  next: string | null;
}

export interface OnCallSegment {
  start: string;
  end: string;
  person: string | null;
  via: string | null;
}

/** One role on the Contacts board: who now, the next days as segments, and the gaps in them. */
export interface RoleBoard {
  role: string;
  now: OnCallAnswer;
  segments: OnCallSegment[];
  gaps: OnCallSegment[];
  /** the role is called at escalation level 1 (a SEV1's first responders) */
  firstResponder: boolean;
  /** its number from the contact directory, when the role has one */
  rolePhone: string | null;
}

/** A person of the contact directory. */
export interface Person {
  name: string;
  phone: string;
  pager?: string;
  email?: string;
}

/** Whom to call for one role of an escalation level, resolved at an instant. */
export interface CallTarget {
  role: string;
  /** the person on call, or null (no schedule for the role, or a gap) */
  person: string | null;
  /** the person's number, else the role's own */
  phone: string | null;
  /** the schedule has no one for this role now */
  gap: boolean;
  until: string | null;
}
