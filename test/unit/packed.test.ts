// Alerts packed to cross between the relay's threads come back exactly as they
// went: any key (line feeds, quotes, astral characters), any JSON text
// JSON.stringify can write (it never writes a raw line feed; U+2028 it does),
// every source, status and severity, an alertname or none, or an empty one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_SOURCES, ALERT_STATUSES, SEVERITIES } from '../../src/shared/domain/alert.js';
import type { IngestedAlert } from '../../src/relay/ingest.js';
import { packAlerts, packIngested, unpackAlerts, unpackIngested } from '../../src/relay/packed.js';

const text = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u2028', '\u2029', '"', '\\', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
const ingested: fc.Arbitrary<IngestedAlert> = fc.record(
  {
    key: text,
    json: fc.jsonValue().map((v) => JSON.stringify(v)),
    source: fc.constantFrom(...ALERT_SOURCES),
    status: fc.constantFrom(...ALERT_STATUSES),
    severity: fc.constantFrom(...SEVERITIES),
    alertname: text,
  },
  { requiredKeys: ['key', 'json', 'source', 'status', 'severity'] },
);

describe('alerts packed between threads', () => {
  it('come back as they went, whatever their keys and texts', () => {
    let alerts = 0;
    fc.assert(
      fc.property(fc.array(ingested, { maxLength: 40 }), (list) => {
        alerts += list.length;
        // through a structured clone, as postMessage sends it
        expect(unpackIngested(structuredClone(packIngested(list)))).toEqual(list);
        expect(unpackAlerts(structuredClone(packAlerts(list)))).toEqual(list.map(({ key, json }) => ({ key, json })));
      }),
      { numRuns: 1000 },
    );
    console.log(`${alerts} alerts packed and unpacked, all alike`);
  });

  it('refuses a pack whose texts and keys do not pair up, rather than store one alert under another key', () => {
    expect(() => unpackAlerts({ json: '{"a":1}\n{"b":2}', keys: ['k'] })).toThrow(/1 keys but 2 JSON texts/);
    expect(() => unpackAlerts({ json: '', keys: ['k', 'l'] })).toThrow(/2 keys but 1 JSON texts/);
    expect(unpackAlerts({ json: '', keys: [] })).toEqual([]);
  });
});
