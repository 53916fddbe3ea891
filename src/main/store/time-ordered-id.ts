// Row ids that sort by the time they were made (RFC 9562 UUID version 7):
// 48 bits of Unix milliseconds, then 74 random bits. A random (version 4) key
// puts every new row's index entry on a page of its own: in a storm each new
// row rewrites one 4 KiB page of the key's index at every commit. Ids made in
// the same moment share the newest pages instead. Still a UUID to every reader.
import { randomUUID } from 'node:crypto';

/**
 * A version-7 UUID for `nowMs` (the injected clock's time). Its random bits are
 * a version-4 UUID's (`uuid`: Node's, drawn from a pooled source; a call for
 * ten fresh bytes costs more than the rest of the id), its variant bits kept.
 */
export function timeOrderedId(nowMs: number, uuid: () => string = randomUUID): string {
  const ms = (Number.isNaN(nowMs) ? 0 : Math.min(Math.max(0, Math.floor(nowMs)), 2 ** 48 - 1)).toString(16).padStart(12, '0');
  const r = uuid(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}
