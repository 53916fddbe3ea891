// SQL fragments: values become parameters, never text; conditions join with AND.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sql, where } from '../../src/main/store/sql.js';

describe('sql fragments', () => {
  it('turns every value into a parameter and inlines nested fragments with theirs', () => {
    const f = sql`a = ${1} AND ${sql`b = ${'x'}`} AND c < ${2.5}`;
    expect(f).toEqual({ text: 'a = ? AND b = ? AND c < ?', params: [1, 'x', 2.5] });
    expect(where(false, null, undefined)).toEqual({ text: '', params: [] });
    expect(where(sql`a = ${1}`, false, sql`b = ${2}`)).toEqual({ text: 'WHERE a = ? AND b = ?', params: [1, 2] });
  });

  it('no value, however hostile, changes the statement (property, real SQLite)', () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('a'), ('b')");
    fc.assert(
      fc.property(fc.string(), (v) => {
        const w = where(sql`name = ${v}`);
        const n = db.prepare(`SELECT count(*) FROM t ${w.text}`).pluck().get(...w.params) as number;
        expect(n).toBe(v === 'a' || v === 'b' ? 1 : 0);
      }),
      { numRuns: 300 },
    );
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2);
    db.close();
  });
});
