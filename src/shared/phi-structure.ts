// Structure first: most PHI in operational text sits in a structure that says
// what it is — a JSON key, a label or logfmt key, an HL7 v2 field, a FHIR
// element, a URL path. Values are classified by their field, whatever they
// look like. Pure TypeScript (no Node, no DOM).

export type StructuredKind = 'name' | 'mrn' | 'ssn' | 'phone' | 'email' | 'dob' | 'date' | 'address' | 'city' | 'zip' | 'ip' | 'account';

export interface StructuredFinding {
  kind: StructuredKind;
  start: number;
  end: number;
}

/** Key names, normalised (lower case, letters and digits only): snake_case, camelCase, kebab-case and abbreviations alike. */
const KEYS: Record<string, StructuredKind> = {};
const add = (kind: StructuredKind, ...keys: string[]) => keys.forEach((k) => (KEYS[k] = kind));
add('name', 'patient', 'patientname', 'ptname', 'pname', 'fullname', 'firstname', 'lastname', 'givenname', 'familyname', 'surname', 'middlename', 'given', 'family', 'maidenname', 'mothersmaidenname', 'nextofkin', 'nok', 'guarantor', 'guarantorname', 'insuredname', 'subscribername', 'patientfullname', 'patientfirstname', 'patientlastname', 'legalname', 'preferredname', 'emergencycontact', 'emergencycontactname');
add('mrn', 'mrn', 'medicalrecordnumber', 'medicalrecordno', 'patientid', 'ptid', 'patientnumber', 'chartnumber', 'chartno', 'mrnumber', 'empi', 'empiid', 'personid', 'patientidentifier', 'priormrn', 'enterpriseid');
add('ssn', 'ssn', 'socialsecuritynumber', 'socsecno', 'socialsecurity', 'ssnlast4', 'taxid');
add('dob', 'dob', 'dateofbirth', 'birthdate', 'birthday', 'bdate', 'patientdob', 'insureddob');
add('date', 'admitdate', 'admissiondate', 'admittedat', 'admitted', 'dischargedate', 'dischargedat', 'discharged', 'deathdate', 'dateofdeath', 'deceaseddatetime', 'proceduredate', 'surgerydate', 'dateofservice', 'servicedate', 'visitdate', 'encounterdate');
add('phone', 'phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'mobilephone', 'cell', 'cellphone', 'fax', 'homephone', 'workphone', 'contactphone', 'callback', 'callbacknumber', 'patientphone');
add('email', 'email', 'emailaddress', 'mail', 'patientemail', 'contactemail');
add('address', 'address', 'addr', 'street', 'streetaddress', 'addressline', 'addressline1', 'addressline2', 'line', 'homeaddress', 'patientaddress', 'residence');
add('city', 'city', 'town', 'county', 'municipality');
add('zip', 'zip', 'zipcode', 'postalcode', 'postcode', 'zip5');
add('ip', 'ip', 'ipaddress', 'clientip', 'remoteip', 'remoteaddr', 'sourceip', 'srcip', 'xforwardedfor', 'clientaddress');
add('account', 'mychartuser', 'mychartusername', 'mychartid', 'portaluser', 'portalusername', 'portallogin', 'patientuser', 'patientusername', 'patientlogin', 'account', 'accountnumber', 'accountno', 'acct', 'acctno', 'memberid', 'membernumber', 'policynumber', 'policyno', 'healthplanid', 'insuranceid', 'subscriberid', 'mbi', 'medicareid', 'medicarenumber', 'medicaidid', 'beneficiaryid', 'licensenumber', 'licenseno', 'driverslicense', 'dlnumber', 'vin', 'licenseplate', 'platenumber', 'deviceserial', 'serialnumber', 'udi', 'certificatenumber', 'visitnumber', 'encounterid', 'encounternumber', 'admissionid', 'fin', 'finnumber', 'harid', 'claimid', 'claimnumber');

/** Words that are PHI keys only in JSON or label form (`"family": "…"`, `patient="…"`): `family=inet` is not a name. */
const QUOTED_ONLY = new Set(['given', 'family', 'line', 'mail', 'patient', 'fin', 'cell', 'street', 'address', 'addr', 'town', 'tel']);
/** Values that run over several words: names and places; everything else is one token. */
const MULTI_WORD = new Set<StructuredKind>(['name', 'address', 'city']);

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function keyKind(key: string): StructuredKind | undefined {
  const n = normaliseKey(key);
  const direct = KEYS[n];
  if (direct) return direct;
  // prefixed forms: patient_zip, pt_phone, nok_name, guarantor_ssn …
  for (const prefix of ['patient', 'pt', 'nok', 'guarantor', 'insured', 'subscriber', 'member', 'home', 'mailing', 'billing', 'emergency']) {
    if (n.startsWith(prefix) && n.length > prefix.length) {
      const rest = KEYS[n.slice(prefix.length)];
      if (rest) return rest;
    }
  }
  return undefined;
}

/** What a value must look like to be taken at all (an empty, null or placeholder value is not PHI). */
function plausible(kind: StructuredKind, value: string): boolean {
  const v = value.trim();
  if (v.length === 0 || /^(null|none|n\/a|unknown|redacted|\*+|\[[A-Z_]+\]|true|false|-)$/i.test(v)) return false;
  switch (kind) {
    case 'name':
    case 'city':
    case 'address':
      return /\p{L}/u.test(v) && v.length <= 160;
    case 'email':
      return v.includes('@');
    case 'ip':
      return /\d/.test(v) && /^[0-9a-f.:%\[\]]+$/i.test(v);
    case 'phone':
      return (v.match(/\d/g) ?? []).length >= 7;
    case 'mrn':
    case 'account':
    case 'ssn':
    case 'zip':
      return /\d/.test(v);
    case 'dob':
    case 'date':
      return /\d/.test(v) || /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i.test(v);
    default:
      return true;
  }
}

// key = value, key="value", key: value, "key": "value" (JSON, logfmt, Prometheus labels, YAML-ish logs, URL queries)
// key = value, key="value", key: value, "key": "value" (JSON, logfmt, Prometheus labels, YAML-ish logs, URL queries):
// find a key and its separator first (cheap), and read the value only after a PHI key
const KEY = /(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,48})\1\s*(?:=|:(?!\/\/))\s*/g;
const VALUE = /(?:\[\s*)?(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,;&|}\]"']+(?:\s(?![A-Za-z_][A-Za-z0-9_.-]{0,48}\s*[=:])[^\s,;&|}\]"'=:]+){0,3}))/y;
const KIND_OF = new Map<string, StructuredKind | null>();
function cachedKind(key: string): StructuredKind | null {
  let k = KIND_OF.get(key);
  if (k === undefined) {
    if (KIND_OF.size > 50_000) KIND_OF.clear();
    k = keyKind(key) ?? null;
    KIND_OF.set(key, k);
  }
  return k;
}

