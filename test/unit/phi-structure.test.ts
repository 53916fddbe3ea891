// The structures issue 14 names, in the forms its report quotes: each value is
// classified by its field, and system text that looks alike stays visible.
import { describe, expect, it } from 'vitest';
import { findPhi, maskPhi, type PhiKind } from '../../src/shared/phi.js';

function spans(text: string): [PhiKind, string][] {
  return findPhi(text).map((f) => [f.kind, text.slice(f.start, f.end)]);
}

describe('PHI in structures', () => {
  it('finds values by their JSON, label and logfmt keys in any case style', () => {
    expect(spans('{"patient_name":"Lindqvist, Hannah M","ward":"4B"}')).toEqual([['name', 'Lindqvist, Hannah M']]);
    expect(spans('alertname="InferenceFailed" patient="Okafor, Chidi" mrn="E4471209" service="model-serving"')).toEqual([
      ['name', 'Okafor, Chidi'],
      ['mrn', 'E4471209'],
    ]);
    expect(spans('level=warn zip_code=02134 msg="geocode miss"')).toEqual([['zip', '02134']]);
    expect(spans('{"postalCode":"02143","birth_date":"1957-03-04","memberId":"XKH123456789"}')).toEqual([
      ['zip', '02143'],
      ['dob', '1957-03-04'],
      ['account', 'XKH123456789'],
    ]);
  });

  it('reads an HL7 v2 PID segment by field number and component', () => {
    const pid = 'PID|1||00482913^^^MGH^MR||GONZALEZ^MARIA^L||19570304|F|||44 Chestnut St Apt 2^^Somerville^MA^02143||(617)555-0119|';
    expect(spans(pid)).toEqual([
      ['mrn', '00482913'],
      ['name', 'GONZALEZ^MARIA^L'],
      ['dob', '19570304'],
      ['address', '44 Chestnut St Apt 2'],
      ['city', 'Somerville'],
      ['zip', '02143'],
      ['phone', '(617)555-0119'],
    ]);
    expect(maskPhi(pid)).not.toMatch(/GONZALEZ|MARIA|00482913|19570304|Chestnut|Somerville|02143|555-0119/);
  });

  it('reads FHIR Patient elements', () => {
    const fhir = '{"resourceType":"Patient","identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"00482913"}],"name":[{"family":"van der Berg","given":["Anneke"]}],"telecom":[{"system":"phone","value":"+31 20 555 0142"}],"birthDate":"1941-11-02","address":[{"line":["Keizersgracht 12"],"city":"Amsterdam","postalCode":"1015 CJ"}]}';
    const kinds = spans(fhir);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['mrn', '00482913'],
        ['name', 'van der Berg'],
        ['name', 'Anneke'],
        ['phone', '+31 20 555 0142'],
        ['dob', '1941-11-02'],
        ['address', 'Keizersgracht 12'],
        ['city', 'Amsterdam'],
      ]),
    );
  });

  it('masks the patient in a REST path, not the whole URL', () => {
    expect(maskPhi('GET /fhir/Patient/8841203/$everything 200 412ms')).toBe('GET /fhir/Patient/[MRN]/$everything 200 412ms');
  });

  it('leaves system text that looks like PHI alone', () => {
    for (const line of [
      'TensorRT 8.6.1.6 engine rebuilt for model-serving',
      'Patient Safety escalation runbook started (SEV1)',
      'Patient Flow dashboard latency p95 2300 ms',
      'family=inet address=0.0.0.0:8000 line=42',
      'OID 2.16.840.1.113883.6.1 resolved',
    ]) {
      expect(findPhi(line), line).toEqual([]);
    }
  });
});
