import { findPhi } from '../../shared/phi.js';
import { scrubValues } from '../../shared/safe-text.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, code: string, message: string, fields?: Record<string, string | number | boolean>): void;
}

/** Field names a log line may carry as text, and what their values must look like. Anything else is withheld. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /^(?!.*\d{5})[a-z][a-z0-9_.:-]{0,63}$/; // lower-case vocabulary, no long numbers
const FIELDS: Record<string, RegExp> = {
  incident: /^MAI-\d{8}-\d{6}(?:-\d{1,4})?$/,
  seq: /^\d{1,15}$/,
  seqs: /^[\d?,]{1,400}$/,
  ackId: UUID,
  relayId: UUID,
  consoleId: WORD,
  transport: WORD,
  mode: WORD,
  kinds: /^[a-z,]{0,200}$/,
  sink: WORD,
  probe: WORD,
  state: WORD,
  reason: WORD,
};
const FIELD_VALUE = { test: (key: string, v: string) => FIELDS[key]?.test(v) === true };

/**
 * One JSON line per entry. Fields are kept by allow-list (numbers and
 * booleans, and identifier-shaped text under the names above); the message
 * is the code's own words — quoted values in it are dropped and what is left
 * is PHI-masked. Errors are passed in through `errorText`, which drops their values.
 */
export function createLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return {
    log(level, code, message, fields = {}) {
      const safe: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(fields)) {
        if (k === 't' || k === 'level' || k === 'code' || k === 'msg') continue;
        safe[k] = typeof v !== 'string' ? v : FIELD_VALUE.test(k, v) && findPhi(v).length === 0 ? v : '[withheld]';
      }
      write(JSON.stringify({ t: new Date().toISOString(), level, code, msg: scrubValues(message, 2000, false), ...safe }));
    },
  };
}

export const silentLogger: Logger = { log() {} };
