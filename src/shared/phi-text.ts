// Free text by evidence: names from the given-name and surname lexicons with
// capitalisation and context ("Last, First", particles, initials, ALL CAPS,
// lower case, possessives), dates tied to a person, ages over 89, IPv6,
// international phones, Medicare MBIs, UDIs, VINs, serials, plates, cities and
// counties in address context, URLs that name a person. Pure TypeScript.

import { isCommon as lexCommon, isGiven as lexGiven, isSurname as lexSurname, isSystem as lexSystem } from './phi-lexicon.js';

export type TextKind = 'name' | 'date' | 'dob' | 'age' | 'city' | 'zip' | 'ip' | 'phone' | 'account' | 'url' | 'mrn';
export interface TextFinding {
  kind: TextKind;
  start: number;
  end: number;
}

// ---------------------------------------------------------------- names

interface Tok {
  s: number;
  e: number;
  w: string;
}

const TOKEN = /[\p{L}\p{M}]+(?:['’\-][\p{L}\p{M}]+)*/gu;
/** The same for plain ASCII lines, which most are: V8 runs it several times faster. */
const TOKEN_ASCII = /[A-Za-z]+(?:['\-][A-Za-z]+)*/g;
const NON_ASCII = /[^\x00-\x7f]/;
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'ní', 'nic', 'ter', 'ten', 'zu', 'st']);
const CUES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'patient', 'pt', 'son', 'daughter', 'wife', 'husband', 'mother', 'father', 'sister', 'brother', 'spouse', 'partner', 'guardian', 'caregiver', 'niece', 'nephew', 'grandson', 'granddaughter', 'grandmother', 'grandfather', 'aunt', 'uncle', 'cousin', 'kin', 'relative', 'decedent', 'caller', 'name', 'subscriber', 'guarantor', 'insured', 'beneficiary', 'policyholder', 'dependent']);
const TWO_WORD_CUES = new Set(['spoke with', 'talked to', 'called by', 'visited by', 'family of', 'mother of', 'father of']);
const STAFF_BEFORE = new Set(['dr', 'doctor', 'nurse', 'rn', 'np', 'prof', 'professor', 'engineer', 'lead', 'officer', 'physician', 'attending', 'resident', 'surgeon', 'pharmacist', 'technician', 'tech', 'coordinator', 'manager', 'director', 'analyst', 'admin']);
const STAFF_VERBS = /(?:acknowledged|acked|resolved|completed|assigned|reviewed|signed|approved|closed|escalated|silenced|updated|opened|created|edited|paged|handed|owned|verified|submitted|authored|entered|cosigned)\s+(?:by|to|over to)\s*$/i;
/** A name before these words names a place, a thing or a method: Rosalind Franklin Hall, Kaplan Meier curves. */
const EPONYM_AFTER = /^\s+(?:Jr\.?\s+)?(?:Hall|Building|Bldg|Center|Centre|Hospital|Clinic|Institute|University|College|School|Foundation|Street|St|Avenue|Ave|Road|Day|Ward|Wing|Pavilion|Tower|House|Library|Park|Bridge|Tech|Labs?|Inc|LLC|Ltd|Corp|Group|Health|Medical|Memorial|curves?|test|method|estimator|syndrome|disease|score|scale|index|criterion|classification|equation|formula|procedure|sign)\b/;
const STAFF_AFTER = /^,?\s*(?:RN|MD|DO|NP|PA|PA-C|PharmD|LPN|CNA|BSN|MSN|DNP|PhD|CRNA|RT|MBBS|FRCP)\b/;

type Shape = 'cap' | 'caps' | 'lower' | 'init' | 'other';

/** What is known of a word, computed once per distinct word (operational text repeats its words). */
interface Feat {
  sh: Shape;
  given: boolean;
  surname: boolean;
  common: boolean;
  system: boolean;
}
const FEATS = new Map<string, Feat>();
function feat(w: string): Feat {
  let f = FEATS.get(w);
  if (f === undefined) {
    if (FEATS.size > 200_000) FEATS.clear();
    const sh = computeShape(w);
    // lexicons only for words that could be names; a lower-case word is looked up too (lower-case names)
    const wordy = sh !== 'other';
    f = { sh, given: wordy && lexGiven(w), surname: wordy && lexSurname(w), common: lexCommon(w), system: lexSystem(w) };
    FEATS.set(w, f);
  }
  return f;
}
const shape = (w: string): Shape => feat(w).sh;
const isGiven = (w: string): boolean => feat(w).given;
const isSurname = (w: string): boolean => feat(w).surname;
const isCommon = (w: string): boolean => feat(w).common;
const isSystem = (w: string): boolean => feat(w).system;

