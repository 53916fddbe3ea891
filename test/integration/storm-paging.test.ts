// A storm of 300 new SEV3 incidents with 5 SEV1s inside it, through a real
// console to a capturing notification sink: every SEV1 is notified at once,
// alone; the SEV3s come as a few, then one summary per window — never hundreds
// of notifications — and none is lost (the summary counts them all).
import { describe, expect } from 'vitest';
import type { DesktopNotification, NotificationSink } from '../../src/main/notify/pager.js';
import { consoleTest, relayTest } from '../support/fixtures.js';
import { post, waitFor } from '../support/relay-fixture.js';

class CapturingSink implements NotificationSink {
  readonly name = 'capture';
  readonly shown: (DesktopNotification & { at: number })[] = [];
  notify(n: DesktopNotification): Promise<void> {
    this.shown.push({ ...n, at: Date.now() });
    return Promise.resolve();
  }
}

const sink = new CapturingSink();
const it = consoleTest.override({ consoleDeps: { notificationSink: sink } });

describe('paging in a storm', () => {
  it('notifies each SEV1 at once and summarises the SEV3 flood per window, counting every one', async ({ oncall, alert }) => {
    sink.shown.length = 0;
    const s = oncall.services();
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) {
      const batch = [alert(`sev3-${i}`, { severity: 'SEV3', summary: `Cache latency high on node ${i}`, service: 'redis' })];
      if (i % 60 === 30) batch.push(alert(`sev1-${i}`, { severity: 'SEV1', summary: 'Inference API down', service: 'medical-ai-api' }));
      s.intake.receive('relay-1', batch);
    }
    await new Promise((r) => setTimeout(r, 50));
    const sev1 = sink.shown.filter((n) => n.title.startsWith('SEV1'));
    expect(sev1).toHaveLength(5);
    expect(Math.max(...sev1.map((n) => n.at - t0))).toBeLessThan(5_000);
    const sev3Now = sink.shown.filter((n) => !n.title.startsWith('SEV1'));
    expect(sev3Now).toHaveLength(3); // the first few go out as they come
    await oncall.stop(); // stopping sends what the window holds
    const summaries = sink.shown.filter((n) => /^\d+ new SEV3 incidents$/.test(n.title));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.title).toBe('297 new SEV3 incidents');
    expect(summaries[0]!.message).toMatch(/^MAI-\d{8}-\d{6}(-\d+)? and 296 more · respond within 120 min$/);
    expect(summaries[0]!.sound).toBe(false);
    console.info(`[storm-paging] 300 SEV3 + 5 SEV1 incidents: ${sink.shown.length} notifications (5 SEV1 alone, 3 SEV3, 1 summary of 297); lost 0`);
  });
});

describe('a storm of 5,000 Alertmanager alerts in 50 groups, through a relay', () => {
  const groupSink = new CapturingSink();
  relayTest('is 50 incidents and a handful of notifications; a SEV1 group posted mid-storm is notified at once', async ({ relay, relayConsole }) => {
    const oncall = await relayConsole('console', { deps: { notificationSink: groupSink } });
    await waitFor(() => oncall.status().feed.state === 'connected', 10_000, 'connected');
    const body = (g: number, severity: string) => {
      const groupLabels = { alertname: `StormGroup${g}`, service: `ward-model-${g}` };
      return JSON.stringify({
        version: '4', groupKey: `{}:{alertname="StormGroup${g}", service="ward-model-${g}"}`, status: 'firing', receiver: 'oncall-relay', groupLabels, commonLabels: groupLabels, commonAnnotations: {}, externalURL: 'http://am:9093',
        alerts: Array.from({ length: 100 }, (_, i) => ({ status: 'firing', labels: { ...groupLabels, instance: `pod-${i}`, severity }, annotations: { summary: `StormGroup${g} pod ${i}` }, startsAt: new Date().toISOString(), fingerprint: `${g.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}` })),
      });
    };
    let sev1SentAt = 0;
    const posts: Promise<unknown>[] = [];
    for (let g = 0; g < 50; g++) {
      if (g === 25) {
        sev1SentAt = Date.now();
        posts.push(post(`${relay.url}/v1/alertmanager`, body(g, 'critical')));
      } else posts.push(post(`${relay.url}/v1/alertmanager`, body(g, 'warning')));
    }
    await Promise.all(posts);
    const open = () => oncall.services().incidents.list();
    await waitFor(() => open().length === 50 && open().every((i) => i.alertCount === 100), 30_000, () => `50 incidents of 100 (have ${open().length})`);
    const incidents = open().length;
    await waitFor(() => groupSink.shown.some((n) => n.title.startsWith('SEV1')), 5_000, 'the SEV1 page');
    const latency = groupSink.shown.find((n) => n.title.startsWith('SEV1'))!.at - sev1SentAt;
    await oncall.stop();
    const summaries = groupSink.shown.filter((n) => /new SEV3 incidents$/.test(n.title));
    const counted = summaries.reduce((n, s) => n + Number(s.title.split(' ')[0]), 0) + groupSink.shown.filter((n) => n.title.startsWith('SEV3 ')).length;
    console.info(`[storm-paging] 5,000 alerts in 50 groups → ${incidents} incidents, ${groupSink.shown.length} notifications (${groupSink.shown.filter((n) => n.title.startsWith('SEV1')).length} SEV1, ${summaries.length} summaries), SEV1 page ${latency} ms after its post; SEV3 incidents counted in notifications: ${counted}`);
    expect(groupSink.shown.filter((n) => n.title.startsWith('SEV1'))).toHaveLength(1);
    expect(latency).toBeLessThan(2_000);
    expect(groupSink.shown.length).toBeLessThanOrEqual(1 + 3 + 2); // SEV1, the first three SEV3, at most two summary windows
    expect(counted).toBe(49);
  }, 60_000);
});

