// Alertmanager webhook bodies (payload version 4, as documented at
// prometheus.io/docs/alerting/latest/configuration/#webhook_config) read by the
// quick path and by the schema must come out as the same normalised alerts.
// Bodies are built from the documented fields, every optional one sometimes
// left out, then broken a field at a time with any JSON value; the quick path
// may decline anything (the schema then reads it), but what it reads must be
// what the schema would have made of it, and it must read every whole body.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { AlertmanagerSchema, fromAlertmanager, parseAlertmanager, quickAlertmanager } from '../../src/relay/normalize.js';

const text = fc.string({ unit: fc.oneof(fc.constantFrom('é', '😀', '"', '\u0000'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 12 });
const labels = fc.dictionary(fc.oneof(fc.constantFrom('alertname', 'severity', 'service', 'job', 'instance', 'runbook_url', 'summary', 'description', 'medical_severity'), text), text, { maxKeys: 6 });
const time = fc.oneof(fc.constant('2026-11-24T03:00:00.000Z'), fc.constant('0001-01-01T00:00:00Z'), text);

const alert = fc.record(
  {
    status: fc.constantFrom('firing', 'resolved'),
    labels,
    annotations: labels,
    startsAt: time,
    endsAt: time,
    generatorURL: text,
    fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), text),
  },
  { requiredKeys: ['status', 'labels', 'startsAt'] },
);
const wholeAlert = fc.record({ status: fc.constantFrom('firing', 'resolved'), labels, annotations: labels, startsAt: time, endsAt: time, generatorURL: text, fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/) });

const payload = (a: fc.Arbitrary<Record<string, unknown>>, required: string[]) =>
  fc.record(
    {
      version: fc.constant('4'),
      groupKey: text,
      truncatedAlerts: fc.nat(),
      status: fc.constantFrom('firing', 'resolved'),
      receiver: text,
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: labels,
      externalURL: text,
      alerts: fc.array(a, { minLength: 1, maxLength: 4 }),
      extra: fc.jsonValue(), // Alertmanager adds fields over time
    },
    { requiredKeys: required as never[] },
  );
const some = payload(alert, ['version', 'status', 'receiver', 'alerts']);
const whole = payload(wholeAlert, ['version', 'groupKey', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts']);

const FIELDS = ['version', 'groupKey', 'truncatedAlerts', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts'];
const ALERT_FIELDS = ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'];
const broken = fc.oneof(
  fc.tuple(some, fc.constantFrom(...FIELDS), fc.option(fc.jsonValue(), { nil: undefined })).map(([p, f, v]) => ({ ...p, [f]: v })),
  fc.tuple(some, fc.constantFrom(...ALERT_FIELDS), fc.option(fc.jsonValue(), { nil: undefined })).map(([p, f, v]) => ({ ...p, alerts: [...(p.alerts as object[]), { ...(p.alerts as object[])[0], [f]: v }] })),
  fc.tuple(some, fc.constantFrom('labels', 'annotations'), text, fc.jsonValue()).map(([p, f, k, v]) => ({ ...p, alerts: [{ ...(p.alerts as Record<string, object>[])[0], [f]: { ...((p.alerts as Record<string, object>[])[0]![f] ?? {}), [k]: v } }] })),
  fc.tuple(some, fc.constantFrom('groupLabels', 'commonLabels', 'commonAnnotations'), fc.constantFrom('__proto__', 'constructor', 'x'), fc.jsonValue()).map(([p, f, k, v]) => ({ ...p, [f]: JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v)}}`) as unknown })), // (JSON.parse makes an own __proto__ key)
  // values the schema replaces (truncatedAlerts it drops when not a whole number ≥ 0) and keys it drops (__proto__), where they count: without a groupKey the group is named by its labels
  fc.tuple(some, fc.oneof(fc.integer(), fc.double(), fc.constantFrom('5', '-1', null, true, 1e300))).map(([p, t]) => ({ ...p, truncatedAlerts: t })),
  fc.tuple(some, fc.constantFrom('groupLabels', 'commonLabels', 'commonAnnotations'), fc.oneof(text, fc.jsonValue())).map(([p, f, v]) => {
    const { groupKey: _, ...rest } = p;
    return { ...rest, [f]: JSON.parse(`{"__proto__":${JSON.stringify(v)},"x":"y"}`) as unknown };
  }),
  fc.jsonValue(),
);

const policy = { map: { critical: 'SEV1', error: 'SEV2', warning: 'SEV3' } as const, fallback: 'SEV3' as const };
const NOW = '2026-11-24T03:00:00.000Z';

describe('an Alertmanager body read quickly', () => {
  it('gives an alert without a usable startsAt the time it arrived, even as the first the relay reads', async () => {
    // the normaliser remembers the last usable time text (a group's alerts share one): a fresh module, as a relay starts
    vi.resetModules();
    const fresh = await import('../../src/relay/normalize.js');
    const body = { version: '4', status: 'firing', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: '' }, { status: 'firing', labels: { alertname: 'B' }, startsAt: 'yesterday' }] };
    const p = fresh.parseAlertmanager(body);
    expect(p.success && fresh.fromAlertmanager(p.data, policy, NOW).map((a) => a.startsAt)).toEqual([NOW, NOW]);
  });

  it('makes the same alerts as the schema, or declines and leaves it to the schema', () => {
    let quick = 0;
    let declined = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(some, whole, broken), (v) => {
        const body = JSON.parse(JSON.stringify(v)) as unknown; // as it arrives: parsed JSON
        const schema = AlertmanagerSchema.safeParse(body);
        const got = parseAlertmanager(body);
        expect(got.success).toBe(schema.success);
        if (!schema.success) refused++;
        if (got.success && schema.success) expect(fromAlertmanager(got.data, policy, NOW)).toEqual(fromAlertmanager(schema.data, policy, NOW));
        if (!got.success && !schema.success) expect(got.error.issues).toEqual(schema.error.issues);
        const q = quickAlertmanager(body);
        if (q) {
          quick++;
          expect(schema.success).toBe(true);
        } else if (schema.success) declined++;
      }),
      { numRuns: 3000 },
    );
    console.log(`Alertmanager bodies: ${quick} read quickly, ${declined} valid ones left to the schema, ${refused} refused by both`);
    expect(quick).toBeGreaterThan(500);
  });

  it('reads every whole body as Alertmanager sends it quickly (but for a label named __proto__)', () => {
    fc.assert(
      fc.property(whole, (v) => {
        const text = JSON.stringify(v);
        fc.pre(!text.includes('"__proto__"')); // a label named __proto__ is left to the schema (it drops it)
        expect(quickAlertmanager(JSON.parse(text))).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});
