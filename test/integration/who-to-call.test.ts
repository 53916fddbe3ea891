// Whom to call is always there while an incident is open — before any
// escalation, after an acknowledgement — and Escalate calls in the level shown
// as next (a clinician at 3 a.m. must never see a heading with nobody under it).
import { expect } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { IncidentDetail } from '../../src/shared/domain/incident.js';
import { consoleTest } from '../support/fixtures.js';

consoleTest('shows the first responders before escalation and after an acknowledgement, the next level with it, and escalates to that level', async ({ oncall, operator, alert, clock }) => {
  expect(operator.userId).toBe('rn.jones');
  const s = oncall.services();
  const a = alert('ward-4-feed', { severity: 'SEV2', summary: 'Deterioration scores stale for ward 4' });
  s.feedStore.storePage('relay-1', [a]);
  s.incidents.ingest([a]);
  const id = s.incidents.findOpen(a.key)!.id;

  const call = async (name: string, input: unknown) => {
    const r = await dispatch(oncall.handlers, name, input, { transport: 'test' });
    if (!r.ok) throw new Error(r.error.message);
    return r.result as IncidentDetail;
  };
  const fresh = await call('incidents.get', { id });
  expect(fresh.escalation.current?.level).toBe(1);
  expect(fresh.escalation.current?.contacts.length).toBeGreaterThan(0);
  expect(fresh.escalation.next?.level).toBe(2);

  clock.advance(2 * 60_000);
  const acked = await call('incidents.acknowledge', { id });
  expect(acked.incident.state).toBe('acknowledged');
  expect(acked.escalation.current?.contacts.length, 'after an acknowledgement there is still someone to call').toBeGreaterThan(0);
  expect(acked.escalation.next?.level, 'and a next level to call in').toBe(2);

  const escalated = await call('incidents.escalate', { id });
  expect(escalated.incident.escalationLevel).toBe(2);
  expect(escalated.escalation.current?.level).toBe(2);
  expect(escalated.escalation.current?.contacts).toEqual(fresh.escalation.next?.contacts);
  expect(escalated.escalation.next?.level).toBe(3);

  const resolved = await call('incidents.resolve', { id });
  expect(resolved.escalation).toEqual({ current: null, next: null });
});

consoleTest('the alarm is the worst unacknowledged severity, its count and oldest; it moves down as they are acknowledged and is gone when none wait', async ({ oncall, operator, alert, clock }) => {
  const s = oncall.services();
  const open = (key: string, severity: 'SEV1' | 'SEV2' | 'SEV3') => {
    const a = alert(key, { severity, summary: `${severity} ${key}`, startsAt: new Date(clock.now()).toISOString(), receivedAt: new Date(clock.now()).toISOString() });
    s.feedStore.storePage('relay-1', [a]);
    s.incidents.ingest([a]);
    return s.incidents.findOpen(a.key)!.id;
  };
  expect(oncall.status().alarm).toBeNull();
  const low = open('disk', 'SEV3');
  expect(oncall.status().alarm).toMatchObject({ severity: 'SEV3', count: 1, incidentId: low });
  clock.advance(60_000);
  const first = open('api', 'SEV1');
  clock.advance(60_000);
  const second = open('model', 'SEV1');
  // a SEV3 arriving later never covers the SEV1s
  clock.advance(60_000);
  open('cert', 'SEV3');
  expect(oncall.status().alarm).toMatchObject({ severity: 'SEV1', count: 2, incidentId: first });
  s.incidents.acknowledge(first, operator);
  expect(oncall.status().alarm).toMatchObject({ severity: 'SEV1', count: 1, incidentId: second });
  s.incidents.acknowledge(second, operator);
  expect(oncall.status().alarm).toMatchObject({ severity: 'SEV3', count: 2, incidentId: low });
  s.operator.lock('manual');
  expect(oncall.status().alarm?.count).toBe(2); // the locked console still says that something waits
});
