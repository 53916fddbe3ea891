// A real Prometheus Alertmanager sending the group sizes it really sends, a
// rate limit below the storm, and a Watchdog that stops: nothing is lost, and
// a silent pipeline pages.
import { describe, expect, onTestFinished } from 'vitest';
import type { DesktopNotification, NotificationSink } from '../../src/main/notify/pager.js';
import { type AlertmanagerProcess, freePort } from '../support/alertmanager.js';
import { relayTest } from '../support/fixtures.js';
import { startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alerts(name: string, n: number, annotations: Record<string, string> = {}) {
  const startsAt = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({ labels: { alertname: name, instance: `host-${i}.hospital.example:9100`, service: 'model-serving', severity: 'warning' }, annotations: { summary: `${name} on host ${i}`, ...annotations }, startsAt }));
}

async function postInChunks(am: AlertmanagerProcess, list: unknown[], chunk = 1000): Promise<void> {
  for (let i = 0; i < list.length; i += chunk) await am.postAlerts(list.slice(i, i + chunk));
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const it = relayTest;

describe('a real Alertmanager delivering storm-sized groups', () => {
  it('gets a group of 5,000 alerts and a group of 800 alerts with 2 KB annotations to the console, all of them', async ({ relay, feed: feedOn, alertmanager }) => {
    const feed = feedOn('console', TOKENS.wardA, { pingIntervalMs: 1000 }).start();
    const am = await alertmanager(["  group_by: ['alertname']", '  group_wait: 1s', '  group_interval: 2s', '  repeat_interval: 1h'].join('\n'));
    await postInChunks(am, alerts('ModelServingDown', 5000));
    await postInChunks(am, alerts('FeatureStoreSlow', 800, { description: 'd'.repeat(2048) }), 400);
    const keys = () => new Set(feed.received.map((a) => a.key));
    await waitFor(() => keys().size >= 5800, 60_000, `5,800 distinct alerts at the console (have ${keys().size})`);
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    const refused = metrics.split('\n').filter((l) => l.startsWith('relay_requests_rejected_total{source="alertmanager"'));
    console.log(`alertmanager groups: 5,000 + 800 sent, ${keys().size} distinct at the console; refusals: ${refused.join(', ') || 'none'}`);
    expect(keys().size).toBe(5800);
    expect(refused).toEqual([]);
  }, 90_000);

  describe('with a rate limit of 400 alerts/s', () => {
    it.override({ relayConfig: { rateLimit: { alertsPerSecond: 400, burst: 400 } } });
    it('still delivers every alert when the rate limit is below the storm (Alertmanager retries the 503s)', async ({ relay, feed: feedOn, alertmanager }) => {
      const feed = feedOn('console', TOKENS.wardA, { pingIntervalMs: 1000 }).start();
      const am = await alertmanager(["  group_by: ['alertname']", '  group_wait: 500ms', '  group_interval: 1s', '  repeat_interval: 1h'].join('\n'));
      await postInChunks(am, [...alerts('GroupOne', 900), ...alerts('GroupTwo', 900), ...alerts('GroupThree', 900)]);
      const keys = () => new Set(feed.received.map((a) => a.key));
      await waitFor(() => keys().size >= 2700, 75_000, `2,700 alerts through a 400/s limit (have ${keys().size})`);
      const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
      const limited = metric(metrics, 'relay_requests_rejected_total', 'reason="E_RATE_LIMITED"');
      console.log(`rate limit 400/s: 2,700 sent in 3 groups, ${keys().size} at the console, ${limited} deliveries answered 503 and retried`);
      expect(keys().size).toBe(2700);
      expect(limited).toBeGreaterThan(0);
      expect(metrics).not.toMatch(/relay_requests_rejected_total\{source="alertmanager",reason="E_(SCHEMA|TOO_LARGE|TOO_MANY|BAD_JSON)"\}/);
    }, 90_000);
  });
});

class CapturingSink implements NotificationSink {
  readonly name = 'capture';
  readonly pages: DesktopNotification[] = [];
  notify(n: DesktopNotification): Promise<void> {
    this.pages.push(n);
    return Promise.resolve();
  }
}

describe('the pipeline guards itself', () => {
  it('pages pipeline:feed when the relay is gone past the set time, and resolves it when the relay is back', async ({ dir, relay, relayConsole }) => {
    const port = Number(new URL(relay.url).port);
    const sink = new CapturingSink();
    const oncall = await relayConsole('console', { deps: { notificationSink: sink }, argv: ['--feed-silence-page-s', '1.5'] });
    await waitFor(() => oncall.status().feed.state === 'connected', 10_000, 'connected');
    await sleep(2000);
    expect(oncall.services().incidents.findOpen('pipeline:feed')).toBeNull(); // connected: no page

    const killedAt = Date.now();
    await relay.close();
    await waitFor(() => oncall.services().incidents.findOpen('pipeline:feed') !== null, 10_000, 'pipeline:feed incident');
    const pagedAfter = Date.now() - killedAt;
    const incident = oncall.services().incidents.findOpen('pipeline:feed')!;
    expect(incident.severity).toBe('SEV2');
    expect(incident.summary).toMatch(/^Not receiving alerts since /);
    await waitFor(() => sink.pages.some((p) => p.incidentId === incident.id), 5000, 'page for the silence');
    expect(oncall.status().pipeline.feedSilentSince).not.toBeNull();
    console.log(`feed silence: paged ${pagedAfter} ms after the relay died (set time 1,500 ms)`);
    expect(pagedAfter).toBeGreaterThanOrEqual(1500);

    const back = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port } });
    onTestFinished(() => back.close());
    await waitFor(() => oncall.services().incidents.findOpen('pipeline:feed') === null, 15_000, 'silence resolved');
    expect(oncall.services().incidents.get(incident.id).state).toBe('resolved');
    expect(oncall.status().pipeline.feedSilentSince).toBeNull();
  }, 60_000);

  describe('with a Watchdog timeout of 5 s', () => {
    it.override({ relayConfig: { watchdog: { alertname: 'Watchdog', timeoutS: 5 } } });
    it('pages pipeline:watchdog when a real Alertmanager stops sending the Watchdog, never pages the Watchdog itself, and resolves when it returns', async ({ relay, relayConsole, alertmanager }) => {
      const sink = new CapturingSink();
      const oncall = await relayConsole('console', { deps: { notificationSink: sink } });
      const route = ["  group_by: ['alertname']", '  group_wait: 100ms', '  group_interval: 1s', '  repeat_interval: 1s'].join('\n');
      const amPort = await freePort();
      let am = await alertmanager(route, amPort);
      const watchdog = () => ({ labels: { alertname: 'Watchdog', severity: 'none' }, annotations: { summary: 'always firing: the pipeline works' }, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 60_000).toISOString() });
      let prometheus = setInterval(() => void am.postAlerts([watchdog()]).catch(() => undefined), 500);
      onTestFinished(() => clearInterval(prometheus));
      await am.postAlerts([watchdog()]);
      const health = async () => (await (await fetch(`${relay.url}/healthz`)).json()) as { watchdog: { state: string; lastSeen: string | null } };
      for (let i = 0; i < 100 && (await health()).watchdog.lastSeen === null; i++) await sleep(100);
      expect((await health()).watchdog).toMatchObject({ state: 'alive', lastSeen: expect.any(String) });
      await sleep(6000); // longer than the timeout, with the Watchdog arriving: nothing pages
      expect(oncall.services().incidents.list({ state: 'all' })).toEqual([]);
      expect(relay.store.count()).toBe(0); // the heartbeat is never stored as an alert

      clearInterval(prometheus);
      const diedAt = Date.now();
      await am.stop(); // the pipeline dies
      await waitFor(() => oncall.services().incidents.findOpen('pipeline:watchdog') !== null, 15_000, 'pipeline:watchdog incident');
      const arrivedAfter = Date.now() - diedAt;
      const incident = oncall.services().incidents.findOpen('pipeline:watchdog')!;
      expect(incident.summary).toMatch(/^Alerting pipeline silent: no Watchdog alert since /);
      await waitFor(() => sink.pages.some((p) => p.incidentId === incident.id), 5000, 'page for the silent pipeline');
      expect(oncall.status().pipeline.watchdogSilentSince).not.toBeNull();
      console.log(`watchdog: pipeline:watchdog at the console ${arrivedAfter} ms after Alertmanager died (timeout 5 s)`);

      am = await alertmanager(route, amPort);
      prometheus = setInterval(() => void am.postAlerts([watchdog()]).catch(() => undefined), 500);
      await waitFor(() => oncall.services().incidents.findOpen('pipeline:watchdog') === null, 20_000, 'watchdog silence resolved');
      clearInterval(prometheus);
      expect(oncall.services().incidents.list({ state: 'all' }).map((i) => i.key)).toEqual(['pipeline:watchdog']);
    }, 90_000);

  });

  describe('with a Watchdog timeout of 1 s', () => {
    it.override({ relayConfig: { watchdog: { alertname: 'Watchdog', timeoutS: 1 } } });
    it('pages pipeline:watchdog when no Watchdog ever arrives after the relay starts', async ({ relayConsole }) => {
      const oncall = await relayConsole('console', { deps: { notificationSink: new CapturingSink() } });
      await waitFor(() => oncall.services().incidents.findOpen('pipeline:watchdog') !== null, 10_000, 'pipeline:watchdog without any Watchdog');
      expect(oncall.services().incidents.findOpen('pipeline:watchdog')!.summary).toContain('no Watchdog alert since the relay started at');
    }, 30_000);
  });
});
