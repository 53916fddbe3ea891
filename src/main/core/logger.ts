import { maskPhi } from '../../shared/phi.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, code: string, message: string, fields?: Record<string, string | number | boolean>): void;
}

/** One JSON line per entry; every string is PHI-masked before it is written. */
export function createLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return {
    log(level, code, message, fields = {}) {
      const safe: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(fields)) safe[k] = typeof v === 'string' ? maskPhi(v) : v;
      write(JSON.stringify({ t: new Date().toISOString(), level, code, msg: maskPhi(message), ...safe }));
    },
  };
}

export const silentLogger: Logger = { log() {} };