function keyValues(text: string, out: StructuredFinding[]): void {
  KEY.lastIndex = 0;
  for (let m = KEY.exec(text); m !== null; m = KEY.exec(text)) {
    const key = m[2]!;
    const kind = cachedKind(key);
    // not a PHI key: go on after its separator (a URL's query, a nested label set are looked at too)
    if (!kind) continue;
    VALUE.lastIndex = KEY.lastIndex;
    const v = VALUE.exec(text);
    if (!v) continue;
    const quoted = v[1] !== undefined || v[2] !== undefined;
    const norm = normaliseKey(key);
    if (!quoted && QUOTED_ONLY.has(norm)) continue;
    const full = v[1] ?? v[2] ?? v[3] ?? '';
    const value = !quoted && !MULTI_WORD.has(kind) ? full.split(/\s/)[0]! : full;
    // a portal user name is letters only
    const username = /user|login/.test(norm) && /\p{L}{3}/u.test(value);
    if (!username && !plausible(kind, value)) continue;
    const start = v.index + v[0].length - (quoted ? 1 : 0) - full.length;
    out.push({ kind, start, end: start + value.length });
    KEY.lastIndex = v.index + v[0].length;
  }
  if (text.includes('"value"')) fhirValues(text, out);
}

// FHIR telecom and identifier: {"system":"phone","value":"…"}, {"type":{…"MR"…},"value":"…"}
const FHIR_VALUE = /"value"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
function fhirValues(text: string, out: StructuredFinding[]): void {
  FHIR_VALUE.lastIndex = 0;
  for (let m = FHIR_VALUE.exec(text); m !== null; m = FHIR_VALUE.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 160), m.index);
    const objStart = before.lastIndexOf('{');
    const ctx = objStart >= 0 ? before.slice(objStart) : before;
    let kind: StructuredKind | null = null;
    const system = /"system"\s*:\s*"(phone|fax|sms|pager|email)"/i.exec(ctx)?.[1]?.toLowerCase();
    if (system) kind = system === 'email' ? 'email' : 'phone';
    else if (/"code"\s*:\s*"(MR|MRN|PI|PT)"|medical.?record|\/mrn|"identifier"/i.test(before.slice(-160))) kind = 'mrn';
    else if (/"code"\s*:\s*"SS"|ssn|social/i.test(ctx)) kind = 'ssn';
    else if (/"code"\s*:\s*"(MB|SN|AN|DL|PPN)"|member|policy|licen[cs]e/i.test(ctx)) kind = 'account';
    if (!kind) continue;
    const value = m[1]!;
    if (!plausible(kind, value)) continue;
    const start = m.index + m[0].lastIndexOf(value);
    out.push({ kind, start, end: start + value.length });
  }
}