function computeShape(word: string): Shape {
  // O'Brien, D'Angelo, L'Heureux: judged by what follows the apostrophe
  const w = word.length > 3 && (word[1] === "'" || word[1] === '’') && 'ODLodl'.includes(word[0]!) ? word.slice(2) : word;
  const upper = w.toUpperCase();
  const lower = w.toLowerCase();
  if (upper === lower) return 'other';
  if (w.length === 1) return w === upper ? 'init' : 'other';
  if (w === upper) return 'caps';
  if (w === lower) return 'lower';
  const isUp = (c: string) => c !== c.toLowerCase();
  if (!isUp(w[0]!) || isUp(w[1]!)) return 'other';
  const rest = w.startsWith('Mac') ? w.slice(3) : w.startsWith('Mc') ? w.slice(2) : w.slice(1);
  for (let i = 1; i < rest.length; i++) if (isUp(rest[i]!) && isUp(rest[i - 1]!)) return 'other';
  return 'cap';
}

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  const re = NON_ASCII.test(text) ? TOKEN : TOKEN_ASCII;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let w = m[0];
    // possessive: Lindqvist's → Lindqvist
    if (w.length > 3 && (w[w.length - 1] === 's' || w[w.length - 1] === 'S') && (w[w.length - 2] === "'" || w[w.length - 2] === '’')) w = w.slice(0, -2);
    out.push({ s: m.index, e: m.index + w.length, w });
  }
  return out;
}

