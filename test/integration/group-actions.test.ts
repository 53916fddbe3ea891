// What a person does to alerts inside an incident and to a selection of
// incidents, here and at another console on the same relay: per-alert
// acknowledge and resolve, bulk acknowledge, the acknowledgement timeout and
// snooze presets. Alertmanager's webhook body is the documented one.
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Alert } from '../../src/shared/domain/alert.js';
import { AlertmanagerSchema, fromAlertmanager } from '../../src/relay/normalize.js';
import { consoleTest, relayTest } from '../support/fixtures.js';
import { post, TOKENS, waitFor } from '../support/relay-fixture.js';

function amBody(group: string, hosts: number[], status: 'firing' | 'resolved' = 'firing', severity = 'critical') {
  const groupLabels = { alertname: group, service: 'radiology-ai' };
  return {
    version: '4',
    groupKey: `{}:{alertname="${group}", service="radiology-ai"}`,
    status,
    receiver: 'oncall-relay',
    groupLabels,
    commonLabels: groupLabels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: hosts.map((h) => ({
      status,
      labels: { ...groupLabels, instance: `node-${h}:9100`, severity },
      annotations: { summary: `${group} on node-${h}` },
      startsAt: '2026-11-22T07:59:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      // Alertmanager's fingerprint is a hash of the alert's whole label set: other labels, another fingerprint
      fingerprint: createHash('sha256').update(`${group}/${h}/${severity}`).digest('hex').slice(0, 16),
    })),
  };
}

const POLICY = { map: { critical: 'SEV1', warning: 'SEV3' }, fallback: 'SEV2' } as const;

const it = consoleTest.extend<{ deliver: (body: unknown) => void }>({
  deliver: async ({ oncall }, use) => {
    let seq = 0;
    await use((body) => {
      const alerts: Alert[] = fromAlertmanager(AlertmanagerSchema.parse(body), POLICY, '2026-11-22T08:00:00.000Z').map((a) => ({ ...a, relayId: 'relay-1', seq: ++seq, receivedAt: '2026-11-22T08:00:00.000Z' }));
      oncall.services().feedStore.storePage('relay-1', alerts);
      oncall.services().incidents.ingest(alerts);
    });
  },
});

describe('actions on alerts inside an incident', () => {
  it('acknowledges one alert without acknowledging the incident; the last one acknowledges it; each is audited with an outbox row naming the alert', async ({ oncall, operator, deliver }) => {
    deliver(amBody('ScannerQueueStuck', [1, 2]));
    const s = oncall.services().incidents;
    const id = s.list()[0]!.id;
    const keys = s.detail(id).members.alerts.map((m) => m.key);
    s.alertAction(id, keys[0]!, 'acknowledge', operator);
    expect(s.get(id).state).toBe('triggered');
    expect(s.detail(id).members.alerts.find((m) => m.key === keys[0])!.acknowledgedBy).toContain('rn.jones');
    s.alertAction(id, keys[1]!, 'acknowledge', operator);
    expect(s.get(id).state).toBe('acknowledged');
    const outbox = s.pendingOutbox().map((o) => o.payload);
    expect(outbox).toHaveLength(2);
    expect(outbox.every((p) => p.scope === 'alerts' && p.alertKeys!.length === 1 && p.action === 'acknowledge')).toBe(true);
    expect(oncall.services().audit.list({ action: 'incident.alert_acknowledged' }, 10).records).toHaveLength(2);
  });

  it('resolves one alert by hand: the incident stays open with the count, its severity eases; the last resolves it', async ({ oncall, operator, deliver }) => {
    deliver(amBody('ScannerQueueStuck', [1]));
    deliver(amBody('ScannerQueueStuck', [2], 'firing', 'warning'));
    const s = oncall.services().incidents;
    const id = s.list()[0]!.id;
    expect(s.get(id)).toMatchObject({ severity: 'SEV1', alertCount: 2, firingCount: 2 });
    const critical = s.detail(id).members.alerts.find((m) => m.severity === 'SEV1')!.key;
    s.alertAction(id, critical, 'resolve', operator);
    expect(s.get(id)).toMatchObject({ state: 'triggered', severity: 'SEV3', firingCount: 1 });
    const other = s.detail(id).members.alerts.find((m) => m.status === 'firing')!.key;
    expect(() => s.alertAction(id, critical, 'resolve', operator)).toThrow(/already resolved/);
    expect(() => s.alertAction(id, 'am:nope', 'resolve', operator)).toThrow(/holds no alert/);
    s.alertAction(id, other, 'resolve', operator);
    expect(s.get(id).state).toBe('resolved');
  });

  it('bulk-acknowledges a selection in one go, naming what it left and why', async ({ oncall, operator, deliver }) => {
    for (const g of ['A', 'B', 'C', 'D']) deliver(amBody(`Storm${g}`, [1, 2, 3]));
    const s = oncall.services().incidents;
    const ids = s.list().map((i) => i.id);
    s.acknowledge(ids[0]!, operator);
    const r = s.acknowledgeMany([...ids, 'MAI-20991231-000000'], operator);
    expect(r.acknowledged.sort()).toEqual(ids.slice(1).sort());
    expect(r.skipped).toEqual([{ id: ids[0], reason: 'already acknowledged' }, { id: 'MAI-20991231-000000', reason: 'no such incident' }]);
    expect(s.list().every((i) => i.state === 'acknowledged')).toBe(true);
    expect(s.pendingOutbox()).toHaveLength(4);
    expect(s.pendingOutbox().every((o) => o.payload.alertKeys?.length === 3)).toBe(true);
    expect(() => s.acknowledgeMany(ids, null)).toThrow(/sign in/);
  });
});