/** HL7 v2 fields that identify the patient or a relative (v2.5 field tables), by segment and field number. */
type Hl7Type = 'name' | 'cx' | 'xad' | 'xtn' | 'ts' | 'dob' | 'ssn' | 'account' | 'plain-mrn';
const HL7: Record<string, Record<number, Hl7Type>> = {
  PID: { 2: 'cx', 3: 'cx', 4: 'cx', 5: 'name', 6: 'name', 7: 'dob', 9: 'name', 11: 'xad', 13: 'xtn', 14: 'xtn', 18: 'account', 19: 'ssn', 20: 'account', 21: 'cx', 29: 'ts' },
  NK1: { 2: 'name', 4: 'xad', 5: 'xtn', 6: 'xtn', 33: 'cx' },
  MRG: { 1: 'cx', 2: 'cx', 3: 'account', 4: 'cx', 5: 'account', 7: 'name' },
  IN1: { 16: 'name', 18: 'dob', 19: 'xad', 36: 'account', 49: 'cx' },
  IN2: { 1: 'cx', 2: 'ssn', 6: 'account', 8: 'account' },
  GT1: { 2: 'cx', 3: 'name', 4: 'name', 5: 'xad', 6: 'xtn', 7: 'xtn', 8: 'dob', 12: 'ssn', 19: 'cx' },
  PV1: { 19: 'account', 44: 'ts', 45: 'ts', 50: 'account' },
  PD1: {},
};
const SEGMENT = /(?:^|[\r\n\s'"\\])((?:PID|NK1|MRG|IN1|IN2|GT1|PV1)\|)/g;

function hl7(text: string, out: StructuredFinding[]): void {
  SEGMENT.lastIndex = 0;
  for (let m = SEGMENT.exec(text); m !== null; m = SEGMENT.exec(text)) {
    const segStart = m.index + m[0].length - m[1]!.length;
    const name = m[1]!.slice(0, 3);
    const fields = HL7[name]!;
    // a segment ends at a carriage return, a newline, an escaped \r, or a quote
    let end = text.length;
    for (const stop of ['\r', '\n', '\\r', '"']) {
      const at = text.indexOf(stop, segStart);
      if (at >= 0 && at < end) end = at;
    }
    const seg = text.slice(segStart, end);
    let pos = segStart + 4; // after "PID|"
    const parts = seg.slice(4).split('|');
    parts.forEach((field, i) => {
      const n = i + 1;
      const type = fields[n];
      const fieldStart = pos;
      pos += field.length + 1;
      if (!type || field.length === 0) return;
      const repetitions = field.split('~');
      let repStart = fieldStart;
      for (const rep of repetitions) {
        hl7Field(type, rep, repStart, out);
        repStart += rep.length + 1;
      }
    });
  }
}

/** Field types whose first component is the identifier. */
const SIMPLE: Partial<Record<Hl7Type, StructuredKind>> = { cx: 'mrn', 'plain-mrn': 'mrn', account: 'account', ssn: 'ssn', dob: 'dob', ts: 'date' };

function hl7Field(type: Hl7Type, value: string, at: number, out: StructuredFinding[]): void {
  const comps = value.split('^');
  const compAt = (k: number) => at + comps.slice(0, k).reduce((a, c) => a + c.length + 1, 0);
  const push = (kind: StructuredKind, k: number) => {
    const c = (comps[k] ?? '').split('&')[0]!;
    if (c.trim() && plausible(kind, c)) out.push({ kind, start: compAt(k), end: compAt(k) + c.length });
  };
  const simple = SIMPLE[type];
  if (simple) return push(simple, 0);
  switch (type) {
    case 'name': {
      // family ^ given ^ middle (^ suffix ^ prefix): the span of the non-empty name parts
      const last = [0, 1, 2].filter((k) => (comps[k] ?? '').trim() !== '').at(-1);
      if (last !== undefined && /\p{L}/u.test(comps.slice(0, last + 1).join(''))) out.push({ kind: 'name', start: at, end: compAt(last) + comps[last]!.length });
      break;
    }
    case 'xtn': {
      // XTN: the number is component 1 (older messages) or area code (6) + local number (7)
      if ((comps[0] ?? '').trim()) push('phone', 0);
      else if (comps[5] || comps[6]) {
        const s = compAt(5);
        const e = compAt(6) + (comps[6] ?? '').length;
        out.push({ kind: 'phone', start: s, end: e });
      }
      break;
    }
    case 'xad':
      push('address', 0);
      push('address', 1);
      push('city', 2);
      push('zip', 4);
      break;
  }
}

// REST paths that name a patient: /patients/12345678, /Patient/abc-123 (FHIR), /mrn/…
const PATH = /(?:\/|(?<=["'\s=(]))(?:patients?|Patient|mrn|members?|persons?|RelatedPerson)\/([A-Za-z0-9][A-Za-z0-9._-]{2,63})(?=[/?#\s"']|$)/g;
function paths(text: string, out: StructuredFinding[]): void {
  PATH.lastIndex = 0;
  for (let m = PATH.exec(text); m !== null; m = PATH.exec(text)) {
    const v = m[1]!;
    if (!/\d/.test(v) || /^(search|metadata|_history|\$)/i.test(v)) continue;
    const start = m.index + m[0].length - v.length;
    out.push({ kind: /^member/i.test(m[0].slice(1)) ? 'account' : 'mrn', start, end: start + v.length });
  }
}

// FHIR: a Reference to a Patient carries the patient's name in `display`; a Patient resource's own `id` is the patient's id
const FHIR_DISPLAY = /"reference"\s*:\s*"(?:[^"]*\/)?(?:Patient|RelatedPerson|Person)\/[^"]*"\s*,\s*"display"\s*:\s*"((?:[^"\\]|\\.)*)"|"display"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"reference"\s*:\s*"(?:[^"]*\/)?(?:Patient|RelatedPerson|Person)\//g;
const FHIR_PATIENT_ID = /"resourceType"\s*:\s*"(?:Patient|RelatedPerson|Person)"\s*,\s*"id"\s*:\s*"([^"]+)"|"id"\s*:\s*"([^"]+)"\s*,\s*"resourceType"\s*:\s*"(?:Patient|RelatedPerson|Person)"/g;
function fhirResources(text: string, out: StructuredFinding[]): void {
  for (const [re, kind] of [[FHIR_DISPLAY, 'name'], [FHIR_PATIENT_ID, 'mrn']] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const v = m[1] ?? m[2] ?? '';
      if (!plausible(kind, v)) continue;
      const start = m.index + m[0].indexOf(`"${v}"`) + 1;
      out.push({ kind, start, end: start + v.length });
    }
  }
}

// PostgreSQL's DETAIL: Key (mrn)=(00482913) already exists / Key (last_name, dob)=(Okafor, 1957-03-04)
const PG_KEY = /\bKey \(([^)]{1,200})\)=\(([^)]{0,400})\)/g;
function pgKeys(text: string, out: StructuredFinding[]): void {
  PG_KEY.lastIndex = 0;
  for (let m = PG_KEY.exec(text); m !== null; m = PG_KEY.exec(text)) {
    const cols = m[1]!.split(/,\s*/);
    const vals = m[2]!.split(/,\s*/);
    if (cols.length !== vals.length) continue;
    let pos = m.index + m[0].length - 1 - m[2]!.length;
    vals.forEach((v, i) => {
      const at = text.indexOf(v, pos);
      pos = at + v.length;
      const kind = keyKind(cols[i]!.replace(/^"|"$/g, ''));
      if (kind && plausible(kind, v)) out.push({ kind, start: at, end: at + v.length });
    });
  }
}