describe('a SEV1 behind a backlog', () => {
  const laneSink = new CapturingSink();
  relayTest('is paged as soon as the relay has it, ahead of 20,000 alerts the console is still reading, and once', async ({ relay, relayConsole }) => {
    const oncall = await relayConsole('console', { deps: { notificationSink: laneSink } });
    await waitFor(() => oncall.status().feed.state === 'connected', 10_000, 'connected');
    const posts: Promise<unknown>[] = [];
    for (let b = 0; b < 40; b++) {
      const alerts = Array.from({ length: 500 }, (_, i) => ({ key: `backlog-${b}-${i}`, severity: 'SEV3', summary: 'queue depth high', service: 'lab-interface' }));
      posts.push(post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts })));
    }
    await Promise.all(posts);
    const sentAt = Date.now();
    expect((await post(`${relay.url}/v1/alerts`, JSON.stringify({ key: 'ventilator-model-down', severity: 'SEV1', summary: 'ventilator weaning model not answering', service: 'ventilator-model' }))).status).toBe(202);
    await waitFor(() => laneSink.shown.some((n) => n.title === 'SEV1 · ventilator-model'), 10_000, 'the SEV1 page');
    const pagedAfter = laneSink.shown.find((n) => n.title === 'SEV1 · ventilator-model')!.at - sentAt;
    // its incident opens in order, after the backlog; it is not paged a second time
    await waitFor(() => oncall.services().incidents.findOpen('native:ventilator-model-down') !== null, 120_000, 'the SEV1 incident');
    const incident = oncall.services().incidents.findOpen('native:ventilator-model-down')!;
    const pagedAt = laneSink.shown.find((n) => n.title === 'SEV1 · ventilator-model')!.at;
    // the backlog incidents opened after the page: they were still being read when it went out
    const backlogLeft = oncall.services().db.prepare(`SELECT count(*) FROM incident WHERE service = 'lab-interface' AND opened_ms > ?`).pluck().get(pagedAt) as number;
    await new Promise((r) => setTimeout(r, 300));
    const sev1Pages = laneSink.shown.filter((n) => n.title === 'SEV1 · ventilator-model');
    console.info(`[storm-paging] SEV1 behind 20,000 alerts: paged ${pagedAfter} ms after its post, when ${backlogLeft} alerts of the backlog were not yet incidents; its incident opened ${Date.parse(incident.openedAt) - pagedAt} ms after the page; SEV1 notifications: ${sev1Pages.length}`);
    expect(Date.parse(incident.openedAt)).toBeGreaterThan(pagedAt);
    expect(sev1Pages).toHaveLength(1);
    expect(sev1Pages[0]!.message).toMatch(/^new SEV1 · respond within 15 min/);
    expect(backlogLeft).toBeGreaterThan(0); // it was paged while the backlog was still being read
    expect(oncall.services().audit.list({ action: 'notify.early' }, 5).records).toHaveLength(1);
  }, 180_000);
});
