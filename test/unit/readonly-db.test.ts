// A read-only consumer cannot write: the type refuses it (typecheck runs over
// this file), and a real connection passed as ReadableDb still reads.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ReadableDb } from '../../src/main/store/database.js';

function writesThrough(db: ReadableDb): void {
  // @ts-expect-error a ReadStatement has no run(): no INSERT, UPDATE or DELETE through a read-only handle
  db.prepare('DELETE FROM t').run();
  // @ts-expect-error no transactions either
  db.transaction(() => undefined);
}

describe('ReadableDb', () => {
  it('reads through a real connection, and offers no way to write (checked by the compiler)', () => {
    const real = new Database(':memory:');
    real.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)');
    const ro: ReadableDb = real;
    expect(ro.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2);
    expect(typeof writesThrough).toBe('function'); // never called: its body is the type test
    real.close();
  });
});
