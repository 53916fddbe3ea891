// The quick alert check against the shared schemas it stands in for. Inputs are
// built from the schema's documented limits (lengths at, below and above each
// one), then broken one field at a time with any value fast-check can make,
// and finally exotic objects (other prototypes, symbol keys, hidden keys,
// getters). The quick check may only ever be stricter than the schema (a
// refusal sends the caller to the schema, for its message); on JSON-shaped
// values, which is all the relay's normaliser and JSON.parse make, it must
// agree exactly, so a valid alert never takes the slow road.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertSchema, NewAlertSchema, parseAlert, parseNewAlert, plainlyValid } from '../../src/shared/domain/alert.js';

/** mostly one of the kept values, now and then one of the others: each alert breaks a limit or two at most */
const mostly = <T>(kept: fc.Arbitrary<T>, broken: fc.Arbitrary<T>) => fc.oneof({ arbitrary: kept, weight: 30 }, { arbitrary: broken, weight: 1 });

const unit = fc.constantFrom('a', 'é', '😀', ' ', '"', '\u0000', '\ud800');
const ofLength = (n: number) => fc.string({ minLength: n, maxLength: n, unit });
/** a string at or within a limit (counted in characters of every width), or now and then just past it */
const around = (max: number, min = 0) =>
  mostly(
    fc.oneof(fc.constantFrom(min, min + 1, max - 1, max).chain(ofLength), fc.string({ minLength: min, maxLength: 20 })),
    fc.constantFrom(...[min - 1, max + 1].filter((n) => n >= 0)).chain(ofLength),
  );

const stringMap = fc.oneof(
  fc.dictionary(around(128), around(4096), { maxKeys: 8 }),
  mostly(fc.integer({ min: 60, max: 64 }), fc.integer({ min: 65, max: 66 })).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))),
);

const link = fc.record({ href: around(2048), text: around(256) }, { requiredKeys: ['href'] });

const newAlert = fc.record(
  {
    key: around(512, 1),
    source: mostly(fc.constantFrom('alertmanager', 'pagerduty', 'native'), fc.constantFrom('grafana', '', 'Alertmanager')),
    status: mostly(fc.constantFrom('firing', 'acknowledged', 'resolved'), fc.constantFrom('Firing', 'ack', '')),
    severity: mostly(fc.constantFrom('SEV1', 'SEV2', 'SEV3'), fc.constantFrom('SEV4', 'sev1', '')),
    summary: around(1024),
    service: around(256),
    labels: stringMap,
    annotations: stringMap,
    links: mostly(fc.array(link, { maxLength: 16 }), fc.array(link, { minLength: 17, maxLength: 17 })),
    startsAt: around(40),
    group: around(128, 1),
    groupTruncated: mostly(fc.oneof(fc.constantFrom(0, 1, 1e9, -0), fc.integer({ min: 0, max: 1e9 })), fc.oneof(fc.constantFrom(1e9 + 1, -1, 0.5), fc.integer())),
  },
  { requiredKeys: ['key', 'source', 'status', 'severity', 'summary', 'service', 'labels', 'annotations', 'links', 'startsAt'] },
);

const stored = newAlert.chain((a) =>
  fc.record({
    relayId: around(64, 1),
    seq: mostly(fc.oneof(fc.constantFrom(1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1 })), fc.oneof(fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1), fc.integer())),
    receivedAt: around(40),
  }).map((s) => ({ ...a, ...s })),
);

/** one field replaced, removed or added: any JSON value */
const broken = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, fc.constantFrom('key', 'source', 'status', 'severity', 'summary', 'service', 'labels', 'annotations', 'links', 'startsAt', 'group', 'groupTruncated', 'relayId', 'seq', 'receivedAt', 'extra'), fc.option(fc.jsonValue(), { nil: undefined }), fc.boolean()).map(([a, field, value, remove]) => {
    const b: Record<string, unknown> = { ...a };
    if (remove) delete b[field];
    else b[field] = value;
    return b;
  });

/** a nested map or link broken the same way */
const brokenInside = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, fc.constantFrom('labels', 'annotations'), fc.string({ maxLength: 130 }), fc.jsonValue()).map(([a, field, k, v]) => ({ ...a, [field]: { ...(a[field] as object), [k]: v } }));
const brokenLink = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, fc.jsonValue(), fc.constantFrom('href', 'text', 'other')).map(([a, v, k]) => ({ ...a, links: [...(a.links as unknown[]), { href: 'x', [k]: v }] }));

const jsonShaped = (base: fc.Arbitrary<Record<string, unknown>>) => fc.oneof({ arbitrary: base, weight: 4 }, broken(base), brokenInside(base), brokenLink(base), fc.jsonValue());

const ownProtoKey = (v: unknown) => ['labels', 'annotations'].some((f) => { const m = (v as Record<string, unknown> | null)?.[f]; return typeof m === 'object' && m !== null && Object.hasOwn(m, '__proto__'); });

