import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { AUDIT_KEY_BYTES, AUDIT_KEY_FILE, AUDIT_SEALED_KEY_FILE, FileKeyStore, type AuditKeyStore } from '../audit/key-store.js';
import { ConsoleError } from '../../shared/errors.js';


/**
 * The audit key sealed by the OS keychain (Electron safeStorage). A plain key
 * file made earlier by browser mode keeps being used, so both modes can open
 * the same data dir.
 */
export class SafeStorageKeyStore implements AuditKeyStore {
  constructor(private readonly dataDir: string) {}

  describe(): string {
    return `OS keychain-sealed key ${join(this.dataDir, AUDIT_SEALED_KEY_FILE)}`;
  }

  load(): Buffer {
    const sealed = join(this.dataDir, AUDIT_SEALED_KEY_FILE);
    if (existsSync(join(this.dataDir, AUDIT_KEY_FILE)) || !safeStorage.isEncryptionAvailable()) {
      return new FileKeyStore(this.dataDir).load();
    }
    if (existsSync(sealed)) {
      const key = Buffer.from(safeStorage.decryptString(readFileSync(sealed)), 'base64');
      if (key.length !== AUDIT_KEY_BYTES) {
        throw new ConsoleError('E_AUDIT_KEY', 'integrity', `the sealed audit key ${sealed} is damaged; restore it from backup`);
      }
      return key;
    }
    const key = randomBytes(AUDIT_KEY_BYTES);
    writeFileSync(sealed, safeStorage.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
    return key;
  }
}
