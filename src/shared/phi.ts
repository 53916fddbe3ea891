// PHI detection and masking for operational text (HIPAA Safe Harbor
// identifiers that show up in alert and log text). Pure TypeScript. Three
// passes: structure first (phi-structure: JSON, labels, logfmt, HL7 v2, FHIR,
// URL paths), then the identifier patterns below and in phi-text, then names
// and dates by evidence — a date or a bare number counts as PHI when the line
// names a person. Scored on test/fixtures/phi-corpus.txt.

import { findStructured } from './phi-structure.js';
import { findNames } from './phi-names.js';
import { findBareIds, findDates, findTextIds, type TextFinding } from './phi-text.js';

export type PhiKind =
  | 'name'
  | 'date'
  | 'age'
  | 'city'
  | 'mrn'
  | 'ssn'
  | 'phone'
  | 'email'
  | 'dob'
  | 'address'
  | 'zip'
  | 'ip'
  | 'url'
  | 'account';

export interface PhiFinding {
  kind: PhiKind;
  start: number;
  end: number;
}

interface Rule {
  kind: PhiKind;
  re: RegExp;
  /** index of the capture group holding the identifier itself (0 = whole match) */
  group: number;
  /** a cheap test the line must pass before the rule runs at all */
  when?: RegExp;
}

