// Open the audit trail of a data folder so that no fault in the key, the
// markers or the records keeps the console (or the CLI) from starting.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../store/database.js';
import { AuditLog } from './audit-log.js';
import { fileSegmentKeys } from './fault-segment.js';
import { AUDIT_KEY_FILE, AUDIT_SEALED_KEY_FILE, type AuditKeyStore } from './key-store.js';

export const AUDIT_CHECKPOINT_FILE = 'audit.checkpoint';

export interface OpenedAudit {
  audit: AuditLog;
  /** why the key could not be used (missing for a non-empty log, unreadable), or null */
  keyProblem: string | null;
}

export function openAuditLog(db: Db, dataDir: string, keyStore: AuditKeyStore, clock: Clock): OpenedAudit {
  let keyProblem: string | null = null;
  let key: Buffer | null = null;
  const hasRecords = (db.prepare('SELECT EXISTS (SELECT 1 FROM audit_log)').pluck().get() as number) === 1;
  const keyFilePresent = existsSync(join(dataDir, AUDIT_KEY_FILE)) || existsSync(join(dataDir, AUDIT_SEALED_KEY_FILE));
  const isFileStore = /key file|keychain-sealed/.test(keyStore.describe());
  if (hasRecords && isFileStore && !keyFilePresent) {
    // Never make a new key for a log that holds records: every later record would fail verification.
    keyProblem = `the audit key (${keyStore.describe()}) is missing while the log holds records; restore it from the backup made with the database`;
  } else {
    try {
      key = keyStore.load();
    } catch (err) {
      keyProblem = (err as Error).message;
    }
  }
  const audit = new AuditLog(db, key, clock, { segmentKeys: fileSegmentKeys(dataDir), checkpointFile: join(dataDir, AUDIT_CHECKPOINT_FILE) });
  return { audit, keyProblem };
}
