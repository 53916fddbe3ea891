// onCallAt from the definition of an on-call schedule (PagerDuty's and
// Grafana OnCall's model: layered rotations, the final layer wins, overrides
// above all, gaps reported), over generated schedules; and by hand at the
// instants a daylight-saving change makes hard.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoleSchedule, RotationLayer, ScheduleOverride } from '../../src/shared/domain/schedule.js';
import { coverageAt, onCallAt, onCallTimeline, RESTRICTION_PRESETS } from '../../src/shared/on-call.js';

const H = 3_600_000;
const PEOPLE = ['Ada Byrne', 'Ben Okoye', 'Cleo Marsh', 'Dev Patel', 'Eli Novak', 'Fay Lund'];
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns'];

const rotation = (over: Partial<RotationLayer> = {}): RotationLayer => ({
  kind: 'rotation', name: 'primary', start: '2026-01-05T08:00', timeZone: 'UTC', turn: { days: 7 }, participants: ['Ada Byrne', 'Ben Okoye'], restrictions: [], ...over,
});
const schedule = (layers: RotationLayer[], overrides: ScheduleOverride[] = []): RoleSchedule => ({ role: 'On-Call Engineer', layers, overrides });
const override = (person: string, start: string, end: string, createdAt = '2026-01-01T00:00:00.000Z', id = `o-${person}-${start}`): ScheduleOverride => ({
  id, role: 'On-Call Engineer', person, start, end, reason: 'swap', createdBy: 'eng.lee', createdAt,
});

const layerArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  participants: fc.uniqueArray(fc.constantFrom(...PEOPLE), { minLength: 1, maxLength: 5 }),
  turn: fc.oneof(fc.record({ days: fc.integer({ min: 1, max: 14 }) }), fc.record({ hours: fc.integer({ min: 1, max: 72 }) })),
  // a first hand-off between 2025 and 2027, at a whole quarter hour
  startDay: fc.integer({ min: 0, max: 730 }),
  startMinute: fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
  restrict: fc.constantFrom<('weekday' | 'weeknight' | 'weekend' | 'none')>('none', 'none', 'weekday', 'weeknight', 'weekend'),
});
type LayerSpec = typeof layerArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: LayerSpec, name: string): RotationLayer {
  const d = new Date(Date.UTC(2025, 0, 1) + spec.startDay * 24 * H);
  const pad = (n: number) => String(n).padStart(2, '0');
  const start = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(Math.floor(spec.startMinute / 60))}:${pad(spec.startMinute % 60)}`;
  return rotation({ name, start, timeZone: spec.zone, turn: spec.turn, participants: spec.participants, restrictions: spec.restrict === 'none' ? [] : RESTRICTION_PRESETS[spec.restrict] });
}
const instantArb = fc.integer({ min: Date.UTC(2024, 6, 1), max: Date.UTC(2028, 6, 1) });

describe('onCallAt over generated schedules', () => {
  it('resolves any instant to exactly one of the participants or overriders, or to a reported gap', () => {
    let gaps = 0;
    let people = 0;
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 3 }), instantArb, (specs, t) => {
        const s = schedule(specs.map((x, i) => build(x, `layer ${i}`)));
        const a = onCallAt(s, t);
        const allowed = new Set(s.layers.flatMap((l) => (l.kind === 'rotation' ? l.participants : [])));
        if (a.person === null) {
          gaps++;
          expect(a.via).toBeNull();
        } else {
          people++;
          expect(allowed.has(a.person)).toBe(true);
        }
        // a layer without restrictions that has started covers every instant: no gap
        // (its local start, read as UTC, is within 14 hours of the instant it names)
        if (s.layers.some((l) => l.kind === 'rotation' && l.restrictions.length === 0 && Date.parse(`${l.start}Z`) + 14 * H <= t)) {
          expect(a.person).not.toBeNull();
        }
        if (a.until !== null) {
          expect(Date.parse(a.until)).toBeGreaterThan(t);
          // the answer holds right up to `until`, and changes there
          expect(coverageAt(s, Date.parse(a.until) - 1)?.person ?? null).toBe(a.person);
          expect(coverageAt(s, Date.parse(a.until))?.person ?? null).toBe(a.next);
          expect(a.next).not.toBe(a.person);
        }
      }),
      { numRuns: 400 },
    );
    console.log(`onCallAt: 400 generated schedules and instants, ${people} resolved to a person, ${gaps} reported as gaps`);
  });

  it('the final layer wins wherever it covers the instant', () => {
    fc.assert(
      fc.property(layerArb, layerArb, instantArb, (a, b, t) => {
        const low = build(a, 'low');
        const high = build(b, 'high');
        const onlyHigh = coverageAt(schedule([high]), t);
        const both = coverageAt(schedule([low, high]), t);
        if (onlyHigh) expect(both).toEqual(onlyHigh);
        else expect(both).toEqual(coverageAt(schedule([low]), t));
      }),
      { numRuns: 300 },
    );
  });

  it('an override always wins within its window, and not outside it', () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 0, maxLength: 2 }), instantArb, fc.integer({ min: 1, max: 72 * 60 }), fc.constantFrom(...PEOPLE), fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }), (specs, start, lengthMin, person, probeMin) => {
        const o = override(person, new Date(start).toISOString(), new Date(start + lengthMin * 60_000).toISOString());
        const base = schedule(specs.map((x, i) => build(x, `layer ${i}`)));
        const s = { ...base, overrides: [o] };
        const t = start + probeMin * 60_000;
        const inside = t >= start && t < start + lengthMin * 60_000;
        if (inside) expect(coverageAt(s, t)).toEqual({ person, via: { kind: 'override', id: o.id, reason: 'swap' } });
        else expect(coverageAt(s, t)).toEqual(coverageAt(base, t));
      }),
      { numRuns: 300 },
    );
  });

  it('of two overlapping overrides the newer one wins', () => {
    const older = override('Cleo Marsh', '2026-03-02T18:00:00Z', '2026-03-03T08:00:00Z', '2026-02-01T09:00:00.000Z');
    const newer = override('Dev Patel', '2026-03-02T22:00:00Z', '2026-03-03T02:00:00Z', '2026-02-10T09:00:00.000Z');
    const s = schedule([rotation()], [newer, older]);
    expect(coverageAt(s, Date.parse('2026-03-02T19:00:00Z'))?.person).toBe('Cleo Marsh');
    expect(coverageAt(s, Date.parse('2026-03-02T23:00:00Z'))?.person).toBe('Dev Patel');
    expect(coverageAt(s, Date.parse('2026-03-03T03:00:00Z'))?.person).toBe('Cleo Marsh');
    expect(onCallAt(s, Date.parse('2026-03-02T23:00:00Z'))).toMatchObject({ person: 'Dev Patel', until: '2026-03-03T02:00:00.000Z', next: 'Cleo Marsh' });
  });

  it('shifting an instant by one whole turn hands over to the next participant', () => {
    fc.assert(
      fc.property(layerArb, instantArb, (spec, t) => {
        const layer = { ...build({ ...spec, restrict: 'none' }, 'only'), participants: spec.participants };
        const s = schedule([layer]);
        const here = coverageAt(s, t);
        if (here === null) return; // before the layer starts
        const later = 'hours' in layer.turn ? t + layer.turn.hours * H : shiftLocalDays(t, layer.timeZone, layer.turn.days);
        if (later === null) return; // the same wall time does not exist that day (a clock change at that minute)
        const n = layer.participants.length;
        const i = layer.participants.indexOf(here.person);
        expect(coverageAt(s, later)?.person).toBe(layer.participants[(i + 1) % n]);
      }),
      { numRuns: 400 },
    );
  });
});

/** The same local wall time `days` days later, computed with Intl (not the code under test's library). */
function shiftLocalDays(t: number, zone: string, days: number): number | null {
  const parts = (ms: number) => {
    const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms);
    const g = (k: string) => Number(f.find((p) => p.type === k)!.value);
    return { y: g('year'), mo: g('month'), d: g('day'), h: g('hour'), mi: g('minute'), s: g('second') };
  };
  const p = parts(t);
  const target = new Date(Date.UTC(p.y, p.mo - 1, p.d + days, p.h, p.mi, p.s));
  // search the instants whose local wall time is the target (offsets are within ±14 h)
  for (let guess = target.getTime() - 14 * H; guess <= target.getTime() + 14 * H; guess += 15 * 60_000) {
    const q = parts(guess + (t % 60_000) - (guess % 60_000));
    const at = guess + (t % 60_000) - (guess % 60_000);
    if (q.y === target.getUTCFullYear() && q.mo === target.getUTCMonth() + 1 && q.d === target.getUTCDate() && q.h === target.getUTCHours() && q.mi === target.getUTCMinutes()) return at;
  }
  return null;
}

describe('hand-offs across daylight-saving changes (Europe/London, by hand)', () => {
  // daily 08:00 local hand-off; Ada from Monday 5 January 2026, then Ben, Ada, …
  const daily = schedule([rotation({ timeZone: 'Europe/London', turn: { days: 1 }, start: '2026-01-05T08:00' })]);

  it('keeps the 08:00 hand-off when the clocks go forward (29 March 2026, 01:00 GMT → 02:00 BST)', () => {
    // Sat 28 March 08:00 GMT = 08:00Z; Sun 29 March 08:00 BST = 07:00Z
    const sat = coverageAt(daily, Date.parse('2026-03-28T08:00:00Z'))!.person;
    expect(coverageAt(daily, Date.parse('2026-03-29T06:59:00Z'))!.person).toBe(sat); // 07:59 BST: still Saturday's
    expect(coverageAt(daily, Date.parse('2026-03-29T07:00:00Z'))!.person).not.toBe(sat); // 08:00 BST: hand-off
    expect(onCallAt(daily, Date.parse('2026-03-29T03:00:00Z')).until).toBe('2026-03-29T07:00:00.000Z');
  });

  it('keeps the 08:00 hand-off when the clocks go back (25 October 2026, 02:00 BST → 01:00 GMT)', () => {
    // Sat 24 October 08:00 BST = 07:00Z; Sun 25 October 08:00 GMT = 08:00Z
    const sat = coverageAt(daily, Date.parse('2026-10-24T07:00:00Z'))!.person;
    expect(coverageAt(daily, Date.parse('2026-10-25T07:30:00Z'))!.person).toBe(sat); // 07:30 GMT: still Saturday's
    expect(coverageAt(daily, Date.parse('2026-10-25T08:00:00Z'))!.person).not.toBe(sat);
    expect(onCallAt(daily, Date.parse('2026-10-25T00:30:00Z')).until).toBe('2026-10-25T08:00:00.000Z');
  });

  it('hands a 12-hour rotation over every 12 real hours, whatever the clocks do', () => {
    const s = schedule([rotation({ timeZone: 'Europe/London', turn: { hours: 12 }, start: '2026-03-28T20:00' })]);
    // 20:00 GMT Saturday = 20:00Z; 12 hours later is 08:00Z = 09:00 BST
    expect(onCallAt(s, Date.parse('2026-03-28T21:00:00Z'))).toMatchObject({ person: 'Ada Byrne', until: '2026-03-29T08:00:00.000Z', next: 'Ben Okoye' });
  });

  it('restricts a layer to weekends in local time and reports the weekday gap', () => {
    const weekend = schedule([rotation({ timeZone: 'America/New_York', turn: { days: 7 }, start: '2026-01-02T18:00', restrictions: RESTRICTION_PRESETS.weekend })]);
    // Friday 6 March 2026 17:59 EST (22:59Z) → gap; 18:00 EST (23:00Z) → covered until Monday 08:00 EDT (the clocks went forward on 8 March): 12:00Z
    expect(onCallAt(weekend, Date.parse('2026-03-06T22:59:00Z'))).toMatchObject({ person: null, until: '2026-03-06T23:00:00.000Z' });
    const fri = onCallAt(weekend, Date.parse('2026-03-06T23:00:00Z'));
    expect(fri.person).not.toBeNull();
    expect(fri.until).toBe('2026-03-09T12:00:00.000Z');
    expect(fri.next).toBeNull();
    // Monday 2 March 08:00 EST (13:00Z) to Monday 9 March 08:00 EDT (12:00Z): a weekday gap, then the one weekend
    const week = onCallTimeline(weekend, Date.parse('2026-03-02T13:00:00Z'), Date.parse('2026-03-09T12:00:00Z'));
    expect(week.map((x) => [x.start, x.end, x.person === null])).toEqual([
      ['2026-03-02T13:00:00.000Z', '2026-03-06T23:00:00.000Z', true],
      ['2026-03-06T23:00:00.000Z', '2026-03-09T12:00:00.000Z', false],
    ]);
  });
});
