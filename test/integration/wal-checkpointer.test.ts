// The write-ahead log checkpointed on a worker: the log stays bounded while a
// writer commits without pause and never checkpoints on its own thread; a
// worker that fails hands checkpointing back to SQLite; and real SIGKILLs of a
// writer mid-checkpoint lose no committed transaction and leave no half of one.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/main/store/database.js';
import { OWN_CHECKPOINT_PAGES, SAFETY_CHECKPOINT_PAGES, WalCheckpointer, type CheckpointRound } from '../../src/main/store/wal-checkpointer.js';
import { tempDir } from '../helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const TX_ROWS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
};
const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('the write-ahead log checkpointed on a worker', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  const open = (name: string) => {
    const file = join(dir, name);
    const db = openDatabase(file, { migrations: [] });
    db.exec('CREATE TABLE w (tx INTEGER NOT NULL, i INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tx, i))');
    return { file, db };
  };

  it('keeps the log far below the writer\'s own mark while the writer commits without pause (the writer copies only short tails)', async () => {
    const { file, db } = open('bounded.db');
    const rounds: CheckpointRound[] = [];
    const faults: string[] = [];
    const cp = new WalCheckpointer(db, file, { intervalMs: 20, onRound: (r) => rounds.push(r), onFault: (m) => faults.push(m) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(OWN_CHECKPOINT_PAGES);
    cp.start();
    await until('the checkpointer', () => cp.running);
    // while it runs, the writer's own mark is far: its commits do not checkpoint
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_CHECKPOINT_PAGES);
    const insert = db.prepare('INSERT INTO w (tx, i, body) VALUES (?, ?, ?)');
    const commit = db.transaction((n: number) => {
      for (let i = 0; i < 50; i++) insert.run(n, i, `${n}:${i}:`.padEnd(600, 'x'));
    });
    let written = 0;
    let maxWal = 0;
    for (let n = 1; n <= 1200; n++) {
      commit(n);
      written += 50 * 600;
      maxWal = Math.max(maxWal, walBytes(file));
      await new Promise((r) => setImmediate(r));
    }
    await until('a round after the last commit', () => rounds.length > 0 && rounds.at(-1)!.checkpointed === rounds.at(-1)!.log, 5000);
    const copied = rounds.reduce((s, r) => s + r.checkpointed, 0);
    const restarts = rounds.filter((r) => r.restarted).length;
    const farMark = SAFETY_CHECKPOINT_PAGES * (db.pragma('page_size', { simple: true }) as number);
    console.log(`checkpointer: ${rounds.length} rounds, ${copied} frames copied, log started again ${restarts} times; ${(written / 1e6).toFixed(1)} MB written, log at most ${(maxWal / 1e6).toFixed(1)} MB (the far mark: ${(farMark / 1e6).toFixed(0)} MB)`);
    expect(faults).toEqual([]);
    expect(copied).toBeGreaterThan(0);
    // without the worker nothing would have checkpointed before the far mark: the log is reused long before it instead
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect(maxWal).toBeLessThan(farMark / 2);
    expect(db.prepare('SELECT count(*) FROM w').pluck().get()).toBe(1200 * 50);
    await cp.stop();
    expect(cp.running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(OWN_CHECKPOINT_PAGES);
    await cp.stop(); // again: nothing to do
    closeDatabase(db);
    expect(existsSync(`${file}-wal`)).toBe(false); // the writer's connection was the last: the log is gone
  });

  it('a worker that cannot open the database reports it and hands checkpointing back to SQLite', async () => {
    const { db } = open('fault.db');
    const faults: string[] = [];
    const cp = new WalCheckpointer(db, join(dir, 'no-such-dir', 'gone.db'), { intervalMs: 20, onFault: (m) => faults.push(m) });
    cp.start();
    await until('the fault', () => faults.length > 0);
    expect(faults[0]).toMatch(/^the log checkpointer (failed|stopped)/);
    expect(faults[0]).not.toMatch(/no-such-dir/); // the message names what failed, never a path
    expect(cp.running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(OWN_CHECKPOINT_PAGES);
    await cp.stop();
    closeDatabase(db);
  });

  it('can be stopped before its worker is ready, and the database closed at once, without a fault', async () => {
    for (let i = 0; i < 5; i++) {
      const { file, db } = open(`early-${i}.db`);
      const faults: string[] = [];
      const cp = new WalCheckpointer(db, file, { intervalMs: 1, onFault: (m) => faults.push(m) });
      cp.start();
      await cp.stop();
      closeDatabase(db);
      await sleep(20); // a message of the worker's still on its way finds the connection closed
      expect(faults).toEqual([]);
      expect(existsSync(`${file}-wal`)).toBe(false);
    }
  });

  it('loses no committed transaction and leaves no half of one when the writer is killed with SIGKILL mid-checkpoint', async () => {
    const file = join(dir, 'killed.db');
    let kills = 0;
    let committed = 0;
    let rounds = 0;
    for (let k = 0; k < 6; k++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/wal-writer.ts'), file, String(TX_ROWS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let stderr = '';
      let last = 0;
      let roundsHere = 0;
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith('round')) roundsHere++;
          else if (/^\d+$/.test(l)) last = Number(l);
        }
      });
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      await until(`the writer's checkpoints (${stderr.slice(0, 300)})`, () => roundsHere >= 3, 20_000);
      await sleep(Math.floor(Math.random() * 150));
      child.kill('SIGKILL');
      await exited;
      kills++;
      rounds += roundsHere;
      // reopened as the console would: every transaction it printed is there, whole; none is there in part
      const db = new Database(file);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const partial = db.prepare('SELECT count(*) FROM (SELECT tx FROM w GROUP BY tx HAVING count(*) != ?)').pluck().get(TX_ROWS) as number;
      const lost = db.prepare('SELECT ? - count(DISTINCT tx) FROM w WHERE tx <= ?').pluck().get(last, last) as number;
      const max = db.prepare('SELECT max(tx) FROM w').pluck().get() as number;
      db.close();
      expect({ partial, lost }).toEqual({ partial: 0, lost: 0 });
      expect(max).toBeGreaterThanOrEqual(last);
      committed = max;
    }
    console.log(`kill -9 while checkpointing: ${kills} kills, ${rounds} checkpoint rounds seen, ${committed} transactions of ${TX_ROWS} rows committed; lost 0, half-kept 0`);
    expect(kills).toBe(6);
  }, 120_000);
});
