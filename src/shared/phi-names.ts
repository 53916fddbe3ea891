// Names in free text, by evidence: the given-name and surname lexicons with
// capitalisation and context ("Last, First", particles, initials, ALL CAPS,
// lower case, possessives); staff and eponyms are left alone. Pure TypeScript.

import { isCommon as lexCommon, isGiven as lexGiven, isSurname as lexSurname, isSystem as lexSystem } from './phi-lexicon.js';
import type { TextFinding } from './phi-text.js';

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

/** The name from token i to token k (a trailing middle initial included), unless it names staff or a place. */
function pushName(text: string, toks: Tok[], i: number, k: number, out: TextFinding[]): void {
  let end = toks[k]!.e;
  // a trailing middle initial: "Lindqvist, Hannah M"
  const next = toks[k + 1];
  if (next && shape(next.w) === 'init' && /^\s$/.test(gap(text, toks[k]!, next)) && !/^\.?\w/.test(text.slice(next.e, next.e + 1))) end = next.e + (text[next.e] === '.' ? 1 : 0);
  if (isStaff(text, toks, i, end) || EPONYM_AFTER.test(text.slice(end, end + 24))) return;
  out.push({ kind: 'name', start: toks[i]!.s, end });
}

export function findNames(text: string, out: TextFinding[]): void {
  const toks = tokens(text);
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
          pushName(text, toks, i, k + 1, out);
          i = k + 1;
          continue;
        }
        // First, Last in a list of values: "(28401, Ruth, Abernathy, 1932-01-05)"
        if ((sh === 'cap' || sh === 'caps') && !particle(t) && strongGiven(t.w) && k === i) {
          const k2 = surnameAt(text, toks, k + 1, sh);
          if (k2 !== undefined && plausibleSurname(toks[k2]!.w) && (isSurname(toks[k2]!.w) || !isCommon(toks[k2]!.w))) {
            pushName(text, toks, i, k2, out);
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
        pushName(text, toks, i, k, out);
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
        pushName(text, toks, i, k, out);
        i = k;
        continue;
      }
    }
    // a single name after a cue: "Mrs. Okafor", "daughter Maria"
    if (cue && sh !== 'lower' && (isGiven(t.w) || isSurname(t.w) || !isCommon(t.w))) {
      // after a cue, "Last, First" needs no lexicon: guarantor Schröder, Anneliese
      const g = toks[i + 1];
      const last = g && /^,\s{0,2}$/.test(gap(text, t, g)) && shape(g.w) === sh && !isCommon(g.w) && !isSystem(g.w) ? i + 1 : i;
      pushName(text, toks, i, last, out);
      i = last;
    }
  }
}