const particle = (t: Tok | undefined) => t !== undefined && PARTICLES.has(t.w.toLowerCase());
const gap = (text: string, a: Tok, b: Tok) => text.slice(a.e, b.s);
// a space between name parts: blanks, or "+" / "%20" in a URL
const spaced = (text: string, a: Tok, b: Tok) => {
  const g = gap(text, a, b);
  return (/^\.?\s{1,2}$/.test(g) && (g.startsWith('.') ? a.w.length === 1 : true)) || g === '+' || g === '%20';
};
const AFTER_CUE = /^[\s,:(]*(?:DOB|D\.O\.B|MRN|born|SSN|age[ds]?|\d{1,3}\s*(?:y\/?o|yo|[MF]\b))/i;
/** A token that can be a part of a name at all: letters, not a system word. */
const namey = (t: Tok) => t.w.length >= 2 && !isSystem(t.w);
const strongGiven = (w: string) => isGiven(w) && !isCommon(w) && !isSystem(w);
const strongSurname = (w: string) => isSurname(w) && !isCommon(w) && !isSystem(w);
/** Plausible as a surname: capitalised like one and not a common word (or a known surname that is one, like White). */
const plausibleSurname = (w: string) => !isSystem(w) && (!isCommon(w) || isSurname(w));

/** After `i`: optional particles, then a name word. Returns the index of the name word. */
function surnameAt(text: string, toks: Tok[], i: number, style: Shape): number | undefined {
  let k = i;
  let n = 0;
  while (particle(toks[k]) && n < 3 && toks[k + 1] && spaced(text, toks[k]!, toks[k + 1]!)) {
    k++;
    n++;
  }
  const t = toks[k];
  if (!t || !namey(t)) return undefined;
  const sh = shape(t.w);
  if (style === 'lower' ? sh !== 'lower' : sh !== style && !(style === 'cap' && sh === 'cap')) return undefined;
  return k;
}

function isStaff(text: string, toks: Tok[], i: number, end: number): boolean {
  const before = text.slice(Math.max(0, toks[i]!.s - 40), toks[i]!.s);
  const prev = toks[i - 1];
  if (prev && STAFF_BEFORE.has(prev.w.toLowerCase()) && /^\.?\s*$/.test(gap(text, prev, toks[i]!))) return true;
  if (prev && prev.w.toLowerCase() === 'call' && toks[i - 2]?.w.toLowerCase() === 'on') return true;
  if (STAFF_VERBS.test(before)) return true;
  return STAFF_AFTER.test(text.slice(end, end + 12));
}

function hasCue(text: string, toks: Tok[], i: number): boolean {
  const p = toks[i - 1];
  if (!p) return false;
  const between = gap(text, p, toks[i]!);
  if (!/^\.?\s*[:=]?\s*$/.test(between) && !/^\s*\(\s*$/.test(between)) return false;
  if (CUES.has(p.w.toLowerCase())) return true;
  const pp = toks[i - 2];
  return pp !== undefined && TWO_WORD_CUES.has(`${pp.w} ${p.w}`.toLowerCase());
}

export function findNames(text: string, out: TextFinding[]): void {
  const toks = tokens(text);
  const push = (i: number, k: number) => {
    let end = toks[k]!.e;
    // a trailing middle initial: "Lindqvist, Hannah M"
    const next = toks[k + 1];
    if (next && shape(next.w) === 'init' && /^\s$/.test(gap(text, toks[k]!, next)) && !/^\.?\w/.test(text.slice(next.e, next.e + 1))) end = next.e + (text[next.e] === '.' ? 1 : 0);
    if (isStaff(text, toks, i, end) || EPONYM_AFTER.test(text.slice(end, end + 24))) return;
    out.push({ kind: 'name', start: toks[i]!.s, end });
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const f = feat(t.w);
    const sh = f.sh;
    if (sh === 'other') continue;
    // most words start no name: a lower-case word that is no given name, a common word that is no name part at all
    if (sh === 'lower' ? !f.given : sh !== 'init' && f.common && !f.given && !f.surname && !PARTICLES.has(t.w.toLowerCase())) continue;

    // Last, First (also "van der Berg, Pieter", "DOS SANTOS, RAFAEL")
    {
      const k = surnameAt(text, toks, i, sh === 'lower' ? 'lower' : sh === 'caps' ? 'caps' : 'cap');
      const g = k !== undefined ? toks[k + 1] : undefined;
      if (k !== undefined && g && /^,\s{0,2}$/.test(gap(text, toks[k]!, g)) && sh !== 'lower' && sh !== 'init') {
        const last = toks[k]!.w;
        const gs = shape(g.w);
        const sameCase = gs === (sh === 'caps' ? 'caps' : 'cap');
        if (sameCase && isGiven(g.w) && !isSystem(g.w) && plausibleSurname(last) && (!isCommon(g.w) || !isCommon(last))) {
          push(i, k + 1);
          i = k + 1;
          continue;
        }
        // First, Last in a list of values: "(28401, Ruth, Abernathy, 1932-01-05)"
        if ((sh === 'cap' || sh === 'caps') && !particle(t) && strongGiven(t.w) && k === i) {
          const k2 = surnameAt(text, toks, k + 1, sh);
          if (k2 !== undefined && plausibleSurname(toks[k2]!.w) && (isSurname(toks[k2]!.w) || !isCommon(toks[k2]!.w))) {
            push(i, k2);
            i = k2;
            continue;
          }
        }
      }
    }
    if (particle(t)) continue;

    // Initial. Surname: "A. Gallagher"
    if (sh === 'init' && text[t.e] === '.') {
      const k = toks[i + 1] && spaced(text, { ...t, e: t.e }, toks[i + 1]!) ? surnameAt(text, toks, i + 1, 'cap') : undefined;
      if (k !== undefined && (strongSurname(toks[k]!.w) || (!isCommon(toks[k]!.w) && !isSystem(toks[k]!.w)) || hasCue(text, toks, i))) {
        push(i, k);
        i = k;
        continue;
      }
      continue;
    }
    if (sh === 'init' || !namey(t)) continue;

    // First [Middle|Initial] Last, and the cue forms ("son Chidi Okafor", "Mrs. Okafor")
    let j = i + 1;
    const nx = toks[j];
    if (nx && spaced(text, t, nx) && (shape(nx.w) === 'init' || (shape(nx.w) === sh && isGiven(nx.w) && !isCommon(nx.w))) && toks[j + 1] && spaced(text, nx, toks[j + 1]!)) j++;
    const k = toks[j] && spaced(text, toks[j - 1]!, toks[j]!) ? surnameAt(text, toks, j, sh) : undefined;
    const cue = hasCue(text, toks, i);
    if (k !== undefined) {
      const last = toks[k]!.w;
      // evidence after the name: "juniper ashdown dob 2/23/94", "Soo-ah Park (93F)"
      const after = AFTER_CUE.test(text.slice(toks[k]!.e, toks[k]!.e + 16));
      const ok =
        sh === 'lower'
          ? (strongGiven(t.w) && strongSurname(last)) || (after && isGiven(t.w) && !isCommon(last) && !isSystem(last))
          : (strongGiven(t.w) && plausibleSurname(last)) ||
            (isGiven(t.w) && strongSurname(last)) ||
            (strongSurname(last) && !isCommon(t.w) && !isSystem(t.w)) ||
            ((cue || after) && plausibleSurname(last) && (isGiven(t.w) || !isCommon(t.w) || !isCommon(last)));
      if (ok) {
        push(i, k);
        i = k;
        continue;
      }
    }
    // a single name after a cue: "Mrs. Okafor", "daughter Maria"
    if (cue && sh !== 'lower' && (isGiven(t.w) || isSurname(t.w) || !isCommon(t.w))) {
      // after a cue, "Last, First" needs no lexicon: guarantor Schröder, Anneliese
      const g = toks[i + 1];
      const last = g && /^,\s{0,2}$/.test(gap(text, t, g)) && shape(g.w) === sh && !isCommon(g.w) && !isSystem(g.w) ? i + 1 : i;
      push(i, last);
      i = last;
    }
  }
}

// ---------------------------------------------------------------- dates and ages

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const DATES: RegExp[] = [
  /\b(?:0?[1-9]|1[0-2])([/.-])(?:0?[1-9]|[12]\d|3[01])\1(?:(?:19|20)\d{2}|\d{2})\b(?![/.:-]?\d)/g,
  /\b(?:18|19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b(?![T ]?\d{1,2}:\d{2})/g,
  new RegExp(`\\b${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+(?:18|19|20)\\d{2}\\b(?!\\s?\\d{1,2}:\\d{2})`, 'gi'),
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\.?,?\\s+(?:18|19|20)\\d{2}\\b`, 'gi'),
  new RegExp(`\\b\\d{1,2}[-/ ]${MONTH}[-/ ](?:(?:18|19|20)\\d{2}|\\d{2})\\b(?!:\\d)`, 'gi'),
  /\b(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b/g,
];
const DOB_CUE = /(?:\bDOB|\bD\.O\.B\.?|date of birth|birth ?date|\bborn(?: on)?|\bb\.|PID-7|\bbirthday)\s*[:=#]?\s*['"(]?\s*$/i;
const DATE_CUE = /\b(?:admit(?:ted|ting)?|admission|discharged?|discharge date|expired|died|death|deceased|procedure(?: date)?|surgery|operated|seen|visit(?:ed)?|DOS|date of service|transferred|arrived|presented|recorded as|delivered|injured|onset)\b[^.;]{0,24}$/i;

/** Dates: with a birth cue → dob; with a clinical cue, or in a line that names a person → date. */
export function findDates(text: string, personInLine: boolean, out: TextFinding[]): void {
  if (!/\d/.test(text)) return;
  for (const re of DATES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      const before = text.slice(Math.max(0, start - 40), start);
      // YYYYMMDD only with a cue: 8 digits are ids far more often than dates
      const compact = re === DATES[5];
      if (DOB_CUE.test(before)) out.push({ kind: 'dob', start, end });
      else if (DATE_CUE.test(before) || (personInLine && !compact)) out.push({ kind: 'date', start, end });
    }
  }
}

const AGES: RegExp[] = [
  /\b(\d{2,3})\s*-?\s*(?:y\/?o\b|yo\b|y\.o\.?|yrs?\b(?:\s+old)?|years?[ -]old\b|year-old\b|years? of age\b)/gi,
  /\b(?:age|aged)\s*[:=]?\s*(\d{2,3})\b/gi,
  /\((\d{2,3})\s?(?:[MFmf]|yo)\)/g,
];
export function findAges(text: string, out: TextFinding[]): void {
  for (const re of AGES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const n = Number(m[1]);
      if (n < 90 || n > 125) continue;
      const start = m.index + m[0].indexOf(m[1]!);
      out.push({ kind: 'age', start, end: start + m[1]!.length });
    }
  }
}

// ---------------------------------------------------------------- numbers and ids

const IPV6 = /(?<![\w:.])\[?((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?)(?![\w:])/g;
function findIpv6(text: string, out: TextFinding[]): void {
  IPV6.lastIndex = 0;
  for (let m = IPV6.exec(text); m !== null; m = IPV6.exec(text)) {
    const v = m[1]!.replace(/%\w+$/, '');
    const groups = v.split(':');
    const filled = groups.filter((g) => g.length > 0);
    const compressed = v.includes('::');
    if (v.split('::').length > 2) continue;
    if (!(compressed ? groups.length <= 8 : groups.length === 8)) continue;
    if (filled.length < 3 || !filled.some((g) => /[a-f]/i.test(g) || g.length >= 3)) continue;
    const start = m.index + m[0].indexOf(m[1]!);
    out.push({ kind: 'ip', start, end: start + m[1]!.length });
  }
}

const INTL_PHONE = /(?<![\w+])\+[1-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){1,6}(?![\w])/g;
function findIntlPhones(text: string, out: TextFinding[]): void {
  INTL_PHONE.lastIndex = 0;
  for (let m = INTL_PHONE.exec(text); m !== null; m = INTL_PHONE.exec(text)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < (digits.startsWith('1') ? 11 : 9) || digits.length > 15) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  }
}

const MBI_L = '[AC-HJKMNP-RT-Y]';
const MBI_AN = '[AC-HJKMNP-RT-Y0-9]';
const IDS: { kind: TextKind; re: RegExp; group: number; when?: RegExp }[] = [
  // national phones: (617)555-0119, (617) 555-0119, 617-555-0119, 617.555.0119, 1-617-555-0119
  { kind: 'phone', re: /(?<![\w.+-])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b/g, group: 0 },
  // Medicare Beneficiary Identifier (CMS format: C A AN N A AN N A A N N)
  { kind: 'account', re: new RegExp(`\\b[1-9]${MBI_L}${MBI_AN}\\d-?${MBI_L}${MBI_AN}\\d-?${MBI_L}{2}\\d{2}\\b`, 'g'), group: 0 },
  // GS1 UDI: (01) GTIN, then application identifiers (17) expiry, (10) lot, (21) serial
  { kind: 'account', when: /\(01\)/, re: /\(01\)\d{14}(?:\(\d{2,4}\)[0-9A-Za-z-]+)*/g, group: 0 },
  // VIN: 17 characters, no I, O or Q, letters and digits mixed
  { kind: 'account', when: /[A-HJ-NPR-Z]\d{5}/, re: /\b(?=[A-HJ-NPR-Z0-9]{17}\b)(?=(?:[0-9]*[A-HJ-NPR-Z]){2})(?=(?:[A-HJ-NPR-Z]*[0-9]){6})[A-HJ-NPR-Z0-9]{17}\b/g, group: 0 },
  { kind: 'account', when: /serial|S\/?N/i, re: /\b(?:serial(?:\s+(?:no\.?|number|#))?|S\/N|SN)\s*[:#]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,})\b/gi, group: 1 },
  { kind: 'account', when: /SN\d/, re: /\bSN\d{6,}\b/g, group: 0 },
  { kind: 'account', re: /\b(?:pump|monitor|ventilator|device|transmitter|scanner|glucometer|implant|pacemaker|defibrillator)\s+(?:#\s*)?([A-Z]{1,4}\d{4,}[-A-Z0-9]*)\b/gi, group: 1 },
  { kind: 'account', when: /plate/, re: /\b(?:licen[cs]e\s+)?plate\s*(?:no\.?|number|#)?\s*[:#]?\s*((?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,5})\b/g, group: 1 },
  { kind: 'account', re: /\b(?:claim|MBI|medicare|medicaid|beneficiary|subscriber|visit|encounter|FIN|HAR|plan)(?:\s*(?:no\.?|number|id|#))?\s*[:#=]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,})\b/g, group: 1 },
];
function findIds(text: string, out: TextFinding[]): void {
  const digits = /\d/.test(text);
  for (const r of IDS) {
    if (!digits || (r.when && !r.when.test(text))) continue;
    r.re.lastIndex = 0;
    for (let m = r.re.exec(text); m !== null; m = r.re.exec(text)) {
      const v = m[r.group]!;
      const start = m.index + (r.group === 0 ? 0 : m[0].lastIndexOf(v));
      out.push({ kind: r.kind, start, end: start + v.length });
    }
  }
}

// ---------------------------------------------------------------- places and URLs

const STATES = 'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
const CITY_WORD = "\\p{Lu}[\\p{Ll}\\p{M}'’-]+";
const CITY_STATE = new RegExp(`\\b(${CITY_WORD}(?:\\s${CITY_WORD}){0,2}),\\s*(?:${STATES})\\b(?:\\s+(\\d{5}(?:-\\d{4})?))?`, 'gu');
const COUNTY = new RegExp(`\\b(${CITY_WORD}(?:\\s${CITY_WORD})?\\s(?:County|Parish|Borough))\\b`, 'gu');
const LIVES_IN = new RegExp(`\\b(?:lives|living|resides|residing|moved|relocated|home|homeless)\\s+(?:in|at|to|from|here from|near)\\s+(${CITY_WORD}(?:\\s${CITY_WORD}){0,2})`, 'gu');
const PERSON_URL = /\bhttps?:\/\/[^\s"'<>]*?\/(?:u|user|users|profile|profiles|people|person|persons|account|accounts|~)\/([A-Za-z0-9][\w.%-]{2,})/g;

function findPlaces(text: string, out: TextFinding[]): void {
  if (/,\s*[A-Z]{2}\b/.test(text)) CITY_STATE.lastIndex = 0;
  else CITY_STATE.lastIndex = text.length;
  for (let m = CITY_STATE.exec(text); m !== null; m = CITY_STATE.exec(text)) {
    const city = m[1]!;
    if (city.split(/\s/).some((w) => isSystem(w))) continue;
    out.push({ kind: 'city', start: m.index, end: m.index + city.length });
    if (m[2]) {
      const z = m.index + m[0].length - m[2].length;
      out.push({ kind: 'zip', start: z, end: z + m[2].length });
    }
  }
  for (const re of [COUNTY, LIVES_IN]) {
    if (re === COUNTY ? !/County|Parish|Borough/.test(text) : !/\b(?:lives|living|resid|moved|relocated|home)/.test(text)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const v = m[1]!;
      if (isSystem(v.split(/\s/)[0]!)) continue;
      const start = m.index + m[0].lastIndexOf(v);
      out.push({ kind: 'city', start, end: start + v.length });
    }
  }
  PERSON_URL.lastIndex = text.includes('://') ? 0 : text.length;
  for (let m = PERSON_URL.exec(text); m !== null; m = PERSON_URL.exec(text)) {
    const v = m[1]!;
    const start = m.index + m[0].length - v.length;
    out.push({ kind: 'url', start, end: start + v.length });
  }
}

/** Everything in free text except names and dates (those need the line's other findings). */
export function findTextIds(text: string, out: TextFinding[]): void {
  findIds(text, out);
  if (text.includes('+')) findIntlPhones(text, out);
  if (/:[0-9A-Fa-f]{0,4}:/.test(text)) findIpv6(text, out);
  if (/\d\d/.test(text)) findAges(text, out);
  findPlaces(text, out);
}

/** Bare identifiers in a line that names a person: "(A860235 / MRN9914487)", "args: [5364476, Zhang, Mei]". */
const BARE_ID = /(?<![\w.:/#-])(?:[A-Z]{1,3})?\d{6,10}(?![\w.:-])/g;
export function findBareIds(text: string, out: TextFinding[]): void {
  BARE_ID.lastIndex = 0;
  for (let m = BARE_ID.exec(text); m !== null; m = BARE_ID.exec(text)) out.push({ kind: 'mrn', start: m.index, end: m.index + m[0].length });
}
