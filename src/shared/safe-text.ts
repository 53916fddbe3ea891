// Text for the places PHI must never reach — OS notifications, the lock
// screen, log lines, error messages — is built from allow-listed fields, not
// from masked free text. Two helpers: a value from outside (a service name) is
// shown only when it is plain vocabulary; an error's message keeps its words
// but drops every quoted, bracketed or parenthesised value, which is where
// parsers and databases echo their input. Pure TypeScript.

import { isAllowListed, findPhi, maskPhi } from './phi.js';
import { isCommon, isGiven, isSurname, isSystem } from './phi-lexicon.js';

const VOCABULARY = /^[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+){0,7}$/;

/**
 * `value` when it is vocabulary — a service or host name on the allow-list,
 * or an identifier-shaped word (inference-gateway, postgres-primary) that
 * holds no long number, no name from the name tables and nothing the PHI
 * detector finds — else `fallback`.
 */
export function vocabulary(value: string, fallback: string): string {
  const v = value.trim();
  if (v.length === 0) return fallback;
  if (isAllowListed(v)) return v;
  if (v.length > 48 || !VOCABULARY.test(v) || /\d{4}/.test(v)) return fallback;
  for (const part of v.split(/[-_.]/)) {
    if (/^\d+$/.test(part)) continue;
    if ((isGiven(part) || isSurname(part)) && !isCommon(part) && !isSystem(part)) return fallback;
  }
  return findPhi(v.replace(/[-_.]/g, ' '), 'STRICT').length > 0 ? fallback : v;
}

const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|«[^»]*»|“[^”]*”/g;
const BRACKETED = /\((?:[^()]{0,400})\)|\[(?:[^[\]]{0,400})\]|\{(?:[^{}]{0,400})\}/g;

/** A message with every quoted or bracketed value dropped, then masked: `Unexpected token 'J', "John Smith" is not valid JSON` → `Unexpected token '…', "…" is not valid JSON`. */
export function scrubValues(message: string, max = 240, brackets = true): string {
  let s = message.replace(QUOTED, (q) => `${q[0]}…${q.at(-1)}`);
  if (brackets) s = s.replace(BRACKETED, (b) => `${b[0]}…${b.at(-1)}`);
  const masked = maskPhi(s, 'STRICT');
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}

/** An error for a log line or an error message: its name and code, and its message with the values dropped. */
export function errorText(err: unknown, max = 240): string {
  if (!(err instanceof Error)) return typeof err === 'string' ? scrubValues(err, max) : 'unknown error';
  const code = (err as { code?: unknown }).code;
  const head = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) && !err.message.startsWith(code) ? `${code}: ` : '';
  return head + scrubValues(err.message, max);
}
