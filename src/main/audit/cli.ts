// `npm run audit -- verify|export|purge [options]` against a console data dir.
// Exit codes: 0 ok, 1 usage or start-up error, 2 integrity fault found.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AuditLog, MIN_RETENTION_YEARS } from './audit-log.js';
import { openAuditLog } from './open-audit.js';
import { AUDIT_KEY_FILE, AUDIT_SEALED_KEY_FILE, FileKeyStore } from './key-store.js';
import { closeDatabase, openDatabase } from '../store/database.js';
import { DATABASE_FILE, defaultDataDir } from '../platform/paths.js';
import { systemClock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import { AuditExportFormatSchema } from '../../shared/domain/audit.js';

const USAGE = `usage: npm run audit -- <command> [options]
  verify  [--incremental]                       check the hash chain (default: full)
  export  [--format jsonl|csv] [--since ISO] [--until ISO] [--out FILE]
  purge   [--retention-years N]                 remove records older than N (>= ${MIN_RETENTION_YEARS}) years
  backup  --out DIR                             consistent copy of the database and the audit key (safe while
                                                the console runs), then verifies the copy
options: --data-dir DIR (default: MAOC_DATA_DIR or ${defaultDataDir()}), --operator ID`;

function isoOrFail(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw new ConsoleError('E_USAGE', 'input', `--${name}: "${value}" is not a date-time (use ISO-8601, e.g. 2026-11-01T00:00:00Z)`);
  return new Date(value).toISOString();
}

export async function runAuditCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      operator: { type: 'string' },
      incremental: { type: 'boolean', default: false },
      format: { type: 'string', default: 'jsonl' },
      since: { type: 'string' },
      until: { type: 'string' },
      out: { type: 'string' },
      'retention-years': { type: 'string', default: String(MIN_RETENTION_YEARS) },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['verify', 'export', 'purge', 'backup'].includes(command)) {
    out(USAGE + '\n');
    return values.help ? 0 : 1;
  }
  const dataDir = values['data-dir'] ?? process.env.MAOC_DATA_DIR ?? defaultDataDir();
  const operator = values.operator ?? `cli:${userInfo().username}`;
  if (!existsSync(join(dataDir, DATABASE_FILE))) throw new ConsoleError('E_USAGE', 'input', `no console database in ${dataDir} (--data-dir points at the console's data folder)`);
  if (command === 'backup') return backup(dataDir, values.out, operator, out);
  let db;
  try {
    db = openDatabase(join(dataDir, DATABASE_FILE));
  } catch (err) {
    if (command !== 'verify') throw err;
    // verification always reports, also on a file that is no database at all
    const fault = { kind: 'unreadable' as const, seq: 0, message: (err as Error).message.slice(0, 300) };
    out(JSON.stringify({ ok: false, mode: values.incremental ? 'incremental' : 'full', checked: 0, fromSeq: 0, toSeq: 0, durationMs: 0, verifiedAt: new Date().toISOString(), fault }) + '\n');
    process.stderr.write(`E_AUDIT_INTEGRITY: unreadable: ${fault.message}\n`);
    return 2;
  }
  try {
    const { audit, keyProblem } = openAuditLog(db, dataDir, new FileKeyStore(dataDir), systemClock);
    if (keyProblem) process.stderr.write(`E_AUDIT_KEY: ${keyProblem}\n`);
    if (command === 'verify') {
      // The report is printed whatever verification finds; recording the run never prevents that.
      const report = await audit.verifyAsync(values.incremental ? 'incremental' : 'full');
      out(JSON.stringify(report) + '\n');
      if (!report.ok) process.stderr.write(`E_AUDIT_INTEGRITY: ${report.fault!.kind} at record #${report.fault!.seq}: ${report.fault!.message}\n`);
      for (const g of report.segments ?? []) process.stderr.write(`audit segment ${g.id} (since ${g.startedAt}, ${g.fault.kind}): ${g.records} records, ${g.ok ? 'verified with its own key' : g.problem}\n`);
      try {
        audit.append({ operator, action: 'audit.verified', subjectType: 'audit', subjectId: 'audit_log', details: { mode: report.mode, ok: report.ok, checked: report.checked, via: 'cli' } });
      } catch (err) {
        process.stderr.write(`could not record this verification in the log: ${(err as Error).message.slice(0, 200)}\n`);
      }
      return report.ok ? 0 : 2;
    }
    if (command === 'export') {
      const format = AuditExportFormatSchema.safeParse(values.format);
      if (!format.success) throw new ConsoleError('E_USAGE', 'input', `--format: must be jsonl or csv, not "${values.format}"`);
      const { content, records } = audit.export(format.data, { since: isoOrFail('since', values.since), until: isoOrFail('until', values.until) });
      audit.append({ operator, action: 'audit.exported', subjectType: 'audit', subjectId: 'audit_log', details: { format: format.data, records, via: 'cli' } });
      if (values.out) {
        writeFileSync(values.out, content, { mode: 0o600 });
        process.stderr.write(`exported ${records} records to ${values.out}\n`);
      } else out(content);
      return 0;
    }
    const years = Number(values['retention-years']);
    const result = audit.purge(operator, years);
    out(JSON.stringify(result) + '\n');
    return 0;
  } finally {
    closeDatabase(db);
  }
}

