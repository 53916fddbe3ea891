// schedules.yaml as people write it, and as they break it: every broken file
// is named with its file, line and field; the console starts and keeps the
// last good schedules; a calendar beside it is read; the hand-off says who is
// on call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { HandoffReport } from '../../src/shared/domain/report.js';
import { consoleTest } from '../support/fixtures.js';
import { ENGINEERS_WEEKLY, onCallFolder } from '../support/on-call.js';

const GOOD = `timeZone: Europe/London
${ENGINEERS_WEEKLY}  - role: On-Call Clinical Lead
    calendar: leads.ics
`;

const CASES: { name: string; text: string; line: number; field: string }[] = [
  { name: 'a participant the directory does not know', text: GOOD.replace('Omar Haddad]', 'Omar Hadad]'), line: 8, field: 'schedules.0.layers.0.participants.1: "Omar Hadad" is not in the contact directory' },
  { name: 'a time zone that is not one', text: GOOD.replace('Europe/London', 'Europe/Londres'), line: 1, field: 'timeZone: not a time zone' },
  { name: 'a start without a time', text: GOOD.replace('"2026-11-16T08:00"', '"2026-11-16"'), line: 7, field: 'schedules.0.layers.0.start: a local date and time' },
  { name: 'an unknown rotation', text: GOOD.replace('rotation: weekly', 'rotation: fortnightly'), line: 6, field: 'schedules.0.layers.0.rotation' },
  { name: 'a role given twice', text: GOOD.replace('role: On-Call Clinical Lead', 'role: On-Call Engineer'), line: 9, field: 'schedules.1.role: "On-Call Engineer" has two schedules' },
  { name: 'a calendar that is missing', text: GOOD.replace('leads.ics', 'nowhere.ics'), line: 10, field: 'schedules.1.calendar: cannot read' },
  { name: 'a role with neither layers nor a calendar', text: GOOD.replace('    calendar: leads.ics\n', ''), line: 9, field: 'schedules.1: give layers, a calendar, or both' },
  { name: 'an override that ends before it starts', text: `${GOOD}    overrides:\n      - { person: Dana Whitfield, start: "2026-11-22T20:00", end: "2026-11-22T08:00", reason: swap }\n`, line: 12, field: 'schedules.1.overrides.0.end: ends before it starts' },
  { name: 'a YAML syntax error', text: GOOD.replace('    layers:', '    layers: [\n'), line: 6, field: 'invalid YAML' },
];

const prepare = (dir: string, schedules: string) => onCallFolder(dir, schedules, { 'leads.ics': 'test/fixtures/calendars/clinical-leads.ics' });

describe('schedules.yaml', () => {
  consoleTest('reads rotations and a calendar, and the hand-off lists who is on call now and for the next 12 hours', async ({ dir, boot, clock }) => {
    prepare(dir, GOOD);
    clock.set('2026-11-22T12:00:00.000Z');
    const c = await boot();
    expect(c.services().scheduleError).toBeNull();
    expect(c.services().schedules.warnings).toEqual([]);
    // Sunday 22 November: Dana's week; the calendar's modified instance (16–23 November) names Grace
    expect(c.services().schedules.resolve('On-Call Engineer', clock.now())).toMatchObject({ person: 'Dana Whitfield', phone: '+1-555-0141' });
    expect(c.services().schedules.resolve('On-Call Clinical Lead', clock.now())).toMatchObject({ person: 'Grace Oduya', phone: '+1-555-0153' });
    c.services().operator.signIn('rn.jones', 'Rita Jones');
    clock.set('2026-11-23T00:00:00.000Z'); // the leads hand over at 08:00 London
    const r = await dispatch(c.handlers, 'report.handoff', {}, { transport: 'test' });
    expect(r.ok).toBe(true);
    const report = (r as { ok: true; result: { report: HandoffReport; html: string } }).result;
    expect(report.report.onCall).toEqual([
      { role: 'On-Call Engineer', segments: [{ start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T08:00:00.000Z', person: 'Dana Whitfield' }, { start: '2026-11-23T08:00:00.000Z', end: '2026-11-23T12:00:00.000Z', person: 'Omar Haddad' }] },
      { role: 'On-Call Clinical Lead', segments: [{ start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T08:00:00.000Z', person: 'Grace Oduya' }, { start: '2026-11-23T08:00:00.000Z', end: '2026-11-23T12:00:00.000Z', person: 'Priya Raman' }] },
    ]);
    expect(report.html).toContain('Who is on call (now and the next 12 hours)');
  });

  for (const k of CASES) {
    consoleTest(`${k.name}: named with file and line; the last good schedules kept`, async ({ dir, boot, clock }) => {
      prepare(dir, GOOD);
      clock.set('2026-11-22T12:00:00.000Z');
      await (await boot()).stop(); // a clean load: kept as the last good
      writeFileSync(join(dir, 'schedules.yaml'), k.text);
      const c = await boot();
      const error = c.services().scheduleError;
      expect(error).toContain(`${join(dir, 'schedules.yaml')}: line ${k.line}: `);
      expect(error).toContain(k.field);
      expect(error).toContain('showing the last good schedules');
      expect(c.services().schedules.resolve('On-Call Engineer', clock.now()).person).toBe('Dana Whitfield');
    });
  }

  consoleTest('beside its own contacts without people, the bundled example schedules are not used: roles are called on their numbers', async ({ dir, boot }) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'contacts.yaml'), 'groups:\n  - name: Ward\n    contacts:\n      - { name: On-Call Engineer, phone: "+1-555-0900", email: e@x.example, pager: "1", availability: 24/7, escalationTime: 15 minutes }\nlevels:\n  - { level: 1, afterMinutes: 15, description: First, contacts: [On-Call Engineer] }\n');
    const c = await boot();
    expect(c.services().scheduleError).toBeNull();
    expect(c.services().schedules.roles()).toEqual([]);
    expect(c.services().schedules.resolve('On-Call Engineer', Date.now())).toEqual({ role: 'On-Call Engineer', person: null, phone: '+1-555-0900', gap: false, until: null });
  });
});