/** what JSON.parse makes of the value (the relay checks what it stores; the console what it read) */
const viaJson = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)) as unknown);

describe('the quick alert check', () => {
  const cases = [
    { name: 'NewAlertSchema', schema: NewAlertSchema, storedShape: false, arb: newAlert, parse: parseNewAlert },
    { name: 'AlertSchema', schema: AlertSchema, storedShape: true, arb: stored, parse: parseAlert },
  ] as const;

  for (const { name, schema, storedShape, arb, parse } of cases) {
    it(`agrees exactly with ${name} on JSON-shaped values (built from the limits, then broken)`, () => {
      let valid = 0;
      let invalid = 0;
      fc.assert(
        fc.property(jsonShaped(arb as fc.Arbitrary<Record<string, unknown>>), fc.boolean(), (raw, throughJson) => {
          const v = throughJson ? viaJson(raw) : raw;
          const answer = schema.safeParse(v);
          const expected = answer.success;
          if (expected) valid++;
          else invalid++;
          // a map with its own __proto__ key is the one JSON shape the quick check leaves to the schema
          expect(plainlyValid(v, storedShape)).toBe(expected && !ownProtoKey(v));
          // and what the caller gets: the same alert, or the schema's own message
          const got = parse(v);
          expect(got.success).toBe(expected);
          if (got.success && answer.success) expect(got.data).toEqual(answer.data);
          if (!got.success && !answer.success) expect(got.error.issues).toEqual(answer.error.issues);
        }),
        { numRuns: 2500 },
      );
      console.log(`${name}: ${valid} valid, ${invalid} invalid, all judged alike`);
      // the generator must reach both sides, or the property says nothing
      expect(valid).toBeGreaterThan(200);
      expect(invalid).toBeGreaterThan(200);
    });

    it(`never accepts what ${name} refuses, whatever the object is made of`, () => {
      const exotic = fc.tuple(arb as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom('nullProto', 'classInstance', 'symbolKey', 'hiddenKey', 'getter', 'mapIsArray', 'mapIsDate', 'linksIsObject', 'holeyLinks', 'protoKey', 'throwingGetter'), fc.constantFrom('', 'labels', 'annotations')).map(([a, how, where]) => {
        const target: Record<string, unknown> = where ? { ...(a[where] as object) } : { ...a };
        let out: unknown = target;
        switch (how) {
          case 'nullProto':
            out = Object.assign(Object.create(null) as object, target);
            break;
          case 'classInstance':
            out = Object.assign(new (class Alertish {})(), target);
            break;
          case 'symbolKey':
            target[Symbol('s') as unknown as string] = 'x';
            break;
          case 'hiddenKey':
            Object.defineProperty(target, 'hidden', { value: 42, enumerable: false });
            break;
          case 'getter':
            Object.defineProperty(target, where ? 'g' : 'summary', { get: () => 'from a getter', enumerable: true });
            break;
          case 'throwingGetter':
            Object.defineProperty(target, where ? 'g' : 'summary', { get: () => { throw new Error('boom'); }, enumerable: true });
            break;
          case 'mapIsArray':
            out = where ? Object.values(target) : target;
            break;
          case 'mapIsDate':
            out = where ? new Date(0) : target;
            break;
          case 'linksIsObject':
            if (!where) target.links = { ...(target.links as object) };
            break;
          case 'holeyLinks':
            if (!where) target.links = [, { href: 'x' }] as unknown[];
            break;
          case 'protoKey':
            Object.defineProperty(target, '__proto__', { value: where ? 7 : 'x', enumerable: true });
            break;
        }
        return where ? { ...a, [where]: out } : out;
      });
      let refusedByBoth = 0;
      fc.assert(
        fc.property(exotic, (v) => {
          let expected: boolean;
          try {
            expected = schema.safeParse(v).success;
          } catch {
            expected = false; // the schema's own getter threw
          }
          const quick = plainlyValid(v, storedShape);
          if (quick) expect(expected).toBe(true);
          if (!quick && !expected) refusedByBoth++;
        }),
        { numRuns: 1000 },
      );
      console.log(`${name}, exotic objects: ${refusedByBoth} refused by both, none accepted by the quick check alone`);
    });
  }

  it('leaves a label named __proto__ to the schema, which drops it from its copy', () => {
    const a = JSON.parse('{"key":"am:1","source":"alertmanager","status":"firing","severity":"SEV3","summary":"s","service":"x","labels":{"__proto__":"p","alertname":"A"},"annotations":{},"links":[],"startsAt":""}') as unknown;
    expect(plainlyValid(a, false)).toBe(false);
    const got = parseNewAlert(a);
    expect(got.success && JSON.stringify(got.data.labels)).toBe(JSON.stringify(NewAlertSchema.parse(a).labels));
  });
});
