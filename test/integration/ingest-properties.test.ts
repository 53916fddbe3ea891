// Property tests over the three ingest formats, generated from the formats'
// own definitions (Alertmanager webhook v4, PagerDuty Events API v2, our
// native JSON), posted to a real relay over HTTP.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { RelayConfigInput } from '../../src/relay/config.js';
import { fromAlertmanager, AlertmanagerSchema } from '../../src/relay/normalize.js';
import { AlertSchema } from '../../src/shared/domain/alert.js';
import type { Alert } from '../../src/shared/domain/alert.js';
import { relayTest } from '../support/fixtures.js';
import { post, waitFor } from '../support/relay-fixture.js';
import { HttpError } from '../../src/relay/http-guard.js';
import { parseDelivery, type Delivery } from '../../src/relay/ingest.js';
import { DeliveryParser } from '../../src/relay/parse-pool.js';
import type { AlertSource } from '../../src/shared/domain/alert.js';

// Prometheus: label names match [a-zA-Z_][a-zA-Z0-9_]*; values are any UTF-8 text.
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,40}$/).filter((n) => n !== 'alertname' && !n.startsWith('__'));
const labelValue = fc.oneof({ arbitrary: fc.string({ maxLength: 40 }), weight: 10 }, { arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }), weight: 3 }, { arbitrary: fc.string({ minLength: 4000, maxLength: 5000 }), weight: 1 });
const labelSet = (max: number) => fc.dictionary(labelName, labelValue, { maxKeys: max });
const rfc3339 = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const alertname = fc.stringMatching(/^[A-Z][A-Za-z0-9]{2,30}$/).filter((n) => n !== 'Watchdog');

const amAlert = fc.record(
  {
    status: fc.constantFrom('firing', 'resolved'),
    labels: fc.tuple(alertname, fc.oneof({ arbitrary: labelSet(8), weight: 8 }, { arbitrary: labelSet(80), weight: 1 })).map(([name, l]) => ({ alertname: name, ...l })),
    annotations: labelSet(10),
    startsAt: rfc3339,
    endsAt: fc.oneof(rfc3339, fc.constant('0001-01-01T00:00:00Z')),
    generatorURL: fc.webUrl(),
    fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
  },
  { requiredKeys: ['status', 'labels', 'annotations', 'startsAt'] },
);
const amPayload = fc.record({
  version: fc.constant('4'),
  groupKey: fc.string({ maxLength: 100 }),
  truncatedAlerts: fc.nat(100),
  status: fc.constantFrom('firing', 'resolved'),
  receiver: fc.string({ maxLength: 50 }),
  groupLabels: labelSet(3),
  commonLabels: labelSet(5),
  commonAnnotations: labelSet(3),
  externalURL: fc.webUrl(),
  alerts: fc.array(amAlert, { minLength: 1, maxLength: 12 }),
});

const pdTrigger = fc.record(
  {
    routing_key: fc.stringMatching(/^[0-9a-f]{32}$/),
    event_action: fc.constant('trigger'),
    dedup_key: fc.string({ minLength: 1, maxLength: 255 }),
    payload: fc.record(
      {
        summary: fc.string({ minLength: 1, maxLength: 1024 }),
        source: fc.string({ minLength: 1, maxLength: 255 }),
        severity: fc.constantFrom('critical', 'error', 'warning', 'info'),
        timestamp: rfc3339,
        component: fc.string({ maxLength: 255 }),
        group: fc.string({ maxLength: 255 }),
        class: fc.string({ maxLength: 255 }),
        custom_details: fc.jsonValue({ maxDepth: 4 }),
      },
      { requiredKeys: ['summary', 'source', 'severity'] },
    ),
    client: fc.string({ maxLength: 255 }),
    client_url: fc.webUrl(),
  },
  { requiredKeys: ['routing_key', 'event_action', 'payload'] },
);

const nativeOne = fc.record(
  {
    key: fc.string({ minLength: 1, maxLength: 480 }),
    status: fc.constantFrom('firing', 'resolved'),
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3'),
    summary: fc.string({ minLength: 1, maxLength: 1024 }),
    service: fc.string({ minLength: 1, maxLength: 256 }),
    labels: fc.dictionary(fc.string({ maxLength: 128 }), fc.string({ maxLength: 300 }), { maxKeys: 64 }),
    annotations: fc.dictionary(fc.string({ maxLength: 128 }), fc.string({ maxLength: 300 }), { maxKeys: 64 }),
    links: fc.array(fc.record({ href: fc.webUrl(), text: fc.string({ maxLength: 256 }) }), { maxLength: 16 }),
    startsAt: rfc3339,
  },
  { requiredKeys: ['key', 'severity', 'summary', 'service'] },
);
const nativeBody = fc.oneof(nativeOne, fc.record({ alerts: fc.array(nativeOne, { minLength: 1, maxLength: 20 }) }));

