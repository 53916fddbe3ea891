import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleError } from '../../shared/errors.js';

/** Where the audit HMAC key lives: never inside the database it protects. */
export interface AuditKeyStore {
  /** Returns the key, creating it on first start. */
  load(): Buffer;
  describe(): string;
}

export const AUDIT_KEY_BYTES = 32;
export const AUDIT_KEY_FILE = 'audit.key';
/** The key sealed by the OS keychain (Electron safeStorage); only the Electron app can open it. */
export const AUDIT_SEALED_KEY_FILE = 'audit.key.sealed';

/** A 0600 key file in the data dir (used where no OS keychain is available). */
export class FileKeyStore implements AuditKeyStore {
  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, AUDIT_KEY_FILE);
  }

  describe(): string {
    return `key file ${this.path}`;
  }

  load(): Buffer {
    if (!existsSync(this.path)) return this.create();
    const key = readFileSync(this.path);
    if (key.length !== AUDIT_KEY_BYTES) {
      throw new ConsoleError(
        'E_AUDIT_KEY',
        'integrity',
        `the audit key file ${this.path} is ${key.length} bytes, expected ${AUDIT_KEY_BYTES}; restore it from the backup made with the database`,
      );
    }
    if (process.platform !== 'win32' && (statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
    return key;
  }

  private create(): Buffer {
    // A second, different key would make every later record fail verification.
    if (existsSync(join(this.dataDir, AUDIT_SEALED_KEY_FILE))) {
      throw new ConsoleError(
        'E_AUDIT_KEY_SEALED',
        'state',
        `the audit key of ${this.dataDir} is sealed by the OS keychain (${AUDIT_SEALED_KEY_FILE}, made by the Electron app); open this data folder with the Electron app, which can unseal it`,
      );
    }
    const key = randomBytes(AUDIT_KEY_BYTES);
    // 'wx' fails if another process created it meanwhile: never overwrite a key.
    const fd = openSync(this.path, 'wx', 0o600);
    try {
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return key;
  }
}

/** A fixed key, for tests that need to present a different key. */
export class StaticKeyStore implements AuditKeyStore {
  constructor(private readonly key: Buffer) {}
  load(): Buffer {
    return this.key;
  }
  describe(): string {
    return 'static key';
  }
}
