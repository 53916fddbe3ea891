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