describe('the acknowledgement timeout', () => {
  it('an acknowledged SEV1 still open after 30 min returns to unacknowledged and pages again, audited; a SEV3 never does', async ({ oncall, operator, deliver, clock, pages }) => {
    deliver(amBody('VentilatorModelDown', [1]));
    deliver(amBody('TranscriptionSlow', [1], 'firing', 'warning'));
    const s = oncall.services().incidents;
    const [sev1, sev3] = [s.list().find((i) => i.severity === 'SEV1')!.id, s.list().find((i) => i.severity === 'SEV3')!.id];
    s.acknowledge(sev1, operator);
    s.acknowledge(sev3, operator);
    expect(s.get(sev1).ackExpiresAt).toBe(new Date(clock.now() + 30 * 60_000).toISOString());
    expect(s.get(sev3).ackExpiresAt).toBeNull();
    clock.advance(30 * 60_000 - 1);
    s.tick();
    expect(s.get(sev1).state).toBe('acknowledged');
    clock.advance(1);
    s.tick();
    expect(s.get(sev1).state).toBe('triggered');
    expect(s.get(sev3).state).toBe('acknowledged');
    expect(pages.filter((p) => p.reason === 'ack-timeout').map((p) => p.incidentId)).toEqual([sev1]);
    const audit = oncall.services().audit.list({ action: 'incident.ack_timeout' }, 5).records;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subjectId: sev1, operator: 'system' });
    expect(s.detail(sev1).timeline.some((e) => e.kind === 'ack.timeout' && e.text.includes('Rita Jones'))).toBe(true);
    // across a restart too: the time is stored
    s.acknowledge(sev1, operator);
    clock.advance(31 * 60_000);
    s.tick();
    expect(pages.filter((p) => p.reason === 'ack-timeout')).toHaveLength(2);
  });

  const configured = consoleTest.override({ consoleArgv: ['--ack-timeout-min', 'SEV1=5,SEV3=10'] });
  configured('is configured per severity', async ({ oncall }) => {
    expect(oncall.config.ackTimeoutMin).toEqual({ SEV1: 5, SEV2: 120, SEV3: 10 });
  });
});

describe('snooze presets', () => {
  it('snoozes for a preset or until a time, with the reason in the timeline and audit; refuses past a week', async ({ oncall, operator, deliver, clock }) => {
    deliver(amBody('ScannerQueueStuck', [1]));
    const s = oncall.services().incidents;
    const id = s.list()[0]!.id;
    s.snooze(id, 240, operator, 'vendor fixing the scanner');
    expect(s.get(id).snoozedUntil).toBe(new Date(clock.now() + 240 * 60_000).toISOString());
    const until = new Date(clock.now() + 9 * 3_600_000).toISOString();
    s.snooze(id, until, operator, 'until the morning team');
    expect(s.get(id).snoozedUntil).toBe(until);
    expect(s.detail(id).timeline.filter((e) => e.kind === 'snoozed').map((e) => e.text.split(': ').at(-1))).toEqual(['vendor fixing the scanner', 'until the morning team']);
    expect(oncall.services().audit.list({ action: 'incident.snoozed' }, 5).records.map((r) => JSON.stringify(r.details)).join()).toContain('until the morning team');
    expect(() => s.snooze(id, 8 * 24 * 60, operator)).toThrow(/a week/);
    expect(() => s.snooze(id, new Date(clock.now() - 60_000).toISOString(), operator)).toThrow(/a week/);
  });
});

