// The unit of work: a state change, its audit record and its outbox row
// commit in one transaction (the caller's, when one is already open), and what
// must be told about it — events, listeners — is told only after the outermost
// commit. A rollback tells nothing.
import type { WritableDb } from './database.js';

export class UnitOfWork {
  private readonly after = new Map<string, () => void>();

  constructor(private readonly db: WritableDb) {}

  /** `fn` in one immediate transaction (joining an open one); then, at the outermost commit, what was queued. */
  run<T>(fn: () => T): T {
    const outer = !this.db.inTransaction;
    try {
      const result = this.db.transaction(fn).immediate();
      if (outer) this.flush();
      return result;
    } catch (err) {
      if (outer) this.after.clear();
      throw err;
    }
  }

  /** Run `fn` after the outermost commit (at once when no transaction is open); a later call under the same key replaces an earlier one. */
  afterCommit(key: string, fn: () => void): void {
    this.after.delete(key);
    this.after.set(key, fn);
    if (!this.db.inTransaction) this.flush();
  }

  private flush(): void {
    const fns = [...this.after.values()];
    this.after.clear();
    for (const f of fns) f();
  }
}
