// The feed-silence guard on a fake clock, remote action times from wrong or
// hostile clocks, and the start-up repair of alerts a crash left unapplied.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertBuilder } from '../support/alerts.js';
import { FeedSilenceGuard } from '../../src/main/feed/pipeline-guard.js';
import { TokenBucket } from '../../src/relay/rate-limit.js';
import { FakeClock } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';

const alert = alertBuilder('relay-1', { severity: 'SEV1', summary: 'Inference API down', service: 'medical-ai-api', startsAt: '2026-11-22T08:00:00.000Z', receivedAt: '2026-11-22T08:00:00.000Z' });

describe('console on a fake clock', () => {
  consoleTest('pages pipeline:feed (SEV2) after the set silence, raises it to SEV1 while a critical probe is down, and resolves it when connected', async ({ oncall, clock }) => {
    const s = oncall.services();
    let critical = 0;
    const guard = new FeedSilenceGuard({ clock, incidents: s.incidents, feedStore: s.feedStore, silenceMs: 120_000, criticalDown: () => critical });
    guard.update('connected');
    guard.update('reconnecting');
    clock.advance(119_000);
    guard.update('offline');
    expect(s.incidents.findOpen('pipeline:feed')).toBeNull(); // a short outage is not a page
    clock.advance(1_000);
    guard.update('offline');
    const opened = s.incidents.findOpen('pipeline:feed')!;
    expect(opened).toMatchObject({ severity: 'SEV2', source: 'local', state: 'triggered' });
    expect(opened.summary).toContain('Not receiving alerts since 2026-11-22T08:00:00.000Z');
    expect(guard.silentSince()).toBe('2026-11-22T08:00:00.000Z');
    critical = 1;
    clock.advance(5_000);
    guard.update('offline');
    expect(s.incidents.findOpen('pipeline:feed')!.severity).toBe('SEV1');
    guard.update('connected');
    expect(s.incidents.findOpen('pipeline:feed')).toBeNull();
    expect(s.incidents.get(opened.id).state).toBe('resolved');
    expect(guard.silentSince()).toBeNull();
  });

  consoleTest('keeps an open silence across a restart and resolves it when the feed returns', async ({ oncall, clock }) => {
    const s = oncall.services();
    const g1 = new FeedSilenceGuard({ clock, incidents: s.incidents, feedStore: s.feedStore, silenceMs: 1_000, criticalDown: () => 0 });
    clock.advance(2_000);
    g1.update('offline');
    const id = s.incidents.findOpen('pipeline:feed')!.id;
    const g2 = new FeedSilenceGuard({ clock, incidents: s.incidents, feedStore: s.feedStore, silenceMs: 1_000, criticalDown: () => 0 });
    expect(g2.silentSince()).not.toBeNull();
    g2.update('connected');
    expect(s.incidents.get(id).state).toBe('resolved');
  });

  consoleTest.for<[string, string]>([
    ['472 years back', '1554-01-01T00:00:00.000Z'],
    ['a minute before the incident opened', '2026-11-22T07:59:00.000Z'],
    ['ten minutes in the future', '2026-11-22T08:15:00.000Z'],
  ])('applies a remote acknowledgement claiming a time %s at the relay receive time, not its claim', ([, claimed], { oncall, clock }) => {
    const s = oncall.services();
    const a = alert(`skew-${claimed}`);
    s.feedStore.storePage('relay-1', [a]);
    s.incidents.ingest([a]);
    clock.advance(3 * 60_000); // 08:03
    const receivedAt = '2026-11-22T08:02:30.000Z';
    s.incidents.applyRemote({ id: randomUUID(), alertKey: a.key, action: 'acknowledge', operator: { userId: 'eng.kim', displayName: 'Jo Kim' }, at: claimed }, 'ward-b', receivedAt);
    const inc = s.incidents.list({ state: 'all' }).find((i) => i.key === a.key)!;
    expect(inc.acknowledgedAt).toBe(receivedAt);
    const mtta = (Date.parse(inc.acknowledgedAt!) - Date.parse(inc.openedAt)) / 60_000;
    expect(mtta).toBeGreaterThanOrEqual(0);
    expect(mtta).toBeLessThan(5);
  });

  consoleTest('believes a remote acknowledgement time inside the incident and the skew window', async ({ oncall, clock }) => {
    const s = oncall.services();
    const a = alert('honest');
    s.feedStore.storePage('relay-1', [a]);
    s.incidents.ingest([a]);
    clock.advance(10 * 60_000);
    s.incidents.applyRemote({ id: randomUUID(), alertKey: a.key, action: 'acknowledge', operator: { userId: 'eng.kim', displayName: 'Jo Kim' }, at: '2026-11-22T08:04:00.000Z' }, 'ward-b', '2026-11-22T08:04:01.000Z');
    expect(s.incidents.findOpen(a.key)!.acknowledgedAt).toBe('2026-11-22T08:04:00.000Z');
  });

  consoleTest('applies at the next start every stored alert a crash left without an incident, once', async ({ oncall, boot }) => {
    const s = oncall.services();
    const a = alert('crash-left-1');
    const b = alert('crash-left-2', { severity: 'SEV2' });
    s.feedStore.storeReceived('relay-1', [a, b]); // stored; the process "dies" before the incidents
    expect(s.feedStore.unappliedCount()).toBe(2);
    await oncall.stop();
    const t = (await boot()).services();
    expect(t.feedStore.unappliedCount()).toBe(0);
    expect(t.incidents.list().map((i) => i.key).sort()).toEqual(['crash-left-1', 'crash-left-2']);
    // a repeat of the same stored alerts changes nothing
    t.incidents.ingest([a, b]);
    expect(t.incidents.list().map((i) => i.alertCount)).toEqual([1, 1]);
  });
});

describe('token bucket', () => {
  it('admits a request larger than its burst when full, then holds the average rate', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(100, 200, clock);
    expect(bucket.take(1000)).toBe(true); // bigger than the burst, bucket full: in
    expect(bucket.take(1)).toBe(false); // in debt
    clock.advance(9_000); // 900 tokens: debt of 800 repaid, 100 saved
    expect(bucket.take(150)).toBe(false);
    clock.advance(1_000);
    expect(bucket.take(150)).toBe(true);
    expect(bucket.take(201)).toBe(false); // bigger than the burst, bucket not full: wait
    clock.advance(10_000);
    expect(bucket.take(201)).toBe(true);
  });
});
