// An on-call calendar as hospitals export it (RFC 5545: VTIMEZONE, a weekly
// RRULE, an EXDATE, a modified instance), written by hand in
// test/fixtures/calendars, resolved on both sides of the clock changes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCalendar } from '../../src/main/schedules/ical-import.js';
import type { RoleSchedule } from '../../src/shared/domain/schedule.js';
import { onCallAt } from '../../src/shared/on-call.js';

const ICS = readFileSync(join(__dirname, '../fixtures/calendars/clinical-leads.ics'), 'utf8');
const PEOPLE = new Set(['Priya Raman', 'Tomás Byrne', 'Grace Oduya']);
const window = { from: Date.parse('2026-10-01T00:00:00Z'), to: Date.parse('2027-04-30T00:00:00Z') };

function leads(text = ICS, people = PEOPLE): RoleSchedule {
  return { role: 'On-Call Clinical Lead', layers: [readCalendar(text, 'calendar', window, people, 'UTC').layer], overrides: [] };
}
const at = (s: RoleSchedule, iso: string) => onCallAt(s, Date.parse(iso));

describe('an iCalendar on-call rota in Europe/London', () => {
  it('hands over at 08:00 London time before the clocks go back (BST: 07:00Z)', () => {
    const s = leads();
    expect(at(s, '2026-10-19T06:30:00Z').person).toBe('Priya Raman'); // 07:30 BST
    expect(at(s, '2026-10-19T07:00:00Z').person).toBe('Tomás Byrne'); // 08:00 BST
  });

  it('hands over at 08:00 London time after the clocks went back on 25 October (GMT: 08:00Z)', () => {
    const s = leads();
    expect(at(s, '2026-10-26T07:30:00Z').person).toBe('Tomás Byrne'); // 07:30 GMT: still his week
    expect(at(s, '2026-10-26T08:00:00Z').person).toBe('Priya Raman');
    expect(at(s, '2026-10-25T12:00:00Z')).toMatchObject({ person: 'Tomás Byrne', until: '2026-10-26T08:00:00.000Z', next: 'Priya Raman' });
  });

  it('and again when they go forward on 28 March 2027 (BST: 07:00Z)', () => {
    const s = leads();
    // 22 weeks after 19 October: Tomás's fortnight series, 22 March 08:00 GMT to 29 March 08:00 BST
    expect(at(s, '2027-03-22T08:00:00Z').person).toBe('Tomás Byrne');
    expect(at(s, '2027-03-29T06:30:00Z').person).toBe('Tomás Byrne');
    expect(at(s, '2027-03-29T07:00:00Z').person).toBe('Priya Raman');
  });

  it('leaves the EXDATE week as a reported gap, and puts the modified instance in place of the rule', () => {
    const s = leads();
    expect(at(s, '2026-11-10T12:00:00Z')).toMatchObject({ person: null, until: '2026-11-16T08:00:00.000Z', next: 'Grace Oduya' });
    expect(at(s, '2026-11-18T12:00:00Z').person).toBe('Grace Oduya'); // RECURRENCE-ID 16 November
    expect(at(s, '2026-11-23T08:00:00Z').person).toBe('Priya Raman');
    expect(at(s, '2026-11-30T09:00:00Z').person).toBe('Tomás Byrne');
  });

  it('reads a TZID the file does not describe as an IANA zone', () => {
    const text = ICS.replace(/BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE\r\n/, '').replaceAll('Europe/London', 'America/New_York');
    const s = leads(text.replace('UID:lead-rota-a', 'UID:ny-a').replace('UID:lead-rota-b', 'UID:ny-b').replace('UID:lead-rota-b', 'UID:ny-b'));
    // New York changes on 1 November 2026: Monday 2 November 08:00 EST = 13:00Z
    expect(at(s, '2026-11-02T12:30:00Z').person).toBe('Priya Raman');
    expect(at(s, '2026-11-02T13:00:00Z').person).toBe('Tomás Byrne');
  });

  it('names the people the directory does not know, with their line', () => {
    const r = readCalendar(ICS, 'calendar', window, new Set(['Priya Raman']), 'UTC');
    expect(r.unknown).toEqual([
      { person: 'Tomás Byrne', line: 35 },
      { person: 'Grace Oduya', line: 44 },
    ]);
    expect(new Set(r.layer.shifts.map((x) => x.person))).toEqual(new Set(['Priya Raman']));
    // a modified instance naming someone unknown is a gap, never the series' own person
    const partial = leads(ICS, new Set(['Priya Raman', 'Tomás Byrne']));
    expect(at(partial, '2026-11-18T12:00:00Z').person).toBeNull();
    expect(at(partial, '2026-11-03T12:00:00Z').person).toBe('Tomás Byrne');
  });

  it('stops expanding a hostile calendar (a rule every second, thousands of events) within its budget, saying so', () => {
    const events = Array.from({ length: 2000 }, (_, i) => ['BEGIN:VEVENT', `UID:flood-${i}@x`, 'DTSTAMP:20260101T000000Z', 'SUMMARY:Priya Raman', 'DTSTART:20200101T000000Z', 'DTEND:20200101T000001Z', 'RRULE:FREQ=SECONDLY', 'END:VEVENT'].join('\r\n'));
    const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//y//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
    const t0 = Date.now();
    const r = readCalendar(text, 'flood', window, PEOPLE, 'UTC');
    const ms = Date.now() - t0;
    console.log(`hostile calendar: 2,000 events repeating every second read in ${ms} ms, truncated: ${r.truncated}, shifts kept: ${r.layer.shifts.length}`);
    expect(r.truncated).toBe(true);
    expect(r.layer.shifts).toEqual([]); // every occurrence the budget reached lies in 2020, before the window
  }, 60_000);

  it('refuses text that is not a calendar, saying so', () => {
    expect(() => readCalendar('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nEND:VCARD\r\n', 'c', window, PEOPLE, 'UTC')).toThrow(/not an iCalendar file/);
    expect(() => readCalendar('{"not": "ics"}', 'c', window, PEOPLE, 'UTC')).toThrow(/not an iCalendar file/);
  });
});
