// The schedules a console runs on: <data dir>/schedules.yaml when present,
// else the bundled example. A broken file never leaves the console without
// schedules: the last good set (kept in the database, and checked like the
// file when read back) or the bundled example, with the error shown.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { ContactBook } from '../../shared/domain/runbook.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../platform/logger.js';
import type { Db } from '../store/database.js';
import { LastGoodConfig } from '../store/last-good.js';
import { loadScheduleFile, type ScheduleFile } from './schedule-file.js';
import { ScheduleService } from './schedule-service.js';

const Window = z.object({ from: z.number().int().min(0).max(10080), to: z.number().int().min(0).max(10080) }).strict();
const StoredFile = z
  .object({
    timeZone: z.string(),
    source: z.string(),
    roles: z.array(
      z
        .object({
          role: z.string().min(1),
          layers: z.array(
            z
              .object({
                kind: z.literal('rotation'),
                name: z.string(),
                start: z.string(),
                end: z.string().optional(),
                timeZone: z.string(),
                turn: z.union([z.object({ days: z.number().int().positive() }).strict(), z.object({ hours: z.number().int().positive() }).strict()]),
                participants: z.array(z.string()).min(1),
                restrictions: z.array(Window),
              })
              .strict(),
          ),
          calendar: z.object({ file: z.string(), text: z.string() }).strict().nullable(),
          overrides: z.array(z.object({ person: z.string(), start: z.string(), end: z.string(), reason: z.string() }).strict()),
        })
        .strict(),
    ),
  })
  .strict();

/** The console's schedules: its own file; else the bundled example, but only beside the bundled contacts (whose people it names). */
export function scheduleFileOf(dataDir: string, bundled: string, contactsAreBundled: boolean): string | null {
  const own = join(dataDir, 'schedules.yaml');
  return existsSync(own) ? own : contactsAreBundled ? bundled : null;
}

/** The schedule service over the loaded file (or none), and the file's error to show. */
export function buildSchedules(deps: { db: Db; audit: AuditLog; clock: Clock; logger: Logger; dataDir: string; bundled: string; book: ContactBook | undefined; contactsAreBundled: boolean }): { service: ScheduleService; error: string | null } {
  const file = scheduleFileOf(deps.dataDir, deps.bundled, deps.contactsAreBundled);
  const loaded = file ? loadSchedules(deps.db, deps.clock, deps.logger, { schedules: file, bundled: deps.bundled }, deps.book) : { file: null };
  const book = deps.book;
  const service = new ScheduleService({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    logger: deps.logger,
    file: loaded.file,
    people: book?.people ?? [],
    rolePhones: new Map((book?.groups ?? []).flatMap((g) => g.contacts.map((c) => [c.name, c.phone] as const))),
    firstResponders: book ? ([...book.levels].sort((a, b) => a.level - b.level)[0]?.contacts ?? []) : [],
  });
  return { service, error: loaded.error ?? null };
}

export function loadSchedules(db: Db, clock: Clock, logger: Logger, files: { schedules: string; bundled: string }, book: ContactBook | undefined): { file: ScheduleFile | null; error?: string } {
  const people = new Set((book?.people ?? []).map((p) => p.name));
  const lastGood = new LastGoodConfig(db, () => isoTime(clock.now()));
  const read = loadScheduleFile(files.schedules, people);
  let result: { file: ScheduleFile | null; error?: string } = { file: read.file ?? null, ...(read.error ? { error: read.error } : {}) };
  if (read.error) {
    const kept = lastGood.load('schedules', (v): v is ScheduleFile => StoredFile.safeParse(v).success);
    if (kept) result = { file: kept.value, error: `${read.error} — showing the last good schedules from ${kept.source} (saved ${kept.savedAt})` };
    else if (files.schedules !== files.bundled && existsSync(files.bundled)) {
      const bundled = loadScheduleFile(files.bundled, people);
      if (bundled.file) result = { file: bundled.file, error: `${read.error} — showing the bundled example schedules` };
    }
    logger.log('error', 'E_SCHEDULES', result.error!);
  } else lastGood.save('schedules', read.file, files.schedules);
  return result;
}
