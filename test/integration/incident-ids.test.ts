// Incident ids are `MAI-YYYYMMDD-HHMMSS`, then `-2`, `-3`… within one second:
// unique whatever is already in the table (rows from an earlier run of the
// same second, rows written by hand, transactions rolled back, the clock going
// back), and the lowest free suffix when nothing interferes.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION } from '../../src/shared/domain/severity.js';
import { IncidentRepository } from '../../src/main/incidents/incident-repository.js';
import { closeDatabase, openDatabase } from '../../src/main/store/database.js';
import { FakeClock, tempDir } from '../helpers.js';

const FORMAT = /^MAI-\d{8}-\d{6}(-[1-9]\d*)?$/;

describe('incident ids', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  type Step =
    | { kind: 'open'; n: number; rollback: boolean }
    | { kind: 'advance'; ms: number }
    | { kind: 'forge'; suffix: number }
    | { kind: 'restart' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('open' as const), n: fc.integer({ min: 1, max: 30 }), rollback: fc.nat(4).map((n) => n === 0) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: -3000, max: 2500 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('forge' as const), suffix: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  );

  it('are unique and well formed under forged rows, rollbacks, restarts and a clock that goes back', () => {
    let run = 0;
    let allocated = 0;
    let rollbacks = 0;
    let checkedSeconds = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const db = openDatabase(`${dir}/ids-${run++}.db`);
        const clock = new FakeClock(Date.parse('2026-11-24T03:00:00.000Z'));
        let repo = new IncidentRepository(db, clock, DEFAULT_ESCALATION);
        const insert = db.prepare(
          `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, alert_count, firing_count, updated_at)
           VALUES (?, ?, ?, 'SEV3', 'svc', 'text', 'native', 'triggered', ?, 1, 1, ?)`,
        );
        const forge = db.prepare(
          `INSERT OR IGNORE INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, alert_count, firing_count, updated_at)
           VALUES (?, ?, ?, 'SEV3', 'svc', 'text', 'native', 'triggered', ?, 1, 1, ?)`,
        );
        const rolledBackSeconds = new Set<string>();
        const stamp = () => {
          const d = new Date(clock.now()).toISOString();
          return `MAI-${d.slice(0, 10).replace(/-/g, '')}-${d.slice(11, 19).replace(/:/g, '')}`;
        };
        try {
          let k = 0;
          for (const s of steps) {
            if (s.kind === 'advance') clock.advance(s.ms);
            else if (s.kind === 'restart') repo = new IncidentRepository(db, clock, DEFAULT_ESCALATION);
            else if (s.kind === 'forge') {
              const id = s.suffix === 1 ? stamp() : `${stamp()}-${s.suffix}`;
              forge.run(id, `forged-${k++}`, `forged-${k}`, new Date(clock.now()).toISOString(), new Date(clock.now()).toISOString());
            } else {
              const tx = db.transaction(() => {
                const ids: string[] = [];
                for (let i = 0; i < s.n; i++) {
                  const id = repo.newId();
                  expect(id).toMatch(FORMAT);
                  expect(id.startsWith(stamp())).toBe(true);
                  insert.run(id, `k-${k++}`, `g-${k}`, new Date(clock.now()).toISOString(), new Date(clock.now()).toISOString());
                  ids.push(id);
                }
                if (s.rollback) throw new Error('rolled back');
                return ids;
              });
              try {
                allocated += tx().length;
              } catch (err) {
                expect((err as Error).message).toBe('rolled back');
                rolledBackSeconds.add(stamp());
                rollbacks++;
              }
            }
          }
          // unique is the primary key's promise (an id taken twice would have thrown above); a second with nothing forged or rolled back in it has no gap
          const bySecond = new Map<string, number[]>();
          for (const id of db.prepare(`SELECT id FROM incident WHERE key NOT LIKE 'forged-%'`).pluck().all() as string[]) {
            const [, base, suffix] = /^(MAI-\d{8}-\d{6})(?:-(\d+))?$/.exec(id)!;
            bySecond.set(base!, [...(bySecond.get(base!) ?? []), suffix ? Number(suffix) : 1]);
          }
          const forgedSeconds = new Set((db.prepare(`SELECT id FROM incident WHERE key LIKE 'forged-%'`).pluck().all() as string[]).map((id) => id.slice(0, 19)));
          for (const [base, suffixes] of bySecond) {
            if (forgedSeconds.has(base) || rolledBackSeconds.has(base)) continue;
            checkedSeconds++;
            suffixes.sort((a, b) => a - b);
            expect(suffixes).toEqual(suffixes.map((_, i) => i + 1));
          }
        } finally {
          closeDatabase(db);
        }
      }),
      { numRuns: 60 },
    );
    console.log(`incident ids: ${allocated} committed over 60 runs, ${rollbacks} transactions rolled back; ${checkedSeconds} seconds without forged rows or rollbacks had no gap`);
    expect(allocated).toBeGreaterThan(100);
  });
});