describe('across consoles on one relay', () => {
  relayTest('a per-alert acknowledgement and a bulk acknowledgement reach the other console once', async ({ relay, relayConsole }) => {
    const a = await relayConsole('ward-a');
    const b = await relayConsole('ward-b', { token: TOKENS.wardB });
    for (const g of ['E', 'F']) expect((await post(`${relay.url}/v1/alertmanager`, JSON.stringify(amBody(`Relay${g}`, [1, 2])))).status).toBe(202);
    await waitFor(() => a.services().incidents.list().length === 2 && b.services().incidents.list().length === 2, 10_000, 'both consoles have 2 incidents');
    const opA = a.services().operator.signIn('rn.jones', 'Rita Jones');
    const [first, second] = a.services().incidents.list();
    const key = a.services().incidents.detail(first!.id).members.alerts[0]!.key;
    a.services().incidents.alertAction(first!.id, key, 'acknowledge', opA);
    const atB = () => b.services().incidents.list().find((i) => i.key === first!.key)!;
    await waitFor(() => b.services().incidents.detail(atB().id).members.alerts.some((m) => m.acknowledgedBy?.includes('ward-a')), 10_000, 'the alert acknowledged at ward-b');
    expect(atB().state).toBe('triggered');
    a.services().incidents.acknowledgeMany([first!.id, second!.id], opA);
    await waitFor(() => b.services().incidents.list().every((i) => i.state === 'acknowledged'), 10_000, 'both acknowledged at ward-b');
    await waitFor(() => a.services().incidents.pendingCount() === 0, 10_000, 'outbox drained');
    const remote = b.services().audit.list({}, 200).records.filter((r) => r.action.startsWith('incident.remote_'));
    console.log(`across consoles: ${remote.length} remote actions applied at ward-b (3 sent)`);
    expect(remote).toHaveLength(3);
  });
});

describe('merge and split', () => {
  it('merges incidents: their alerts join, their next alerts follow, they resolve as merged; splits an alert out into its own incident', async ({ oncall, operator, deliver }) => {
    deliver(amBody('PacsSlow', [1, 2], 'firing', 'warning'));
    deliver(amBody('PacsTimeout', [3]));
    const s = oncall.services().incidents;
    const into = s.list().find((i) => i.summary.startsWith('PacsSlow'))!;
    const from = s.list().find((i) => i.summary.startsWith('PacsTimeout'))!;
    const merged = s.merge(into.id, [from.id], operator);
    expect(merged).toMatchObject({ alertCount: 3, firingCount: 3, severity: 'SEV1' });
    expect(s.get(from.id).state).toBe('resolved');
    deliver(amBody('PacsTimeout', [4])); // the merged group's next alert follows it
    expect(s.list()).toHaveLength(1);
    expect(s.get(into.id).alertCount).toBe(4);
    expect(() => s.merge(into.id, [from.id], operator)).toThrow(/resolved/);

    const key = s.detail(into.id).members.alerts.find((m) => m.summary.includes('node-3'))!.key;
    const split = s.split(into.id, key, operator);
    expect(split).toMatchObject({ alertCount: 1, severity: 'SEV1', state: 'triggered' });
    expect(s.get(into.id).alertCount).toBe(3);
    deliver(amBody('PacsTimeout', [3])); // the split alert's repeat goes to its own incident
    expect(s.get(split.id).alertCount).toBe(1);
    expect(s.detail(split.id).members.alerts[0]!.repeats).toBe(2);
    const actions = oncall.services().audit.list({}, 50).records.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['incident.merged', 'incident.merged_into', 'incident.split', 'incident.split_from']));
    expect(s.pendingOutbox().map((o) => o.payload.action)).toEqual(['merge', 'split']);
  });

  relayTest('a merge and a split made at one console are made the same at the other', async ({ relay, relayConsole }) => {
    const a = await relayConsole('ward-a');
    const b = await relayConsole('ward-b', { token: TOKENS.wardB });
    for (const g of ['Merge1', 'Merge2']) await post(`${relay.url}/v1/alertmanager`, JSON.stringify(amBody(g, [1, 2])));
    await waitFor(() => a.services().incidents.list().length === 2 && b.services().incidents.list().length === 2, 10_000, 'both consoles have 2 incidents');
    const op = a.services().operator.signIn('rn.jones', 'Rita Jones');
    const [x, y] = a.services().incidents.list();
    a.services().incidents.merge(x!.id, [y!.id], op);
    await waitFor(() => b.services().incidents.list().length === 1 && b.services().incidents.list()[0]!.alertCount === 4, 10_000, 'merged at ward-b');
    const key = a.services().incidents.detail(x!.id).members.alerts[0]!.key;
    a.services().incidents.split(x!.id, key, op);
    await waitFor(() => b.services().incidents.list().map((i) => i.alertCount).sort().join() === '1,3', 10_000, () => `split at ward-b (${b.services().incidents.list().map((i) => i.alertCount)})`);
    expect(b.services().incidents.list().map((i) => i.key).sort()).toEqual(a.services().incidents.list().map((i) => i.key).sort());
  });
});
