// The unit of work: a state change, its audit record and its outbox row
// commit in one transaction (the caller's, when one is already open), and what
// must be told about it — events, listeners — is told only after the outermost
// commit. A rollback tells nothing. What must be written once per transaction,
// last (the audit head marker), is queued to run just before the commit, inside
// the transaction: it commits with the rest or not at all.
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
    if (this.db.inTransaction) return this.tx(fn) as T; // joins: a savepoint inside the open one
    try {
      const result = this.tx(() => {
        this.current = ++this.generation;
        try {
          const r = fn();
          this.flushBefore();
          return r;
        } finally {
          this.current = 0;
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
