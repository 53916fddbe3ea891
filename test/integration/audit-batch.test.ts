// Many audit records in one transaction (a storm's page of new incidents):
// the chain checks once per transaction and moves its head marker once, at the
// commit. Whatever happens inside — a nested part rolled back, the whole
// rolled back, records written from a transaction the audit log did not open,
// a row forged between two transactions — the chain verifies afterwards and a
// forgery is still caught by the next append.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ack, dbFile, openAudit, tamper } from '../support/audit-fixture.js';
import { FakeClock, tempDir } from '../helpers.js';

describe('audit records batched in one transaction', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const fresh = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const clock = new FakeClock();
    const opened = openAudit(t.dir, clock);
    cleanups.unshift(opened.close);
    return { dir: t.dir, clock, ...opened };
  };
  const head = (db: ReturnType<typeof fresh>['db']) => db.prepare(`SELECT seq, hash FROM audit_meta WHERE name = 'head'`).get() as { seq: number; hash: string };
  const last = (db: ReturnType<typeof fresh>['db']) => db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as { seq: number; hash: string };

  it('keeps a verifiable chain and a head on its last record through nested rollbacks, whole rollbacks and foreign transactions', () => {
    type Op = { kind: 'tx'; parts: { n: number; fail: boolean; raw: boolean }[]; fail: boolean } | { kind: 'single' } | { kind: 'foreign'; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('tx' as const), parts: fc.array(fc.record({ n: fc.integer({ min: 0, max: 5 }), fail: fc.boolean(), raw: fc.boolean() }), { maxLength: 4 }), fail: fc.nat(3).map((n) => n === 0) }),
      fc.record({ kind: fc.constant('single' as const) }),
      fc.record({ kind: fc.constant('foreign' as const), n: fc.integer({ min: 1, max: 3 }) }),
    );
    let committed = 0;
    let rolledBack = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), (ops) => {
        const { db, audit } = fresh();
        runs++;
        let expected = 0;
        let i = 0;
        for (const o of ops) {
          if (o.kind === 'single') {
            audit.append(ack(++i));
            expected++;
          } else if (o.kind === 'foreign') {
            // a transaction the audit log did not open (better-sqlite3's own): every record still lands on the chain
            db.transaction(() => {
              for (let k = 0; k < o.n; k++) audit.append(ack(++i));
            }).immediate();
            expected += o.n;
          } else {
            let kept = 0;
            try {
              audit.transaction(() => {
                for (const p of o.parts) {
                  try {
                    // a part in the log's own savepoint, or in one better-sqlite3 opens for somebody else's code
                    const part = () => {
                      for (let k = 0; k < p.n; k++) audit.append(ack(++i));
                      if (p.fail) throw new Error('part failed');
                    };
                    if (p.raw) db.transaction(part)();
                    else audit.transaction(part);
                    kept += p.n;
                  } catch (err) {
                    expect((err as Error).message).toBe('part failed');
                    rolledBack += p.n;
                  }
                }
                if (o.fail) throw new Error('all failed');
              });
              expected += kept;
            } catch (err) {
              expect((err as Error).message).toBe('all failed');
              rolledBack += kept;
            }
          }
          // after every commit or rollback: the head marker is on the last record, and nothing blocks the chain
          const count = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
          expect(count).toBe(expected);
          if (count > 0) expect(head(db)).toEqual(last(db));
          expect(audit.blocker()).toBeNull();
        }
        committed += expected;
        const report = audit.verify('full');
        expect(report.ok).toBe(true);
        expect(audit.segmentRecords()).toBe(0);
      }),
      { numRuns: 40 },
    );
    console.log(`audit batches: ${runs} runs, ${committed} records committed, ${rolledBack} rolled back; every chain verified, every head on its last record`);
  });

  it('still catches a row forged between two transactions: the next transaction writes to a fault segment', () => {
    const { dir, db, audit } = fresh();
    audit.transaction(() => {
      for (let i = 1; i <= 20; i++) audit.append(ack(i));
    });
    expect(audit.verify('full').ok).toBe(true);
    tamper(dir, `INSERT INTO audit_log (seq, ts, operator, action, subject_type, subject_id, details, prev_hash, hash) SELECT seq + 1, ts, operator, action, subject_type, subject_id, details, hash, hash FROM audit_log WHERE seq = 20;`);
    audit.transaction(() => {
      for (let i = 21; i <= 25; i++) audit.append(ack(i));
    });
    expect(audit.segmentRecords()).toBe(5);
    expect(audit.blocker()).toMatchObject({ kind: 'inserted', seq: 21 });
    expect(db.prepare('SELECT max(seq) FROM audit_log').pluck().get()).toBe(21); // nothing chained after the forged row
    void dbFile;
  });

  it('a head marker altered between two transactions is caught at the next one', () => {
    const { dir, audit } = fresh();
    audit.transaction(() => {
      for (let i = 1; i <= 5; i++) audit.append(ack(i));
    });
    tamper(dir, `UPDATE audit_meta SET seq = 3 WHERE name = 'head';`);
    audit.transaction(() => {
      audit.append(ack(6));
      audit.append(ack(7));
    });
    expect(audit.segmentRecords()).toBe(2);
    expect(audit.blocker()?.kind).toBe('head_tampered');
  });
});
