// The unit of work: a state change, its audit record and its outbox row
// commit in one transaction (the caller's, when one is already open), and what
// must be told about it — events, listeners — is told only after the outermost
// commit. A rollback tells nothing. What must be written once per transaction,
// last (the audit head marker), is queued to run just before the commit, inside
// the transaction: it commits with the rest or not at all.
//
// A nested `run` is a savepoint: a part that fails is undone on its own, and a
// caller may catch and go on. A savepoint is not free (SQLite keeps a copy of
// every page the part changes, and each statement with a trigger inside it
// pays for that copy again), so a part that never needs undoing on its own —
// a storm's slice, which is all or nothing — `join`s instead: no savepoint, and
// if it fails, the whole transaction is doomed (rolled back at its end, even
// if somebody in between caught the error), so its half is never committed.
import type { WritableDb } from './database.js';

export class UnitOfWork {
  private readonly after = new Map<string | symbol, () => void>();
  private readonly before = new Map<string, () => void>();
  private generation = 0;
  /** the outermost transaction this unit opened and is inside now (a number never used twice), 0 when none */
  private current = 0;
  /** one transaction function, made once (better-sqlite3 builds four wrappers per `transaction()` call) */
  private readonly tx: (fn: () => unknown) => unknown;

  constructor(private readonly db: WritableDb) {
    this.tx = db.transaction((fn: () => unknown) => fn()).immediate;
  }

  /**
   * The transaction this unit of work opened and is running now, or 0 (none,
   * or one somebody else opened): a value never repeated, so a cache keyed by it
   * dies with the transaction, committed or rolled back.
   */
  get transactionId(): number {
    return this.current;
  }

  /** `fn` in one immediate transaction (joining an open one); then, at the outermost commit, what was queued. */
  run<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.current === 0 ? (this.tx(fn) as T) : this.savepoint(fn); // joins: a savepoint inside the open one
    try {
      const result = this.tx(() => {
        this.current = ++this.generation;
        try {
          const r = fn();
          if (this.doomed) throw this.doomed.error; // a joined part failed and somebody caught it: its half must not commit
          this.flushBefore();
          return r;
        } finally {
          this.current = 0;
          this.depth = 0;
          this.doomed = null;
          this.before.clear();
        }
      }) as T;
      this.flush();
      return result;
    } catch (err) {
      this.after.clear();
      throw err;
    }
  }

  /**
   * `fn` as part of the transaction this unit has open, without a savepoint:
   * all or nothing with it. If `fn` throws, the transaction is doomed — its
   * outermost `run` rolls back and throws that error even if somebody caught
   * it — unless a savepoint around the part is rolled back (which undoes it).
   * With no transaction of this unit open (none, or somebody else's), the same
   * as `run`: its own transaction, or a savepoint in the other one.
   */
  join<T>(fn: () => T): T {
    if (this.current === 0) return this.run(fn);
    try {
      return fn();
    } catch (err) {
      if (!this.doomed || this.depth < this.doomed.depth) this.doomed = { depth: this.depth, error: err };
      throw err;
    }
  }

  /** savepoints open inside this unit's transaction now */
  private depth = 0;
  /** a joined part failed with its writes kept, inside the savepoint at `depth` (0: the transaction itself) */
  private doomed: { depth: number; error: unknown } | null = null;

  private savepoint<T>(fn: () => T): T {
    const depth = ++this.depth;
    try {
      const r = this.tx(fn) as T;
      // released: what was doomed inside it now belongs to the one around it
      if (this.doomed && this.doomed.depth >= depth) this.doomed.depth = depth - 1;
      return r;
    } catch (err) {
      if (this.doomed && this.doomed.depth >= depth) this.doomed = null; // rolled back: the failed part's half went with it
      throw err;
    } finally {
      this.depth = depth - 1;
    }
  }

  /**
   * Run `fn` inside the transaction this unit opened, just before it commits
   * (a later call under the same key replaces an earlier one). False when no
   * such transaction is open: the caller must do it now.
   */
  beforeCommit(key: string, fn: () => void): boolean {
    if (this.current === 0) return false;
    this.before.delete(key);
    this.before.set(key, fn);
    return true;
  }

  /**
   * Run `fn` after the outermost commit (at once when no transaction is open);
   * a later call under the same key replaces an earlier one. Without a key,
   * every call runs, in order.
   */
  afterCommit(key: string | null, fn: () => void): void {
    const k = key ?? Symbol('afterCommit');
    this.after.delete(k);
    this.after.set(k, fn);
    if (!this.db.inTransaction) this.flush();
  }

  private flushBefore(): void {
    while (this.before.size > 0) {
      const [key, fn] = this.before.entries().next().value as [string, () => void];
      this.before.delete(key);
      fn();
    }
  }

  private flush(): void {
    const fns = [...this.after.values()];
    this.after.clear();
    for (const f of fns) f();
  }
}