// Order matters: more specific patterns first; overlapping later finds are dropped.
const RULES: Rule[] = [
  { kind: 'email', re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, group: 0 },
  { kind: 'ssn', when: /ssn|social/i, re: /\b(?:SSN|social security(?: number)?)\s*[:#=]?\s*(\d{3}-?\d{2}-?\d{4})\b/gi, group: 1 },
  { kind: 'ssn', when: /\d-\d\d-\d/, re: /\b\d{3}-\d{2}-\d{4}\b/g, group: 0 },
  { kind: 'mrn', when: /mrn|record|patient/i, re: /\b(?:MRN|medical record(?: number| no\.?)?|patient[ _-]?id)\s*[:#=]?\s*([A-Z]{0,3}\d{5,12})\b/gi, group: 1 },
  // the value must hold a digit, so words like "serial" or "number" are never taken for it
  { kind: 'account', when: /acc|member|polic|plan|device|serial|licen/i, re: /\b(?:account|acct|member|policy|health plan|device(?:\s+serial)?|serial|licen[cs]e)(?:\s*(?:no\.?|number|id|#))?\s*[:#=]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,})\b/gi, group: 1 },
  // not a version after a product name or "version"/"v" (TensorRT 8.6.1.6, CUDA 12.2.0.1, v1.2.3.4, version=1.2.3.4); never loopback or 0.0.0.0
  { kind: 'ip', when: /\d\.\d+\.\d+\.\d/, re: /(?<!(?:\b[A-Za-z]*[A-Z0-9][A-Za-z0-9]*|\bversion|\bv|\bver)\s?)(?<!(?:version|ver|build|release|tag|v)\s?[=:]\s?["']?)(?<![\w.])(?!0\.0\.0\.0\b|127\.)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b(?!\.\d)/g, group: 0 },
  { kind: 'address', when: /\d\s+[A-Z]/, re: /\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq)\b\.?(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*[A-Z0-9-]+)?/g, group: 0 },
  { kind: 'zip', when: /zip|postal/i, re: /\b(?:ZIP|zip code|postal code)\s*[:=]?\s*(\d{5}(?:-\d{4})?)\b/gi, group: 1 },
];

/**
 * Protection levels (seed 004). STANDARD: the direct identifiers; STRICT: also
 * network and location traces (IP, URL, ZIP); COMPLETE: STRICT, and free text
 * outside an allow-list is withheld entirely (see maskPhiDeep).
 */
export type PhiLevel = 'STANDARD' | 'STRICT' | 'COMPLETE';
const STANDARD_KINDS = new Set<PhiKind>(['name', 'mrn', 'ssn', 'phone', 'email', 'dob', 'date', 'age', 'address', 'account']);

/**
 * Values that are never PHI here: the hospital's own contacts (on-call
 * numbers, mailboxes), operators, service and host names. Set once by main
 * from the contact matrix, the operator registry and the probe config.
 */
const allowList = new Set<string>();
export function configurePhiAllowList(values: Iterable<string>): void {
  remembered.clear(); // what was found before may be allow-listed now
  for (const v of values) {
    const n = v.trim().toLowerCase();
    if (n.length >= 3) allowList.add(n);
  }
}

/** On the allow-list configured from the contacts, operators and probes (case-insensitive). */
export function isAllowListed(value: string): boolean {
  return allowList.has(value.trim().toLowerCase());
}

/** Keep a finding unless its kind is off at this level, its text is allow-listed, or an earlier finding covers it. */
function keepFinding(found: PhiFinding[], f: PhiFinding, text: string, level: PhiLevel): void {
  if (level === 'STANDARD' && !STANDARD_KINDS.has(f.kind)) return;
  if (allowList.size > 0 && allowList.has(text.slice(f.start, f.end).trim().toLowerCase())) return;
  for (const g of found) if (f.start < g.end && f.end > g.start) return;
  found.push(f);
}

export function findPhi(text: string, level: PhiLevel = 'STRICT'): PhiFinding[] {
  const found: PhiFinding[] = [];
  // structure first: a value is classified by its field, whatever it looks like
  for (const f of findStructured(text)) keepFinding(found, f, text, level);
  const digits = /\d/.test(text);
  for (const rule of RULES) {
    if (level === 'STANDARD' && !STANDARD_KINDS.has(rule.kind)) continue;
    // every rule but the e-mail one needs a digit; the e-mail one needs an @
    if (rule.kind === 'email' ? !text.includes('@') : !digits) continue;
    if (rule.when && !rule.when.test(text)) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m !== null; m = rule.re.exec(text)) {
      const value = m[rule.group];
      if (value === undefined || value.length === 0) continue;
      const offset = rule.group === 0 ? 0 : m[0].lastIndexOf(value);
      const start = m.index + offset;
      keepFinding(found, { kind: rule.kind, start, end: start + value.length }, text, level);
    }
  }
  const more: TextFinding[] = [];
  findTextIds(text, more);
  findNames(text, more);
  for (const f of more) keepFinding(found, f, text, level);
  // a date, or a bare number shaped like a record number, is PHI in a line that names a person
  const person = found.some((f) => f.kind === 'name' || f.kind === 'mrn' || f.kind === 'ssn' || f.kind === 'dob');
  const late: TextFinding[] = [];
  findDates(text, person, late);
  if (person) findBareIds(text, late);
  for (const f of late) keepFinding(found, f, text, level);
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Texts scanned lately, with what was found (a storm repeats the same service
 * names and summaries thousands of times a second): masked text and kinds per
 * level. Bounded; emptied when the allow-list changes.
 */
const remembered = new Map<string, { masked: string; kinds: readonly PhiKind[] }>();
const REMEMBER_MAX = 4096;
const REMEMBER_TEXT_MAX = 512;

/**
 * The console's own incident ids (MAI-YYYYMMDD-HHMMSS, then -n for the n-th of
 * a second): made from a clock and a counter, they hold nothing of a patient,
 * and the scanner finds nothing in any of them (a property test holds it to
 * that for every id of the grammar, at every level). Every new incident names
 * one in its audit records: not scanned, not remembered.
 */
const INCIDENT_ID = /^MAI-\d{8}-\d{6}(?:-[1-9]\d{0,8})?$/;
const NOTHING: readonly PhiKind[] = Object.freeze([]);

function scanned(text: string, level: PhiLevel): { masked: string; kinds: readonly PhiKind[] } {
  if (text.length <= 29 && INCIDENT_ID.test(text)) return { masked: text, kinds: NOTHING };
  const key = text.length <= REMEMBER_TEXT_MAX ? `${level}\u0000${text}` : null;
  const hit = key === null ? undefined : remembered.get(key);
  if (hit) return hit;
  const findings = findPhi(text, level);
  const result = { masked: masked(text, findings), kinds: Object.freeze([...new Set(findings.map((f) => f.kind))]) };
  if (key !== null) {
    if (remembered.size >= REMEMBER_MAX) remembered.clear();
    remembered.set(key, result);
  }
  return result;
}

/** The kinds of PHI in a text (each once), remembered for repeated texts. */
export function phiKinds(text: string, level: PhiLevel = 'STRICT'): readonly PhiKind[] {
  return scanned(text, level).kinds;
}

/** Replace each identifier with a typed placeholder such as `[MRN]`. */
export function maskPhi(text: string, level: PhiLevel = 'STRICT'): string {
  return scanned(text, level).masked;
}

function masked(text: string, findings: PhiFinding[]): string {
  if (findings.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const f of findings) {
    out += text.slice(pos, f.start) + `[${f.kind.toUpperCase()}]`;
    pos = f.end;
  }
  return out + text.slice(pos);
}

/** Keys whose values are system vocabulary, never free text: kept as they are at COMPLETE. */
export const PHI_ALLOWED_KEYS = new Set([
  'severity', 'service', 'key', 'kinds', 'state', 'level', 'mode', 'ok', 'checked', 'format', 'records', 'runbook', 'step', 'incident',
  'previous', 'reason', 'by', 'sink', 'error', 'probe', 'console', 'ackId', 'relayId', 'seq', 'version', 'electronRuntime', 'auditVerified',
  'auditFault', 'auditFaultSeq', 'retentionYears', 'cutoff', 'since', 'until', 'via', 'minutes', 'to', 'from', 'manual', 'afterMinutes',
  'idleMs', 'pin', 'wasLocked', 'fault', 'contact', 'answer', 'title',
]);

/**
 * Deep-mask every string inside a JSON-like value (keys are kept). At
 * COMPLETE, strings under keys not on the allow-list are withheld entirely.
 */
export function maskPhiDeep(value: unknown, level: PhiLevel = 'STRICT', key?: string): unknown {
  if (typeof value === 'string') {
    if (level === 'COMPLETE' && key !== undefined && !PHI_ALLOWED_KEYS.has(key)) return '[WITHHELD]';
    return maskPhi(value, level);
  }
  if (Array.isArray(value)) return value.map((v) => maskPhiDeep(v, level, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskPhiDeep(v, level, k);
    return out;
  }
  return value;
}
