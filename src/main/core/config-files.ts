// The config files a console runs on (probes, runbooks, contacts): loaded so
// that a broken file never stops the console. Each clean load is kept in the
// database; a broken file leaves the console on its last good set, or on the
// bundled default, with the error shown in Health/Status.
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { isoTime, type Clock } from '../../shared/clock.js';
import type { ContactBook, Runbook } from '../../shared/domain/runbook.js';
import type { Db } from '../store/database.js';
import { LastGoodConfig } from '../store/last-good.js';
import { loadProbeFile, ProbeSchema, type ProbeConfig, type ProbeFileResult } from '../probes/probe-config.js';
import { ContactBookSchema, loadContactBook, loadRunbooks, RunbookSchema } from '../runbooks/runbook-schema.js';
import type { Logger } from '../platform/logger.js';

export interface ConfigSets {
  probeFile: ProbeFileResult;
  runbooks: { runbooks: Runbook[]; errors: string[] };
  contacts: { book?: ContactBook; error?: string };
}

// a kept copy is validated like the file itself: the database is input too
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const withoutSource = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'source'));
const isProbeList = (v: unknown): v is ProbeConfig[] => Array.isArray(v) && v.every((p) => ProbeSchema.safeParse(p).success);
const isRunbookList = (v: unknown): v is Runbook[] => Array.isArray(v) && v.every((r) => isObject(r) && typeof r.source === 'string' && RunbookSchema.safeParse(withoutSource(r)).success);
const isContactBook = (v: unknown): v is ContactBook => isObject(v) && typeof v.source === 'string' && ContactBookSchema.safeParse(withoutSource(v)).success;

export function loadConfigSets(db: Db, clock: Clock, logger: Logger, files: { probes: string | null; runbookDirs: string[]; contacts: string; bundledContacts: string }): ConfigSets {
  const lastGood = new LastGoodConfig(db, () => isoTime(clock.now()));

  // probes: a whole-file failure falls back to the last good list
  let probeFile: ProbeFileResult = files.probes === null ? { probes: [], errors: [] } : loadProbeFile(files.probes);
  if (files.probes !== null) {
    if (probeFile.fileError) {
      const kept = lastGood.load('probes', isProbeList);
      if (kept) {
        probeFile = { probes: kept.value, errors: [...probeFile.errors, `E_PROBE_CONFIG: running the last good set of ${kept.value.length} probes from ${kept.source} (saved ${kept.savedAt})`], fileError: true };
      }
    } else lastGood.save('probes', probeFile.probes, files.probes);
  }

  // runbooks: a file that fails keeps the runbooks it held last time
  const loaded = loadRunbooks(files.runbookDirs);
  const runbooks = [...loaded.runbooks];
  const errors = [...loaded.errors];
  if (loaded.failedFiles.length > 0) {
    const kept = lastGood.load('runbooks', isRunbookList);
    for (const file of loaded.failedFiles) {
      for (const r of kept?.value.filter((k) => (k.source === file || k.source.startsWith(file + sep)) && !runbooks.some((x) => x.id === k.id)) ?? []) {
        runbooks.push(r);
        errors.push(`E_RUNBOOK: ${file}: keeping its last good version of "${r.id}" (saved ${kept!.savedAt})`);
      }
    }
  }
  const previous = lastGood.load('runbooks', isRunbookList);
  const merged = new Map((previous?.value ?? []).map((r) => [r.id, r] as const));
  for (const r of loaded.runbooks) merged.set(r.id, r);
  lastGood.save('runbooks', [...merged.values()], files.runbookDirs.join(', '));

  // contacts: last good book, else the bundled example
  let contacts = loadContactBook(files.contacts);
  if (contacts.error) {
    const kept = lastGood.load('contacts', isContactBook);
    if (kept) contacts = { book: kept.value, error: `${contacts.error} — showing the last good contacts from ${kept.source} (saved ${kept.savedAt})` };
    else if (files.contacts !== files.bundledContacts && existsSync(files.bundledContacts)) {
      const bundled = loadContactBook(files.bundledContacts);
      if (bundled.book) contacts = { book: bundled.book, error: `${contacts.error} — showing the bundled example contacts` };
    }
  } else lastGood.save('contacts', contacts.book, files.contacts);

  for (const e of probeFile.errors) logger.log('error', 'E_PROBE_CONFIG', e);
  for (const e of errors) logger.log('error', 'E_RUNBOOK', e);
  if (contacts.error) logger.log('error', 'E_CONTACTS', contacts.error);
  return { probeFile, runbooks: { runbooks, errors }, contacts };
}

export function contactsFileOf(dataDir: string, bundled: string): string {
  const own = join(dataDir, 'contacts.yaml');
  return existsSync(own) ? own : bundled;
}
