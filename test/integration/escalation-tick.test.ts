// The tick that escalates, repeats SEV1 pages and ends lapsed acknowledgements
// reads only what may be due. Checked against the rules themselves, for any
// set of open incidents: an unacknowledged incident goes to the last level
// whose time has passed (if above its own) and is paged; an unacknowledged,
// unsnoozed SEV1 not paged for a minute is paged again (unless it escalated in
// the same tick); an acknowledgement older than its severity's timeout, with
// the incident not snoozed, returns it to triggered and pages it.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { IncidentEngine, type PageRequest } from '../../src/main/incidents/incident-engine.js';
import { DEFAULT_ACK_TIMEOUT_MIN, DEFAULT_ESCALATION, type EscalationLevel } from '../../src/shared/domain/severity.js';
import type { Severity } from '../../src/shared/domain/alert.js';
import { openAudit } from '../support/audit-fixture.js';
import { FakeClock, tempDir } from '../helpers.js';

interface Seed {
  state: 'triggered' | 'acknowledged';
  severity: Severity;
  openedAgoMin: number;
  level: number;
  lastPagedAgoMin: number | null;
  snoozedForMin: number | null;
  ackedAgoMin: number;
}

const seed: fc.Arbitrary<Seed> = fc.record({
  state: fc.constantFrom('triggered' as const, 'acknowledged' as const),
  severity: fc.constantFrom<Severity>('SEV1', 'SEV2', 'SEV3'),
  openedAgoMin: fc.integer({ min: 0, max: 300 }),
  level: fc.integer({ min: -1, max: 5 }),
  lastPagedAgoMin: fc.option(fc.integer({ min: 0, max: 10 })),
  snoozedForMin: fc.option(fc.integer({ min: -30, max: 30 })),
  ackedAgoMin: fc.integer({ min: 0, max: 200 }),
});

const levelsArb: fc.Arbitrary<EscalationLevel[]> = fc.oneof(
  fc.constant(DEFAULT_ESCALATION),
  fc.uniqueArray(fc.record({ level: fc.integer({ min: 1, max: 9 }), afterMinutes: fc.integer({ min: 1, max: 240 }) }), { selector: (l) => l.level, minLength: 1, maxLength: 5 }).map((ls) =>
    ls.map((l) => ({ ...l, description: `level ${l.level}`, contacts: ['On-Call Engineer'], actions: [] })),
  ),
);

describe('the escalation tick', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('does exactly what the rules say for any open incidents', () => {
    let incidents = 0;
    let escalatedN = 0;
    let repeatedN = 0;
    let lapsedN = 0;
    fc.assert(
      fc.property(fc.array(seed, { minLength: 1, maxLength: 30 }), levelsArb, (seeds, levels) => {
        const t = tempDir();
        const clock = new FakeClock(Date.parse('2026-11-24T12:00:00.000Z'));
        const { db, audit, close } = openAudit(t.dir, clock);
        cleanups.push(t.cleanup);
        cleanups.unshift(close);
        const engine = new IncidentEngine({ db, audit, clock, escalation: levels });
        const now = clock.now();
        const iso = (agoMin: number) => new Date(now - agoMin * 60_000).toISOString();
        const insert = db.prepare(
          `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, acknowledged_at, acknowledged_by, alert_count, firing_count, updated_at, escalation_level, last_paged_at, snoozed_until)
           VALUES (?, ?, ?, ?, 'svc', 'text', 'native', ?, ?, ?, ?, 1, 1, ?, ?, ?, ?)`,
        );
        seeds.forEach((s, i) => {
          const id = `MAI-TICK-${i}`;
          insert.run(id, id, id, s.severity, s.state, iso(s.openedAgoMin), s.state === 'acknowledged' ? iso(s.ackedAgoMin) : null, s.state === 'acknowledged' ? 'Rita Jones (rn.jones)' : null, iso(s.openedAgoMin), s.level, s.lastPagedAgoMin === null ? null : iso(s.lastPagedAgoMin), s.snoozedForMin === null ? null : iso(-s.snoozedForMin));
        });
        const pages: PageRequest[] = [];
        engine.page.on((p) => pages.push(p));
        engine.tick();
        // the rules, from the definition
        const sorted = [...levels].sort((a, b) => a.afterMinutes - b.afterMinutes);
        const expected = seeds.map((s, i) => {
          const id = `MAI-TICK-${i}`;
          const snoozed = s.snoozedForMin !== null && s.snoozedForMin > 0;
          if (s.state === 'acknowledged') {
            const minutes = DEFAULT_ACK_TIMEOUT_MIN[s.severity];
            const lapses = minutes > 0 && !snoozed && s.ackedAgoMin >= minutes;
            return { id, state: lapses ? 'triggered' : 'acknowledged', level: s.level, page: lapses ? 'ack-timeout' : null };
          }
          const due = sorted.filter((l) => l.afterMinutes <= s.openedAgoMin).at(-1);
          if (due && due.level > s.level) return { id, state: 'triggered', level: due.level, page: 'escalation' };
          const last = s.lastPagedAgoMin ?? s.openedAgoMin;
          const repeat = s.severity === 'SEV1' && !snoozed && last >= 1;
          return { id, state: 'triggered', level: s.level, page: repeat ? 'repeat' : null };
        });
        const actual = seeds.map((_, i) => {
          const id = `MAI-TICK-${i}`;
          const r = db.prepare('SELECT state, escalation_level AS level FROM incident WHERE id = ?').get(id) as { state: string; level: number };
          return { id, ...r, page: pages.find((p) => p.incident.id === id)?.reason ?? null };
        });
        incidents += seeds.length;
        escalatedN += actual.filter((a) => a.page === 'escalation').length;
        repeatedN += actual.filter((a) => a.page === 'repeat').length;
        lapsedN += actual.filter((a) => a.page === 'ack-timeout').length;
        expect(actual).toEqual(expected);
        expect(pages).toHaveLength(expected.filter((e) => e.page).length); // one page each, no more
      }),
      { numRuns: 150 },
    );
    console.log(`escalation tick: ${incidents} incidents; ${escalatedN} escalated, ${repeatedN} SEV1 pages repeated, ${lapsedN} acknowledgements lapsed — each as the rules say`);
  });
});
