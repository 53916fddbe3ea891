// A reply from either transport, turned back into a result or a thrown
// ConsoleError — one unwrapping for the renderer's transports and the
// in-process client the tests use.
import type { Reply } from './contract.js';
import { ConsoleError, isConsoleErrorShape } from './errors.js';

export function unwrapReply<T>(reply: unknown): T {
  const r = reply as Reply<T>;
  if (r && r.ok === true) return r.result;
  if (r && r.ok === false && isConsoleErrorShape(r.error)) {
    const { code, category } = r.error;
    // the shape's message already starts with its code
    throw new ConsoleError(code, category, r.error.message.startsWith(`${code}: `) ? r.error.message.slice(code.length + 2) : r.error.message);
  }
  throw new ConsoleError('E_TRANSPORT', 'unavailable', 'the console answered with something unexpected');
}
