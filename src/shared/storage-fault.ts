// SQLite errors that come from the disk or the file, not from the data: a full
// disk, an I/O error, a read-only or locked file. They are transient for a
// service: refuse with "retry later", keep running, resume when they pass.
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|NOMEM|PROTOCOL)/;

export function storageFaultCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code) ? code : null;
}
