import type { Db } from './database.js';

/**
 * The last config set that loaded cleanly, per file kind, so that a broken
 * file at the next start leaves the console on what worked, never on nothing.
 */
export class LastGoodConfig {
  constructor(
    private readonly db: Db,
    private readonly now: () => string,
  ) {}

  save(name: string, value: unknown, source: string): void {
    try {
      this.db
        .prepare('INSERT INTO config_last_good (name, json, source, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET json = excluded.json, source = excluded.source, saved_at = excluded.saved_at')
        .run(name, JSON.stringify(value), source, this.now());
    } catch {
      // keeping a copy is a convenience; failing to keep one never stops a start
    }
  }

  load<T>(name: string, valid: (v: unknown) => v is T): { value: T; source: string; savedAt: string } | null {
    try {
      const row = this.db.prepare('SELECT json, source, saved_at FROM config_last_good WHERE name = ?').get(name) as { json: string; source: string; saved_at: string } | undefined;
      if (!row) return null;
      const value = JSON.parse(row.json) as unknown;
      return valid(value) ? { value, source: row.source, savedAt: row.saved_at } : null;
    } catch {
      return null; // a damaged copy is no copy
    }
  }
}
