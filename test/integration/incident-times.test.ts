// Every incident row carries its three times as Unix milliseconds too (the KPI
// dashboards aggregate those). No write path may forget or falsify them: for
// any instants, inserted or changed later, the row reads the milliseconds its
// ISO times say, and a write that tries to set them itself is refused.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/main/store/database.js';
import { MIGRATIONS } from '../../src/main/store/migrations.js';
import { tempDir } from '../helpers.js';

describe('incident times in milliseconds', () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(`${dir}/console.db`);
  afterAll(() => {
    closeDatabase(db);
    cleanup();
  });
  const insert = db.prepare(
    `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, acknowledged_at, resolved_at, alert_count, firing_count, updated_at)
     VALUES (?, ?, ?, 'SEV3', 'svc', 'text', 'native', 'resolved', ?, ?, ?, 1, 0, ?)`,
  );
  const change = db.prepare('UPDATE incident SET acknowledged_at = ?, resolved_at = ? WHERE id = ?');
  const read = db.prepare('SELECT opened_ms, acknowledged_ms, resolved_ms FROM incident WHERE id = ?');
  const instant = fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
  const later = (from: number) => fc.option(fc.integer({ min: from, max: from + 30 * 86_400_000 }));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  it('reads the milliseconds its ISO times say, at insert and after every change', () => {
    let n = 0;
    fc.assert(
      fc.property(
        instant.chain((opened) => fc.tuple(fc.constant(opened), later(opened), later(opened), later(opened), later(opened))),
        ([opened, ack, res, ack2, res2]) => {
          const id = `MAI-T-${n++}`;
          insert.run(id, id, id, iso(opened), iso(ack), iso(res), iso(opened));
          expect(read.get(id)).toEqual({ opened_ms: opened, acknowledged_ms: ack, resolved_ms: res });
          change.run(iso(ack2), iso(res2), id);
          expect(read.get(id)).toEqual({ opened_ms: opened, acknowledged_ms: ack2, resolved_ms: res2 });
        },
      ),
      { numRuns: 300 },
    );
    console.log(`incident times: ${n} rows inserted and changed, every millisecond figure as its ISO time says`);
  });

  it('refuses a write that brings its own figures', () => {
    expect(() => db.prepare(`INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, alert_count, firing_count, updated_at, opened_ms) VALUES ('x', 'x', 'x', 'SEV3', 's', 't', 'native', 'triggered', '2026-11-24T00:00:00.000Z', 1, 1, '2026-11-24T00:00:00.000Z', 0)`).run()).toThrow(/generated column/);
    insert.run('y', 'y', 'y', '2026-11-24T00:00:00.000Z', null, null, '2026-11-24T00:00:00.000Z');
    expect(() => db.prepare(`UPDATE incident SET resolved_ms = 1 WHERE id = 'y'`).run()).toThrow(/generated column/);
  });

  it('a database of the earlier schema keeps its figures, its KPI index and every row through the change', () => {
    const file = `${dir}/earlier.db`;
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 18) });
    const ins = before.prepare(
      `INSERT INTO incident (id, key, group_key, severity, service, summary, source, state, opened_at, acknowledged_at, resolved_at, alert_count, firing_count, updated_at, category)
       VALUES (?, ?, ?, 'SEV2', 'svc', 'text', 'native', 'resolved', ?, ?, ?, 1, 0, ?, 'model_degradation')`,
    );
    const rows = 2000;
    before.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const t = Date.parse('2025-01-01T00:00:00.000Z') + i * 3_600_007;
        ins.run(`MAI-OLD-${i}`, `k${i}`, `k${i}`, iso(t), i % 3 ? iso(t + 60_001) : null, i % 2 ? iso(t + 7_200_003) : null, iso(t));
      }
    })();
    const figures = before.prepare('SELECT id, opened_ms, acknowledged_ms, resolved_ms FROM incident ORDER BY id').all();
    closeDatabase(before);
    const after = openDatabase(file);
    try {
      expect(after.prepare('SELECT id, opened_ms, acknowledged_ms, resolved_ms FROM incident ORDER BY id').all()).toEqual(figures);
      expect(figures).toHaveLength(rows);
      const plan = (after.prepare('EXPLAIN QUERY PLAN SELECT severity, opened_ms, acknowledged_ms, resolved_ms FROM incident WHERE opened_ms >= ? AND opened_ms < ?').all(0, 1) as { detail: string }[]).map((r) => r.detail).join(' ');
      expect(plan).toMatch(/SEARCH incident USING (COVERING )?INDEX incident_kpi/);
    } finally {
      closeDatabase(after);
    }
  });
});
