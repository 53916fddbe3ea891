// The unit of work: one transaction for the state, its record and its outbox
// row; told after the outermost commit only; a rollback tells nothing.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UnitOfWork } from '../../src/main/store/unit-of-work.js';

describe('UnitOfWork', () => {
  const setup = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE state (v INTEGER); CREATE TABLE audit (v INTEGER); CREATE TABLE outbox (v INTEGER)');
    return { db, uow: new UnitOfWork(db), told: [] as string[] };
  };
  const count = (db: Database.Database, t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();

  it('commits state, record and outbox row together, and tells once after the outermost commit (the newest under a key)', () => {
    const { db, uow, told } = setup();
    uow.run(() => {
      for (const t of ['state', 'audit', 'outbox']) db.prepare(`INSERT INTO ${t} VALUES (1)`).run();
      uow.afterCommit('changed', () => told.push('first'));
      uow.run(() => uow.afterCommit('changed', () => told.push('second'))); // nested: joins the outer transaction
      expect(told).toEqual([]); // nothing is told before the commit
    });
    expect(told).toEqual(['second']);
    expect([count(db, 'state'), count(db, 'audit'), count(db, 'outbox')]).toEqual([1, 1, 1]);
  });

  it('a rollback keeps none of the three and tells nothing', () => {
    const { db, uow, told } = setup();
    expect(() =>
      uow.run(() => {
        db.prepare('INSERT INTO state VALUES (1)').run();
        db.prepare('INSERT INTO audit VALUES (1)').run();
        uow.afterCommit('changed', () => told.push('changed'));
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect([count(db, 'state'), count(db, 'audit'), count(db, 'outbox')]).toEqual([0, 0, 0]);
    uow.run(() => undefined);
    expect(told).toEqual([]);
  });

  it('runs every after-commit call without a key, in order, once, after the outermost commit; none after a rollback', () => {
    const { db, uow, told } = setup();
    uow.run(() => {
      uow.afterCommit(null, () => told.push('a'));
      uow.run(() => uow.afterCommit(null, () => told.push('b')));
      uow.afterCommit('keyed', () => told.push('k'));
      uow.afterCommit(null, () => told.push('c'));
      expect(told).toEqual([]);
    });
    expect(told).toEqual(['a', 'b', 'k', 'c']);
    expect(() => uow.run(() => (uow.afterCommit(null, () => told.push('lost')), db.prepare('SELECT nope').run()))).toThrow();
    uow.run(() => undefined);
    expect(told).toEqual(['a', 'b', 'k', 'c']);
  });
});

