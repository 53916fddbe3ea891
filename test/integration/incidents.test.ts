import { describe, expect } from 'vitest';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { FailingSink, FileSink, pageText } from '../../src/main/notify/pager.js';
import { consoleTest } from '../support/fixtures.js';

/** store a relay page in the feed and hand it to the engine, as the intake does */
function storeIn(oncall: OnCallConsole, alerts: Alert[]) {
  const s = oncall.services();
  s.feedStore.storePage('relay-1', alerts);
  s.incidents.ingest(alerts);
}

const it = consoleTest.extend<{ store: (alerts: Alert[]) => void }>({
  store: async ({ oncall, operator }, use) => {
    expect(operator.userId).toBe('rn.jones');
    await use((alerts) => storeIn(oncall, alerts));
  },
});

describe('incidents', () => {
  it('groups alerts with the same key into one incident and pages once', async ({ oncall, store, pages, alert }) => {
    store([alert('api-down', { severity: 'SEV2' }), alert('api-down'), alert('api-down')]);
    const list = oncall.services().incidents.list();
    expect(list).toHaveLength(1);
    // one alert sent three times: one alert of the incident, with its repeats counted (issue 17: an incident holds alerts, each with a repeat count)
    expect(list[0]).toMatchObject({ id: 'MAI-20261122-080000', alertCount: 1, firingCount: 1, state: 'triggered', severity: 'SEV2' });
    expect(oncall.services().incidents.detail(list[0]!.id).members.alerts.map((m) => m.repeats)).toEqual([3]);
    expect(pages.filter((p) => p.reason === 'new')).toHaveLength(1);
  });

  it('raises severity when a worse alert joins, and grades response targets from the seed', async ({ oncall, store, alert }) => {
    store([alert('db', { severity: 'SEV3' })]);
    expect(oncall.services().incidents.list()[0]!.responseDueAt).toBe('2026-11-22T10:00:00.000Z');
    store([alert('db', { severity: 'SEV1' })]);
    const i = oncall.services().incidents.list()[0]!;
    expect(i.severity).toBe('SEV1');
    expect(i.responseDueAt).toBe('2026-11-22T08:15:00.000Z');
  });

  it('resolves when its alert resolves, and a re-fire opens a new incident linked to the old', async ({ oncall, store, clock, alert }) => {
    store([alert('cert')]);
    const first = oncall.services().incidents.list()[0]!.id;
    clock.advance(5_000);
    store([alert('cert', { status: 'resolved' })]);
    expect(oncall.services().incidents.get(first).state).toBe('resolved');
    clock.advance(5_000);
    store([alert('cert')]);
    const open = oncall.services().incidents.list();
    expect(open).toHaveLength(1);
    expect(open[0]!.id).not.toBe(first);
    expect(open[0]!.previousId).toBe(first);
  });

  it('makes incident ids unique within one second', async ({ oncall, store, alert }) => {
    store([alert('a'), alert('b'), alert('c')]);
    const ids = oncall.services().incidents.list().map((i) => i.id).sort();
    expect(ids).toEqual(['MAI-20261122-080000', 'MAI-20261122-080000-2', 'MAI-20261122-080000-3']);
  });

  it('acknowledges, attributed and audited, with an outbox row in the same transaction', async ({ oncall, store, alert }) => {
    store([alert('api')]);
    const id = oncall.services().incidents.list()[0]!.id;
    const inc = oncall.services().incidents.acknowledge(id, oncall.status().operator);
    expect(inc).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Rita Jones (rn.jones)', pendingSync: true });
    const outbox = oncall.services().incidents.pendingOutbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.payload).toMatchObject({ alertKey: 'api', action: 'acknowledge', operator: { userId: 'rn.jones' } });
    const audit = oncall.services().audit.list({ action: 'incident.acknowledged' }, 5).records;
    expect(audit[0]).toMatchObject({ operator: 'rn.jones', subjectId: id });
    expect(() => oncall.services().incidents.acknowledge(id, oncall.status().operator)).toThrow(/E_INCIDENT_STATE/);
  });

  it('refuses actions without a signed-in operator', async ({ oncall, store, alert }) => {
    store([alert('api')]);
    const id = oncall.services().incidents.list()[0]!.id;
    oncall.services().operator.signOut();
    expect(() => oncall.services().incidents.acknowledge(id, null)).toThrow(/E_NOT_SIGNED_IN/);
  });

  it('escalates at 15 and 30 minutes, keeps level 2 across a restart at 45, and reaches level 3 at 60', async ({ oncall, store, clock, pages, alert, boot }) => {
    store([alert('model', { severity: 'SEV1' })]);
    const id = oncall.services().incidents.list()[0]!.id;
    clock.advance(14 * 60_000);
    oncall.services().incidents.tick();
    expect(oncall.services().incidents.get(id).escalationLevel).toBe(0);
    clock.advance(60_000); // 15 min
    oncall.services().incidents.tick();
    expect(oncall.services().incidents.get(id).escalationLevel).toBe(1);
    expect(pages.filter((p) => p.reason === 'escalation')).toHaveLength(1);
    clock.advance(15 * 60_000); // 30 min
    oncall.services().incidents.tick();
    expect(oncall.services().incidents.get(id).escalationLevel).toBe(2);
    expect(oncall.services().incidents.detail(id).escalation.current?.contacts).toEqual(['Chief Technology Officer', 'Clinical Safety Officer']);

    await oncall.stop();
    clock.advance(15 * 60_000); // restart at 45 min
    const again = await boot();
    again.services().incidents.tick();
    const after = again.services().incidents.get(id);
    expect(after.escalationLevel).toBe(2);
    expect(after.nextEscalationAt).toBe('2026-11-22T09:00:00.000Z');
    const escalationsBefore = pages.filter((p) => p.reason === 'escalation').length;
    clock.advance(15 * 60_000 - 1);
    again.services().incidents.tick();
    expect(again.services().incidents.get(id).escalationLevel).toBe(2);
    clock.advance(1); // 60 min
    again.services().incidents.tick();
    expect(again.services().incidents.get(id).escalationLevel).toBe(3);
    expect(pages.filter((p) => p.reason === 'escalation').length).toBe(escalationsBefore + 1);
  });

  it('repeats SEV1 pages until acknowledged, not while snoozed', async ({ oncall, store, clock, pages, alert }) => {
    store([alert('sev1', { severity: 'SEV1' })]);
    const id = oncall.services().incidents.list()[0]!.id;
    clock.advance(60_000);
    oncall.services().incidents.tick();
    expect(pages.filter((p) => p.reason === 'repeat')).toHaveLength(1);
    oncall.services().incidents.snooze(id, 5, oncall.status().operator);
    clock.advance(60_000);
    oncall.services().incidents.tick();
    expect(pages.filter((p) => p.reason === 'repeat')).toHaveLength(1);
    oncall.services().incidents.acknowledge(id, oncall.status().operator);
    clock.advance(10 * 60_000);
    oncall.services().incidents.tick();
    expect(pages.filter((p) => p.reason === 'repeat')).toHaveLength(1);
  });

  it('keeps PHI out of the page text', async ({ oncall, store, pages, alert }) => {
    store([alert('phi', { severity: 'SEV1', summary: 'Patient John Smith MRN 12345678 prediction failed', service: 'model-service' })]);
    const page = pages.at(-1)!;
    expect(`${page.title} ${page.message}`).not.toMatch(/John|Smith|12345678|prediction/);
    expect(page.title).toBe('SEV1 · model-service');
    expect(page.message).toMatch(/^MAI-\d{8}-\d{6} · respond within 15 min$/);
    expect(pageText({ incident: oncall.services().incidents.list()[0]!, reason: 'new' }).message).toBe(page.message);
  });

  it('falls back to the in-app banner when the OS notification fails, and records it', async ({ boot, pages, alert }) => {
    const oncall = await boot({ notificationSink: new FailingSink() });
    storeIn(oncall, [alert('nodaemon', { severity: 'SEV1' })]);
    await expect.poll(() => pages.at(-1)?.fallback).toBe(true);
    const rec = oncall.services().audit.list({ action: 'notify.fallback' }, 5).records;
    expect(rec).toHaveLength(1);
    expect(rec[0]!.details).toContain('E_NOTIFY_OS');
  });

  it('sends desktop notifications to the configured sink', async ({ boot, alert, dir }) => {
    const { readFileSync } = await import('node:fs');
    const oncall = await boot({ notificationSink: new FileSink(`${dir}/notifications.jsonl`) });
    storeIn(oncall, [alert('filesink', { severity: 'SEV1' })]);
    await expect.poll(() => readFileSync(`${dir}/notifications.jsonl`, 'utf8')).toContain('SEV1 · model-service');
    const n = JSON.parse(readFileSync(`${dir}/notifications.jsonl`, 'utf8').trim()) as { sound: boolean };
    expect(n.sound).toBe(true);
  });
});
