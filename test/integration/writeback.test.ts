// Acknowledgements written back to the sources: a real Alertmanager (Debian's)
// gets a silence matching exactly the incident's alerts, checked through its
// own API; and PagerDuty, whose Events API v2 is played by a local server
// implementing its documented contract (202 / 400 / 429).
import { writeFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import type { OnCallConsole } from '../../src/main/core/console.js';
import type { Relay } from '../../src/relay/server.js';
import type { RelayConfigInput } from '../../src/relay/config.js';
import { silenceMatchers } from '../../src/relay/writeback.js';
import { consoleTest } from '../support/fixtures.js';
import { startAlertmanager, freePort, type AlertmanagerProcess } from '../support/alertmanager.js';
import { startPagerDutyEvents } from '../support/pagerduty-events.js';
import { post, startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';
import { FakeClock, testConsole } from '../helpers.js';
import { Relay as RelayServer } from '../../src/relay/server.js';
import { parseRelayConfig } from '../../src/relay/config.js';

/** Each test's own folder and what it started, stopped in reverse order before the folder goes. */
const it = consoleTest.extend<{ later: (stop: () => Promise<unknown> | unknown) => void }>({
  later: async ({ dir }, use) => {
    expect(dir).toBeTruthy(); // the folder is torn down after this fixture
    const stops: (() => Promise<unknown> | unknown)[] = [];
    await use((stop) => stops.push(stop));
    for (const stop of stops.reverse()) await stop();
  },
});

async function consoleOn(dir: string, relay: Relay, later: (stop: () => unknown) => void, name = 'ward-a', token = TOKENS.wardA): Promise<OnCallConsole> {
  const tokenFile = `${dir}/${name}.token`;
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const c = testConsole(`${dir}/${name}`, { tickMs: 200 }, ['--relay-url', relay.streamUrl, '--relay-token-file', tokenFile, '--relay-ping-ms', '300']);
  await c.start();
  later(() => c.stop());
  return c;
}

interface AmSilence { id: string; status: { state: string }; matchers: { name: string; value: string; isRegex: boolean }[]; createdBy: string; comment: string; endsAt: string }
interface AmAlert { labels: Record<string, string>; status: { silencedBy: string[]; state: string } }

async function silences(am: AlertmanagerProcess): Promise<AmSilence[]> {
  return (await (await fetch(`${am.url}/api/v2/silences`)).json()) as AmSilence[];
}
async function amAlerts(am: AlertmanagerProcess): Promise<AmAlert[]> {
  return (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
}

function storm(groups: string[], perGroup: number) {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  return groups.flatMap((g) =>
    Array.from({ length: perGroup }, (_, i) => ({
      labels: { alertname: g, service: 'pathology-ai', instance: `slide-scanner-${i}.lab:9100`, severity: 'critical' },
      annotations: { summary: `${g} on scanner ${i}` },
      startsAt,
    })),
  );
}

describe('write-back to a real Alertmanager', () => {
  it('an acknowledgement silences exactly its incident\'s alerts; resolving expires it; an ack while Alertmanager is down is a silence once it is back', async ({ dir, later }) => {
    const amPort = await freePort();
    const amUrl = `http://127.0.0.1:${amPort}`;
    const relay = await startRelay(`${dir}/relay`, { writeBack: { alertmanagerUrls: [amUrl], retry: { initialMs: 200, maxMs: 1000 }, intervalMs: 200 } });
    later(() => relay.close());
    const route = ["  group_by: ['alertname', 'service']", '  group_wait: 500ms', '  group_interval: 1s', '  repeat_interval: 1h'].join('\n');
    let am = await startAlertmanager(`${dir}/am`, `${relay.url}/v1/alertmanager`, route, amPort);
    later(() => am.stop());
    const oncall = await consoleOn(dir, relay, later);
    const operator = oncall.services().operator.signIn('rn.jones', 'Rita Jones');
    await am.postAlerts(storm(['SlideScanFailed', 'StainQcDrift', 'TissueModelDown'], 5));
    const incidents = () => oncall.services().incidents.list({ state: 'all' });
    await waitFor(() => incidents().length === 3 && incidents().every((i) => i.alertCount === 5), 30_000, () => `3 incidents of 5 (${incidents().map((i) => i.alertCount).join(',')})`);
    const target = incidents().find((i) => i.summary.startsWith('SlideScanFailed'))!;

    oncall.services().incidents.acknowledge(target.id, operator);
    let silencesNow: AmSilence[] = [];
    const poll = async (cond: () => boolean, what: string) => {
      const end = Date.now() + 20_000;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out: ${what}`);
        await new Promise((r) => setTimeout(r, 200));
        silencesNow = await silences(am);
      }
    };
    await poll(() => silencesNow.some((s) => s.status.state === 'active'), 'an active silence in Alertmanager');
    const silence = silencesNow.find((s) => s.status.state === 'active')!;
    expect(silence.createdBy).toBe('oncall-console:rn.jones');
    expect(silence.comment).toContain(target.id);
    expect(silence.comment).toContain('Rita Jones');
    expect(Date.parse(silence.endsAt) - Date.now()).toBeGreaterThan(55 * 60_000);
    // exactly that incident's alerts: Alertmanager itself says which alerts the silence holds
    let silenced: AmAlert[] = [];
    for (let i = 0; i < 50; i++) {
      silenced = (await amAlerts(am)).filter((a) => a.status.silencedBy.includes(silence.id));
      if (silenced.length === 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const all = await amAlerts(am);
    console.log(`alertmanager write-back: silence ${silence.id} holds ${silenced.length} of ${all.length} alerts; matchers ${silence.matchers.map((m) => `${m.name}${m.isRegex ? '=~' : '='}${m.value.length > 30 ? `${m.value.slice(0, 30)}…` : m.value}`).join(', ')}`);
    expect(silenced).toHaveLength(5);
    expect(silenced.every((a) => a.labels.alertname === 'SlideScanFailed')).toBe(true);
    expect(all.filter((a) => a.status.silencedBy.length > 0)).toHaveLength(5);
    await waitFor(() => oncall.services().incidents.detail(target.id).timeline.some((e) => e.kind === 'writeback.silence.created' && e.text.includes(silence.id)), 10_000, 'the silence id in the incident timeline');

    // resolving in the console expires it
    oncall.services().incidents.resolve(target.id, operator);
    await poll(() => silencesNow.find((s) => s.id === silence.id)?.status.state === 'expired', 'the silence expired');
    await waitFor(() => oncall.services().incidents.detail(target.id).timeline.some((e) => e.kind === 'writeback.silence.expired'), 10_000, 'expiry in the timeline');

    // Alertmanager down when the acknowledgement happens: queued at the relay, a silence once it is back
    await am.stop();
    const second = incidents().find((i) => i.summary.startsWith('StainQcDrift'))!;
    oncall.services().incidents.acknowledge(second.id, operator);
    await waitFor(() => (relay.store.writeBackCounts()['alertmanager.pending'] ?? 0) === 1 && relay.store.dueWriteBacks(Number.MAX_SAFE_INTEGER, 5).some((j) => j.attempts > 0), 10_000, 'a pending, retried write-back');
    am = await startAlertmanager(`${dir}/am`, `${relay.url}/v1/alertmanager`, route, amPort);
    await poll(() => silencesNow.some((s) => s.status.state === 'active' && s.matchers.some((m) => m.value === 'StainQcDrift')), 'the queued silence after Alertmanager came back');
    const counts = relay.store.writeBackCounts();
    console.log(`alertmanager write-back while down: ${JSON.stringify(counts)}`);
    expect(counts['alertmanager.done']).toBe(3);
    expect(counts['alertmanager.failed']).toBeUndefined();
  }, 90_000);
});

describe('a silence kept while its alerts fire', () => {
  it('is extended before it runs out while the alerts fire, and left to lapse once they resolved', async ({ dir, later }) => {
    const amPort = await freePort();
    const clock = new FakeClock(Date.now());
    const relay = new RelayServer(parseRelayConfig({ dataDir: `${dir}/relay`, listen: { host: '127.0.0.1', port: 0 }, consoles: [{ id: 'ward-a', token: TOKENS.wardA }], writeBack: { alertmanagerUrls: [`http://127.0.0.1:${amPort}`], silenceMinutes: 5, intervalMs: 100, sourceCheckMs: 500 } }), clock);
    await relay.start();
    later(() => relay.close());
    const am = await startAlertmanager(`${dir}/am`, `${relay.url}/v1/alertmanager`, ["  group_by: ['alertname']", '  group_wait: 200ms', '  group_interval: 1s', '  repeat_interval: 1h'].join('\n'), amPort);
    later(() => am.stop());
    const oncall = await consoleOn(dir, relay, later);
    const operator = oncall.services().operator.signIn('rn.jones', 'Rita Jones');
    await am.postAlerts(storm(['InfusionModelLag'], 3));
    await waitFor(() => oncall.services().incidents.list()[0]?.alertCount === 3, 20_000, 'the incident');
    const id = oncall.services().incidents.list()[0]!.id;
    oncall.services().incidents.acknowledge(id, operator);
    let list: AmSilence[] = [];
    for (let i = 0; i < 100 && !list.some((s) => s.status.state === 'active'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = await silences(am);
    }
    const first = list.find((s) => s.status.state === 'active')!;
    expect(first).toBeTruthy();
    clock.advance(3 * 60_000); // 2 min left of 5: inside the lead, the alerts still fire
    await waitFor(() => oncall.services().incidents.detail(id).timeline.some((e) => e.kind === 'writeback.silence.extended'), 10_000, 'an extension');
    const after = (await silences(am)).find((s) => s.id === first.id)!;
    console.log(`silence ${first.id}: ends ${first.endsAt} → ${after.endsAt} (${after.status.state})`);
    expect(Date.parse(after.endsAt) - Date.parse(first.endsAt)).toBeGreaterThanOrEqual(3 * 60_000 - 1000);
    expect(after.status.state).toBe('active');
    // the alerts resolve: Alertmanager sends nothing for silenced alerts, so the relay asks it; the incident resolves and the silence is no longer extended
    await am.postAlerts(storm(['InfusionModelLag'], 3).map((a) => ({ ...a, endsAt: new Date(Date.now() - 1000).toISOString() })));
    await waitFor(() => oncall.services().incidents.get(id).state === 'resolved', 20_000, 'resolved at the source');
    clock.advance(3 * 60_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(relay.store.activeSilences()).toHaveLength(0);
    expect((await silences(am)).find((s) => s.id === first.id)!.endsAt).toBe(after.endsAt);
  }, 60_000);
});

describe('write-back to PagerDuty (Events API v2, local contract server)', () => {
  it('trigger → ack → resolve sends one acknowledge and one resolve with the original keys; 429 and 5xx retried, 400 not; nothing sent twice across a relay restart', async ({ dir, later }) => {
    const pd = await startPagerDutyEvents();
    later(() => pd.close());
    const config: Partial<RelayConfigInput> = { writeBack: { pagerdutyEventsUrl: pd.url, retry: { initialMs: 100, maxMs: 400 }, intervalMs: 100 } };
    let relay = await startRelay(`${dir}/relay`, config);
    later(() => relay.close());
    const oncall = await consoleOn(dir, relay, later);
    const operator = oncall.services().operator.signIn('rn.jones', 'Rita Jones');
    const routing = { lab: 'R0UT1NGKEYLAB0000000000000000001', icu: 'R0UT1NGKEYICU0000000000000000002' };
    const trigger = (routingKey: string, dedup: string) =>
      post(`${relay.url}/v1/pagerduty`, JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedup, payload: { summary: `${dedup} failing`, source: 'monitor.hospital.example', severity: 'critical' } }));
    expect((await trigger(routing.lab, 'lab-interface-down')).status).toBe(202);
    expect((await trigger(routing.icu, 'icu-model-stale')).status).toBe(202);
    await waitFor(() => oncall.services().incidents.list().length === 2, 10_000, 'two incidents');
    const byKey = (k: string) => oncall.services().incidents.list({ state: 'all' }).find((i) => i.key === `pd:${k}`)!;

    pd.failNext(429, 503);
    oncall.services().incidents.acknowledge(byKey('lab-interface-down').id, operator);
    await waitFor(() => pd.received.filter((e) => e.status === 202).length === 1, 10_000, 'the acknowledge accepted after a 429 and a 503');
    expect(pd.received.map((e) => e.status)).toEqual([429, 503, 202]);
    expect(pd.received.at(-1)).toMatchObject({ routing_key: routing.lab, event_action: 'acknowledge', dedup_key: 'lab-interface-down' });

    pd.failFor('icu-model-stale', 400);
    oncall.services().incidents.acknowledge(byKey('icu-model-stale').id, operator);
    await waitFor(() => pd.received.some((e) => e.dedup_key === 'icu-model-stale'), 10_000, 'the 400');
    await new Promise((r) => setTimeout(r, 800)); // several retry intervals: a 400 is never retried
    expect(pd.received.filter((e) => e.dedup_key === 'icu-model-stale')).toHaveLength(1);
    await waitFor(() => oncall.services().incidents.detail(byKey('icu-model-stale').id).timeline.some((e) => e.kind === 'writeback.failed' && e.text.includes('not retried')), 10_000, 'the refusal in the timeline');

    // restart the relay on the same data: nothing already sent goes again
    await relay.close();
    relay = await startRelay(`${dir}/relay`, { ...config, listen: { host: '127.0.0.1', port: Number(new URL(relay.url).port) } });
    await new Promise((r) => setTimeout(r, 600));
    expect(pd.received.filter((e) => e.status === 202)).toHaveLength(1);
    await waitFor(() => oncall.status().feed.state === 'connected', 15_000, 'the console back on the relay');
    oncall.services().incidents.resolve(byKey('lab-interface-down').id, operator);
    await waitFor(() => pd.received.filter((e) => e.status === 202).length === 2, 10_000, 'the resolve');
    await new Promise((r) => setTimeout(r, 500));
    const ok = pd.received.filter((e) => e.status === 202);
    console.log(`pagerduty write-back: ${pd.received.length} requests (${pd.received.map((e) => e.status).join(', ')}); accepted: ${ok.map((e) => `${e.event_action} ${e.dedup_key}`).join(', ')}`);
    expect(ok.map((e) => [e.event_action, e.dedup_key, e.routing_key])).toEqual([
      ['acknowledge', 'lab-interface-down', routing.lab],
      ['resolve', 'lab-interface-down', routing.lab],
    ]);
  }, 60_000);
});

describe('silence matchers', () => {
  it('match exactly the given label sets: shared labels as equalities, the telling-apart label as an escaped alternation', () => {
    const sets = [
      { alertname: 'Down', service: 'x', instance: 'a.b:1' },
      { alertname: 'Down', service: 'x', instance: 'a|b(2)' },
    ];
    const [m] = silenceMatchers(sets);
    expect(m).toEqual([
      { name: 'alertname', value: 'Down', isRegex: false, isEqual: true },
      { name: 'service', value: 'x', isRegex: false, isEqual: true },
      { name: 'instance', value: 'a\\.b:1|a\\|b\\(2\\)', isRegex: true, isEqual: true },
    ]);
    // a label only some alerts have: one exact silence each
    expect(silenceMatchers([{ a: '1', b: '2' }, { a: '1', b: '3', c: '4' }])).toHaveLength(2);
  });
});
