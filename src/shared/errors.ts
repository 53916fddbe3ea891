// Errors that cross a process boundary: a stable code, a category a person can
// sort by, and a message that says what to do. Never a stack trace.

export type ErrorCategory =
  | 'input' // the caller sent something the schema refuses
  | 'auth' // token, origin or sender refused
  | 'state' // valid request, wrong moment (e.g. no operator signed in)
  | 'integrity' // audit chain or store integrity problem
  | 'unavailable' // a dependency (relay, database) cannot be reached
  | 'internal'; // a bug: logged in main, shown as a generic message

export interface ConsoleErrorShape {
  code: string;
  category: ErrorCategory;
  message: string;
}

export class ConsoleError extends Error implements ConsoleErrorShape {
  readonly code: string;
  readonly category: ErrorCategory;
  constructor(code: string, category: ErrorCategory, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ConsoleError';
    this.code = code;
    this.category = category;
  }
  toShape(): ConsoleErrorShape {
    return { code: this.code, category: this.category, message: this.message };
  }
}

export function isConsoleErrorShape(value: unknown): value is ConsoleErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.category === 'string' && typeof v.message === 'string';
}