/** Break one required field: remove it, or give it a value of the wrong type or outside its enum. */
function breakField(body: Record<string, unknown>, path: (string | number)[], how: 'delete' | 'number' | 'array' | 'null' | 'enum'): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (how === 'delete') delete at[last];
  else at[last] = how === 'number' ? 42 : how === 'array' ? [] : how === 'null' ? null : 'not-a-member-of-the-enum';
  return copy;
}

interface Counts {
  valid: number;
  invalid: number;
  stored: number;
}

/** Posting helpers over the test's relay, counting what was accepted and refused across the file. */
const it = relayTest.extend<{
  relayConfig: Partial<RelayConfigInput>;
  counts: Counts;
  accepts: (path: string, body: unknown) => Promise<Alert[]>;
  refuses: (path: string, body: unknown, field: string) => Promise<void>;
}>({
  relayConfig: { rateLimit: { alertsPerSecond: 1_000_000, burst: 1_000_000 }, dedupWindowS: 0, ingestWorkers: 2 },
  counts: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const counts = { valid: 0, invalid: 0, stored: 0 };
      await use(counts);
      console.log(`ingest properties: ${counts.valid} valid bodies (${counts.stored} alerts stored, all console-valid), ${counts.invalid} invalid bodies refused with a field named, 0 crashes`);
    },
    { scope: 'file' },
  ],
  accepts: async ({ relay, counts }, use) => {
    await use(async (path, body) => {
      const before = relay.store.lastSeq();
      const r = await post(`${relay.url}${path}`, JSON.stringify(body));
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(202);
      const stored = relay.store.readAfter(before, 100_000);
      for (const a of stored) expect(AlertSchema.safeParse(a).success).toBe(true);
      counts.valid++;
      counts.stored += stored.length;
      return stored;
    });
  },
  refuses: async ({ relay, counts }, use) => {
    await use(async (path, body, field) => {
      const before = JSON.stringify({ last: relay.store.lastSeq(), n: relay.store.count() });
      const r = await post(`${relay.url}${path}`, JSON.stringify(body));
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(String(r.body.message)).toContain(field);
      expect(JSON.stringify({ last: relay.store.lastSeq(), n: relay.store.count() })).toBe(before);
      counts.invalid++;
    });
  },
});

