// Free text by evidence (names are in phi-names.ts): dates tied to a person, ages over 89, IPv6,
// international phones, Medicare MBIs, UDIs, VINs, serials, plates, cities and
// counties in address context, URLs that name a person. Pure TypeScript.

import { isSystem } from './phi-lexicon.js';

export type TextKind = 'name' | 'date' | 'dob' | 'age' | 'city' | 'zip' | 'ip' | 'phone' | 'account' | 'url' | 'mrn';
export interface TextFinding {
  kind: TextKind;
  start: number;
  end: number;
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
