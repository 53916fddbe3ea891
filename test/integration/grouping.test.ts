// Incidents as the sources group them. The test data is Alertmanager's webhook
// payload as its documentation defines it (version 4, groupKey, cumulative
// snapshots of a group's alerts, each alert with its own status and
// fingerprint), normalised by the relay, then handed to the console's engine.
// The model the engine is checked against is written from that definition:
// an alert's state is the last status its group sent for it; an alert left
// out of a later snapshot keeps its state; an incident is open while any of
// its alerts fires.
import { describe, expect } from 'vitest';
import fc from 'fast-check';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { AlertmanagerSchema, fromAlertmanager } from '../../src/relay/normalize.js';
import { consoleTest } from '../support/fixtures.js';

const POLICY = { map: { critical: 'SEV1', warning: 'SEV3' }, fallback: 'SEV2' } as const;

interface AmAlert { fingerprint: string; status: 'firing' | 'resolved'; labels: Record<string, string> }

/** One webhook delivery of a group, as Alertmanager sends it. */
function webhook(groupLabels: Record<string, string>, alerts: AmAlert[], extra: Record<string, unknown> = {}) {
  const groupKey = `{}:{${Object.entries(groupLabels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'oncall-relay',
    groupLabels,
    commonLabels: groupLabels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.hospital.example:9093',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: { ...groupLabels, ...a.labels },
      annotations: { summary: `${groupLabels.alertname} on ${a.labels.instance ?? a.fingerprint}` },
      startsAt: '2026-11-22T07:59:00.000Z',
      endsAt: a.status === 'resolved' ? '2026-11-22T08:00:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.hospital.example/graph',
      fingerprint: a.fingerprint,
    })),
    ...extra,
  };
}

/** What the relay would stream for a delivery: normalised, numbered. */
function relayed(body: unknown, next: () => number): Alert[] {
  const parsed = AlertmanagerSchema.parse(body);
  return fromAlertmanager(parsed, POLICY, '2026-11-22T08:00:00.000Z').map((a) => ({ ...a, relayId: 'relay-1', seq: next(), receivedAt: '2026-11-22T08:00:00.000Z' }));
}

const it = consoleTest.extend<{ deliver: (body: unknown) => void }>({
  deliver: async ({ oncall }, use) => {
    let seq = 0;
    await use((body) => {
      const alerts = relayed(body, () => ++seq);
      oncall.services().feedStore.storePage('relay-1', alerts);
      oncall.services().incidents.ingest(alerts);
    });
  },
});

const host = (i: number): AmAlert => ({ fingerprint: `f${i.toString(16).padStart(15, '0')}`, status: 'firing', labels: { instance: `host-${i}:9100`, severity: 'warning' } });

function openIncidents(oncall: OnCallConsole) {
  return oncall.services().incidents.list({ state: 'open' });
}

describe('incidents grouped as Alertmanager groups them', () => {
  it('makes one incident per group, with every alert of the group in it and one page', async ({ oncall, deliver, pages }) => {
    const group = { alertname: 'InferenceLatencyHigh', service: 'sepsis-model' };
    deliver(webhook(group, Array.from({ length: 100 }, (_, i) => host(i))));
    const open = openIncidents(oncall);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ alertCount: 100, firingCount: 100, severity: 'SEV3' });
    expect(pages.filter((p) => p.reason === 'new')).toHaveLength(1);
  });

  it('does not resolve an alert a later snapshot leaves out; resolves it on its own resolved; the incident resolves when the last one does', async ({ oncall, deliver }) => {
    const group = { alertname: 'FeatureStoreDown', service: 'feature-store' };
    const [a, b] = [host(1), host(2)];
    deliver(webhook(group, [a, b]));
    deliver(webhook(group, [a])); // b left out: not resolved by absence
    let i = openIncidents(oncall)[0]!;
    expect(i).toMatchObject({ alertCount: 2, firingCount: 2, state: 'triggered' });
    deliver(webhook(group, [a, { ...b, status: 'resolved' }]));
    i = oncall.services().incidents.get(i.id);
    expect(i).toMatchObject({ alertCount: 2, firingCount: 1, state: 'triggered' });
    deliver(webhook(group, [{ ...a, status: 'resolved' }]));
    expect(oncall.services().incidents.get(i.id).state).toBe('resolved');
  });

  it('takes its severity from the worst firing alert: raised (and paged) when a critical joins, lowered when it resolves', async ({ oncall, deliver, pages }) => {
    const group = { alertname: 'ModelDrift', service: 'triage-model' };
    const warn = host(1);
    const crit = { ...host(2), labels: { instance: 'host-2:9100', severity: 'critical' } };
    deliver(webhook(group, [warn]));
    const id = openIncidents(oncall)[0]!.id;
    deliver(webhook(group, [warn, crit]));
    expect(oncall.services().incidents.get(id).severity).toBe('SEV1');
    expect(pages.filter((p) => p.incidentId === id)).toHaveLength(2); // opened, then raised
    deliver(webhook(group, [warn, { ...crit, status: 'resolved' }]));
    expect(oncall.services().incidents.get(id)).toMatchObject({ severity: 'SEV3', firingCount: 1, state: 'triggered' });
  });

  it('keeps the truncatedAlerts Alertmanager reports, and shows each alert with its state in the detail', async ({ oncall, deliver }) => {
    const group = { alertname: 'GpuMemoryPressure', service: 'imaging-model' };
    deliver(webhook(group, [host(1), host(2), host(3)], { truncatedAlerts: 497 }));
    const i = openIncidents(oncall)[0]!;
    expect(i.truncatedAlerts).toBe(497);
    deliver(webhook(group, [{ ...host(3), status: 'resolved' }]));
    const d = oncall.services().incidents.detail(i.id);
    expect(d.members.total).toBe(3);
    expect(d.members.alerts.map((m) => m.status).sort()).toEqual(['firing', 'firing', 'resolved']);
    expect(d.members.alerts.every((m) => m.firstSeen && m.lastSeen && m.repeats >= 1)).toBe(true);
  });

  it('two groups holding the same alert (routes with continue) are two incidents; its resolve in one does not touch the other', async ({ oncall, deliver }) => {
    const shared = host(7);
    deliver(webhook({ alertname: 'Down', service: 'ehr-bridge' }, [shared]));
    deliver(webhook({ alertname: 'Down' }, [shared]));
    expect(openIncidents(oncall)).toHaveLength(2);
    deliver(webhook({ alertname: 'Down', service: 'ehr-bridge' }, [{ ...shared, status: 'resolved' }]));
    expect(openIncidents(oncall)).toHaveLength(1);
  });

  it('property: after any sequence of snapshots, each group is one open incident exactly while one of its alerts last said firing', async ({ oncall, deliver }) => {
    const groups = [{ alertname: 'A', service: 's1' }, { alertname: 'B', service: 's1' }, { alertname: 'A', service: 's2' }];
    const snapshot = fc.record({
      group: fc.integer({ min: 0, max: groups.length - 1 }),
      alerts: fc.uniqueArray(fc.record({ n: fc.integer({ min: 0, max: 7 }), resolved: fc.boolean() }), { selector: (a) => a.n, minLength: 1, maxLength: 8 }),
    });
    let run = 0;
    let checked = 0;
    await fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 25 }), (snaps) => {
        run++;
        // a fresh set of groups for each run: a service name no earlier run used
        const gs = groups.map((g) => ({ ...g, service: `${g.service}-r${run}` }));
        const model = new Map<number, Map<number, 'firing' | 'resolved'>>();
        const everOpen = new Set<number>();
        for (const s of snaps) {
          const alerts = s.alerts.map((a) => ({ ...host(a.n), status: a.resolved ? ('resolved' as const) : ('firing' as const) }));
          deliver(webhook(gs[s.group]!, alerts));
          const m = model.get(s.group) ?? new Map<number, 'firing' | 'resolved'>();
          const wasOpen = [...m.values()].some((v) => v === 'firing');
          // an incident holds the alerts seen since it opened; a resolved alert of a closed group opens nothing
          if (!wasOpen) m.clear();
          for (const a of s.alerts) if (wasOpen || m.size > 0 || !a.resolved) m.set(a.n, a.resolved ? 'resolved' : 'firing');
          if (!wasOpen && ![...m.values()].some((v) => v === 'firing')) m.clear();
          model.set(s.group, m);
          if ([...m.values()].some((v) => v === 'firing')) everOpen.add(s.group);
        }
        const open = openIncidents(oncall).filter((i) => i.service.endsWith(`-r${run}`));
        for (const [g, m] of model) {
          const firing = [...m.values()].filter((v) => v === 'firing').length;
          const mine = open.filter((i) => i.service === gs[g]!.service && i.summary.startsWith(`${gs[g]!.alertname} `));
          if (firing === 0) expect(mine).toHaveLength(0);
          else {
            expect(mine).toHaveLength(1);
            expect(mine[0]!.firingCount).toBe(firing);
            checked++;
          }
        }
      }),
      { numRuns: 60 },
    );
    console.log(`grouping property: ${run} runs, ${checked} open groups checked against the model`);
  });
});

describe('a grouping rule for native alerts (--group-by service, 5 min window)', () => {
  const ruled = consoleTest.override({ consoleArgv: ['--group-by', 'service', '--group-window-min', '5'] });
  ruled('alerts of one service within the window are one incident; after a quiet window the same service opens a new one', async ({ oncall, operator, alert }) => {
    expect(operator.userId).toBeTruthy();
    const at = (min: number) => new Date(Date.parse('2026-11-22T08:00:00.000Z') + min * 60_000).toISOString();
    const s = oncall.services();
    const put = (list: ReturnType<typeof alert>[]) => {
      s.feedStore.storePage('relay-1', list);
      s.incidents.ingest(list);
    };
    put([alert('ward-3-monitor', { service: 'telemetry', receivedAt: at(0) }), alert('ward-4-monitor', { service: 'telemetry', receivedAt: at(2) }), alert('lab-feed', { service: 'lis-bridge', receivedAt: at(3) })]);
    put([alert('ward-5-monitor', { service: 'telemetry', receivedAt: at(6) })]); // 4 min after the last: joins
    let open = s.incidents.list();
    expect(open.map((i) => [i.service, i.alertCount]).sort()).toEqual([['lis-bridge', 1], ['telemetry', 3]]);
    put([alert('ward-6-monitor', { service: 'telemetry', receivedAt: at(12) })]); // 6 min quiet: a new incident
    open = s.incidents.list();
    expect(open.filter((i) => i.service === 'telemetry').map((i) => i.alertCount).sort()).toEqual([1, 3]);
    // an alert's own resolve finds its incident by its key
    expect(s.incidents.findOpen('ward-4-monitor')?.alertCount).toBe(3);
  });
});