describe('ingest properties (fast-check, real relay over HTTP)', () => {
  it('accepts every valid Alertmanager payload, storing one console-valid alert per alert', async ({ accepts }) => {
    await fc.assert(
      fc.asyncProperty(amPayload, async (p) => {
        const stored = await accepts('/v1/alertmanager', p);
        expect(stored).toHaveLength(p.alerts.length);
      }),
      { numRuns: 60 },
    );
  });

  it('accepts every valid PagerDuty trigger and native body', async ({ accepts }) => {
    await fc.assert(fc.asyncProperty(pdTrigger, async (e) => void expect(await accepts('/v1/pagerduty', e)).toHaveLength(1)), { numRuns: 80 });
    await fc.assert(
      fc.asyncProperty(nativeBody, async (b) => {
        const stored = await accepts('/v1/alerts', b);
        expect(stored).toHaveLength('alerts' in b ? b.alerts.length : 1);
      }),
      { numRuns: 80 },
    );
  });

  it('gives an Alertmanager alert without a fingerprint the same key whatever the order of its labels', () => {
    fc.assert(
      fc.property(amPayload, fc.nat(), (p, seed) => {
        const plain = { ...p, alerts: p.alerts.map(({ fingerprint: _f, ...a }) => a) };
        const shuffled = { ...plain, alerts: plain.alerts.map((a) => ({ ...a, labels: Object.fromEntries(Object.entries(a.labels).sort(() => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3) - 1)) })) };
        const policy = { map: { warning: 'SEV3' as const }, fallback: 'SEV3' as const };
        const k1 = fromAlertmanager(AlertmanagerSchema.parse(plain), policy, '2026-11-23T00:00:00Z').map((a) => a.key);
        const k2 = fromAlertmanager(AlertmanagerSchema.parse(shuffled), policy, '2026-11-23T00:00:00Z').map((a) => a.key);
        expect(k2).toEqual(k1);
      }),
      { numRuns: 200 },
    );
  });

  const how = fc.constantFrom('delete', 'number', 'array', 'null') as fc.Arbitrary<'delete' | 'number' | 'array' | 'null'>;

  it('refuses an Alertmanager payload with a broken required field with 4xx naming the field, storing nothing', async ({ refuses }) => {
    await fc.assert(
      fc.asyncProperty(amPayload, fc.constantFrom('version', 'status', 'alerts', 'status@alert', 'labels@alert', 'startsAt@alert'), how, fc.nat(), async (p, f, h, i) => {
        const n = i % p.alerts.length;
        const path = f.endsWith('@alert') ? ['alerts', n, f.split('@')[0]!] : [f];
        const field = f.endsWith('@alert') ? `alerts[${n}].${f.split('@')[0]}` : f;
        await refuses('/v1/alertmanager', breakField(p as unknown as Record<string, unknown>, path, h), field);
      }),
      { numRuns: 120, endOnFailure: true },
    );
  });

  it('refuses a PagerDuty event and a native body with a broken required field with 4xx naming the field', async ({ refuses }) => {
    await fc.assert(
      fc.asyncProperty(pdTrigger, fc.constantFrom<string[]>(['routing_key'], ['event_action'], ['payload', 'summary'], ['payload', 'source'], ['payload', 'severity']), fc.constantFrom('number', 'array', 'null', 'enum', 'delete') as fc.Arbitrary<'number'>, async (e, path, h) => {
        if (h === ('enum' as string) && !['event_action', 'severity'].includes(path.at(-1)!)) return;
        if (h === ('delete' as string) && path[0] === 'event_action') return; // then it is not a trigger at all
        await refuses('/v1/pagerduty', breakField(e as unknown as Record<string, unknown>, path, h), path.join('.'));
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(nativeOne, { minLength: 1, maxLength: 8 }), fc.constantFrom('key', 'severity', 'summary', 'service'), how, fc.nat(), async (list, f, h, i) => {
        const n = i % list.length;
        await refuses('/v1/alerts', breakField({ alerts: list }, ['alerts', n, f], h), `alerts[${n}].${f}`);
      }),
      { numRuns: 100 },
    );
  });

  it('answers the same whether a body is parsed on a worker thread or on the relay\'s own', async () => {
    const policy = { map: { critical: 'SEV1' as const, warning: 'SEV3' as const }, fallback: 'SEV2' as const };
    const limits = { maxAlertsPerRequest: 10_000, maxAlertBytes: 64 * 1024 };
    const parser = new DeliveryParser({ workers: 1, policy, limits, log: () => undefined });
    try {
      await waitFor(() => parser.running === 1, 15_000, 'the parsing worker ready');
      const outcome = async (f: () => Promise<Delivery> | Delivery) => {
        try {
          return { delivery: await f() };
        } catch (err) {
          expect(err).toBeInstanceOf(HttpError);
          const e = err as HttpError;
          return { refused: { status: e.status, code: e.code, message: e.message, headers: e.headers } };
        }
      };
      const broken = fc.tuple(amPayload, fc.constantFrom<(string | number)[]>(['version'], ['alerts'], ['alerts', 0, 'labels'], ['alerts', 0, 'startsAt']), how).map(([p, path, h]) => breakField(p as unknown as Record<string, unknown>, path, h));
      const bodies = fc.oneof(
        amPayload.map((b) => ['alertmanager', JSON.stringify(b)] as const),
        broken.map((b) => ['alertmanager', JSON.stringify(b)] as const),
        // a trigger without a dedup_key is given a random one (as PagerDuty does): the same body twice differs only there
        pdTrigger.map((b) => ['pagerduty', JSON.stringify({ ...b, dedup_key: b.dedup_key ?? 'given' })] as const),
        nativeBody.map((b) => ['native', JSON.stringify(b)] as const),
        fc.tuple(fc.constantFrom('alertmanager', 'pagerduty', 'native') as fc.Arbitrary<AlertSource>, fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'))),
      );
      let same = 0;
      await fc.assert(
        fc.asyncProperty(bodies, async ([source, text]) => {
          const raw = Buffer.from(text);
          const at = '2026-11-24T03:00:00.000Z';
          const there = await outcome(() => parser.parse(source, raw, undefined, at));
          const here = await outcome(() => parseDelivery(source, raw, policy, () => undefined, at, limits));
          expect(there).toEqual(here);
          same++;
        }),
        { numRuns: 300 },
      );
      expect(parser.running).toBe(1); // and every one of them went through the worker
      console.log(`ingest properties: ${same} bodies answered the same on a worker thread as on the relay's thread`);
    } finally {
      await parser.close();
    }
  });

  it('answers any bytes at all with 4xx, never 5xx, and stores nothing', async ({ relay, counts }) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/alertmanager', '/v1/pagerduty', '/v1/alerts'), fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null'))), async (path, body) => {
        const before = relay.store.count();
        const r = await post(`${relay.url}${path}`, body);
        if (r.status === 202) return; // a random JSON value can happen to be valid only for… nothing: all three need objects with required fields
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(relay.store.count()).toBe(before);
        counts.invalid++;
      }),
      { numRuns: 200 },
    );
  });
});
