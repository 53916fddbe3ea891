// An on-call calendar (iCalendar, RFC 5545) as a list of shifts: each VEVENT
// is a shift whose SUMMARY names the person (a leading "On call:" is
// dropped), expanded through its RRULE, RDATE and EXDATE and with modified
// instances (RECURRENCE-ID) in their place, by ical.js. Times in a zone the
// file describes (VTIMEZONE) are converted by ical.js; a TZID the file does
// not describe is read as an IANA zone; floating times are in the schedule's
// zone.
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { ShiftsLayer } from '../../shared/domain/schedule.js';

type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalEvent = InstanceType<typeof ICAL.Event>;

export interface CalendarRead {
  layer: ShiftsLayer;
  /** people the calendar names that the directory does not know, with the line of each */
  unknown: { person: string; line: number }[];
  /** set when expansion stopped at the file's budget: shifts after that point are missing */
  truncated: boolean;
}

/** occurrences expanded per event and per file: a rule that repeats every second cannot stall a start-up */
const MAX_OCCURRENCES = 20_000;
const MAX_OCCURRENCES_PER_FILE = 50_000;

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : text.slice(0, i).split(/\r?\n/).length;
}

function toMillis(t: IcalTime, tzid: string | null, defaultZone: string): number {
  const zone = t.zone?.tzid;
  if (zone === 'UTC' || (zone && zone !== 'floating' && ICAL.TimezoneService.has(zone))) return t.toUnixTime() * 1000;
  const z = tzid && DateTime.local().setZone(tzid).isValid ? tzid : defaultZone;
  return DateTime.fromObject({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second }, { zone: z }).toMillis();
}

/**
 * Read a calendar's shifts overlapping [from, to). Throws an Error whose
 * message names the problem (the caller adds the file) for text that is not
 * an iCalendar.
 */
export function readCalendar(text: string, name: string, window: { from: number; to: number }, people: ReadonlySet<string>, defaultZone: string): CalendarRead {
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw new Error(`not an iCalendar file (${(err as Error).message.split('\n')[0]})`);
  }
  if (root.name !== 'vcalendar') throw new Error(`not an iCalendar file (it holds a ${root.name.toUpperCase()}, not a VCALENDAR)`);
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);

  const events = root.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  const masters = new Map<string, IcalEvent>();
  for (const e of events) if (!e.isRecurrenceException()) masters.set(e.uid, e);
  for (const e of events) if (e.isRecurrenceException()) masters.get(e.uid)?.relateException(e);

  const shifts: ShiftsLayer['shifts'] = [];
  const unknown: CalendarRead['unknown'] = [];
  const personOf = (e: IcalEvent) => (e.summary ?? '').replace(/^\s*on[- ]call\s*:\s*/i, '').trim();
  for (const e of events) {
    const person = personOf(e);
    if (!people.has(person) && !unknown.some((u) => u.person === person)) unknown.push({ person, line: lineOf(text, `SUMMARY:${e.summary ?? ''}`) });
  }
  let budget = MAX_OCCURRENCES_PER_FILE;
  for (const e of events) {
    if (budget <= 0) break;
    if (e.isRecurrenceException() && masters.has(e.uid)) continue; // expanded with its master
    const tzid = (e.component.getFirstProperty('dtstart')?.getParameter('tzid') as string | undefined) ?? null;
    const add = (start: IcalTime, end: IcalTime, who: string) => {
      if (!people.has(who)) return; // reported above
      const a = toMillis(start, tzid, defaultZone);
      const b = toMillis(end, tzid, defaultZone);
      if (b > window.from && a < window.to && b > a) shifts.push({ person: who, start: new Date(a).toISOString(), end: new Date(b).toISOString() });
    };
    if (!e.isRecurring()) {
      add(e.startDate, e.endDate, personOf(e));
      continue;
    }
    const it = e.iterator();
    for (let n = 0, next = it.next(); next && n < MAX_OCCURRENCES && budget > 0; n++, budget--, next = it.next()) {
      const d = e.getOccurrenceDetails(next);
      if (toMillis(d.startDate, tzid, defaultZone) >= window.to) break;
      add(d.startDate, d.endDate, personOf(d.item)); // a modified instance names its own person
    }
  }
  shifts.sort((x, y) => x.start.localeCompare(y.start));
  return { layer: { kind: 'shifts', name, shifts }, unknown, truncated: budget <= 0 };
}