/**
 * SQLite's online backup (a consistent snapshot even while the console writes),
 * the key beside it, then a full verify of the copy with that key.
 */
async function backup(dataDir: string, outDir: string | undefined, operator: string, out: (s: string) => void): Promise<number> {
  if (!outDir) throw new ConsoleError('E_USAGE', 'input', 'backup: --out DIR is required (a new or empty folder)');
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new ConsoleError('E_USAGE', 'input', `backup: --out ${outDir} is not empty; a backup never overwrites`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const plainKey = existsSync(join(dataDir, AUDIT_KEY_FILE));
  const sealedKey = existsSync(join(dataDir, AUDIT_SEALED_KEY_FILE));
  if (!plainKey && !sealedKey) throw new ConsoleError('E_AUDIT_KEY', 'state', `no audit key in ${dataDir}: a backup without its key could never be verified`);
  const source = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    await source.backup(join(outDir, DATABASE_FILE));
  } finally {
    closeDatabase(source);
  }
  for (const f of [AUDIT_KEY_FILE, AUDIT_SEALED_KEY_FILE]) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(outDir, f));
  let verified: boolean | null = null;
  const copy = openDatabase(join(outDir, DATABASE_FILE));
  const records = copy.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
  if (plainKey) {
    try {
      const report = await new AuditLog(copy, new FileKeyStore(outDir).load(), systemClock).verifyAsync('full');
      verified = report.ok;
      if (!report.ok) process.stderr.write(`E_AUDIT_INTEGRITY: the copy fails verification: ${report.fault!.kind} at record #${report.fault!.seq}: ${report.fault!.message}\n`);
    } finally {
      closeDatabase(copy);
    }
  } else {
    closeDatabase(copy);
    process.stderr.write('the audit key is sealed by the OS keychain: the copy can be verified only by the Electron app on this machine and account\n');
  }
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    new AuditLog(db, new FileKeyStore(dataDir).load(), systemClock).append({ operator, action: 'audit.backed_up', subjectType: 'audit', subjectId: 'audit_log', details: { records, verified, via: 'cli' } });
  } catch {
    // a sealed key cannot be read here; the backup itself is done
  } finally {
    closeDatabase(db);
  }
  out(JSON.stringify({ backup: outDir, records, verified }) + '\n');
  return verified === false ? 2 : 0;
}

if ((typeof require !== 'undefined' && require.main === module) || process.argv[1]?.endsWith('audit/cli.ts')) {
  runAuditCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof ConsoleError ? err.message : `E_AUDIT_CLI: ${(err as Error).message}`}\n`);
      process.exitCode = 1;
    },
  );
}