// An HL7 field named in an error message: PID-5 'FENNIMORE^TOBIAH^^^MR', NK1-2.1="…"
const HL7_REF = /\b(PID|NK1|MRG|IN1|IN2|GT1|PV1)-(\d{1,2})(?:\.\d{1,2})?\b[^'"\n]{0,24}?['"]([^'"\n]{1,200})['"]/g;
function hl7Refs(text: string, out: StructuredFinding[]): void {
  HL7_REF.lastIndex = 0;
  for (let m = HL7_REF.exec(text); m !== null; m = HL7_REF.exec(text)) {
    const type = HL7[m[1]!]?.[Number(m[2])];
    if (!type) continue;
    const v = m[3]!;
    const start = m.index + m[0].length - 1 - v.length;
    const kind: StructuredKind = type === 'name' ? 'name' : type === 'xad' ? 'address' : type === 'xtn' ? 'phone' : SIMPLE[type] ?? 'mrn';
    if (plausible(kind, v.replace(/\^/g, ' '))) out.push({ kind, start, end: start + v.length });
  }
}

/** Every structured finding in the text (may overlap; the caller resolves). */
export function findStructured(text: string): StructuredFinding[] {
  const out: StructuredFinding[] = [];
  if (text.includes('"resourceType"') || text.includes('"reference"')) fhirResources(text, out);
  if (text.includes('Key (')) pgKeys(text, out);
  if (text.includes('|')) hl7(text, out);
  if (text.includes('-') && /\b(?:PID|NK1|MRG|IN1|IN2|GT1|PV1)-\d/.test(text)) hl7Refs(text, out);
  if (/[=:]/.test(text)) keyValues(text, out);
  if (text.includes('/')) paths(text, out);
  return out;
}
