// Who is on call, at the moment of escalation: a SEV1 nobody acknowledges
// for 15 minutes names the person on call at that minute (timeline, audit and
// the detail's "Call now"); an override added at a second console changes who
// is named, on both consoles, through the relay.
import { describe, expect, onTestFinished } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import type { IncidentDetail } from '../../src/shared/domain/incident.js';
import { FakeClock } from '../helpers.js';
import { ENGINEERS_WEEKLY, onCallFolder } from '../support/on-call.js';
import { relayTest } from '../support/fixtures.js';
import { nativeAlert, post, startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';

// weekly engineers and daily clinical leads from Monday 16 November 2026, 08:00 UTC: on Sunday 22 November it is Dana's week (turn 0) and Priya's day (turn 6)
const SCHEDULES = `timeZone: UTC
${ENGINEERS_WEEKLY}  - role: On-Call Clinical Lead
    layers:
      - name: daily
        rotation: daily
        start: "2026-11-16T08:00"
        participants: [Priya Raman, Tomás Byrne]
`;

async function detail(c: OnCallConsole, id: string): Promise<IncidentDetail> {
  const r = await dispatch(c.handlers, 'incidents.get', { id }, { transport: 'test' });
  if (!r.ok) throw new Error(r.error.message);
  return r.result as IncidentDetail;
}

/** Two consoles on the relay, each with the directory and SCHEDULES, on one fake clock (08:00 Sunday 22 November), both connected; B's first operator (an admin) signed in. */
const it = relayTest.extend<{ wards: { a: OnCallConsole; b: OnCallConsole; clock: FakeClock } }>({
  wards: async ({ dir, relayConsole }, use) => {
    const clock = new FakeClock(Date.parse('2026-11-22T08:00:00.000Z'));
    onCallFolder(`${dir}/a`, SCHEDULES);
    onCallFolder(`${dir}/b`, SCHEDULES);
    const a = await relayConsole('a', { deps: { clock, tickMs: 0 } });
    const b = await relayConsole('b', { token: TOKENS.wardB, deps: { clock, tickMs: 0 } });
    b.services().operator.signIn('eng.kim', 'Jo Kim');
    await waitFor(() => a.status().feed.state === 'connected' && b.status().feed.state === 'connected', 10_000, 'both connected');
    await use({ a, b, clock });
  },
});

describe('escalation names the person on call', () => {
  it('at 15 minutes names who is on call then; an override from a second console changes it on both', async ({ relay, wards: { a, b, clock } }) => {
    a.services().operator.signIn('rn.jones', 'Rita Jones');

    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('infer-down', { severity: 'SEV1', summary: 'Inference API down' })));
    await waitFor(() => a.services().incidents.findOpen('native:infer-down') !== null && b.services().incidents.findOpen('native:infer-down') !== null, 10_000, 'the SEV1 at both');
    const first = { a: a.services().incidents.findOpen('native:infer-down')!.id, b: b.services().incidents.findOpen('native:infer-down')!.id };

    // before any escalation the detail already names the people to call, with their numbers
    const fresh = await detail(a, first.a);
    expect(fresh.escalation.current?.calls).toEqual([
      { role: 'On-Call Engineer', person: 'Dana Whitfield', phone: '+1-555-0141', gap: false, until: '2026-11-23T08:00:00.000Z' },
      { role: 'On-Call Clinical Lead', person: 'Priya Raman', phone: '+1-555-0151', gap: false, until: '2026-11-23T08:00:00.000Z' },
    ]);

    clock.advance(15 * 60_000); // 08:15: nobody acknowledged
    for (const c of [a, b]) c.services().incidents.tick();
    for (const [c, id] of [[a, first.a], [b, first.b]] as const) {
      const d = await detail(c, id);
      expect(d.incident.escalationLevel).toBe(1);
      expect(d.timeline.find((t) => t.kind === 'escalated')?.text).toContain('call Dana Whitfield (On-Call Engineer) +1-555-0141, Priya Raman (On-Call Clinical Lead) +1-555-0151');
      const rec = c.services().audit.list({ action: 'incident.escalated' }, 5).records[0]!;
      expect(JSON.parse(rec.details) as unknown).toMatchObject({ level: 1, called: [{ role: 'On-Call Engineer', person: 'Dana Whitfield' }, { role: 'On-Call Clinical Lead', person: 'Priya Raman' }] });
    }

    // Jo Kim at console B: "Lena takes the rest of the day"
    const added = await dispatch(b.handlers, 'schedules.addOverride', { role: 'On-Call Engineer', person: 'Lena Fischer', start: '2026-11-22T08:16:00Z', end: '2026-11-22T20:00:00Z', reason: 'Dana is in theatre' }, { transport: 'test' });
    expect(added.ok).toBe(true);
    await waitFor(() => a.services().schedules.resolve('On-Call Engineer', clock.now() + 60_000).person === 'Lena Fischer', 10_000, 'the override at console A');
    expect(b.services().audit.list({ action: 'schedule.override_added' }, 5).records).toHaveLength(1);
    expect(a.services().audit.list({ action: 'schedule.remote_override' }, 5).records).toHaveLength(1);

    clock.advance(60_000); // 08:16
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('scores-stale', { severity: 'SEV1', summary: 'Deterioration scores stale' })));
    await waitFor(() => a.services().incidents.findOpen('native:scores-stale') !== null && b.services().incidents.findOpen('native:scores-stale') !== null, 10_000, 'the second SEV1 at both');
    clock.advance(15 * 60_000); // 08:31
    for (const c of [a, b]) {
      c.services().incidents.tick();
      const id = c.services().incidents.findOpen('native:scores-stale')!.id;
      const d = await detail(c, id);
      expect(d.incident.escalationLevel).toBe(1);
      expect(d.timeline.find((t) => t.kind === 'escalated')?.text).toContain('call Lena Fischer (On-Call Engineer) +1-555-0143');
      expect(d.escalation.current?.calls?.[0]).toMatchObject({ person: 'Lena Fischer', phone: '+1-555-0143', until: '2026-11-22T20:00:00.000Z' });
    }
    // the override went to the relay once, and is not sent back to B
    expect(relay.store.ackCount()).toBe(1);
  }, 60_000);

  it('keeps an override added while the relay is down and delivers it once when the relay returns', async ({ dir, relay, wards: { a, b, clock } }) => {
    const port = Number(new URL(relay.url).port);
    await relay.close();
    await waitFor(() => b.status().feed.state !== 'connected', 10_000, 'B sees the relay gone');
    const r = await dispatch(b.handlers, 'schedules.addOverride', { role: 'On-Call Engineer', person: 'Kwame Mensah', start: '2026-11-22T08:00:00Z', end: '2026-11-22T20:00:00Z', reason: 'offline swap' }, { transport: 'test' });
    expect(r.ok).toBe(true);
    expect(b.services().schedules.resolve('On-Call Engineer', clock.now()).person).toBe('Kwame Mensah'); // at once, here
    expect(b.services().schedules.pendingOutbox()).toHaveLength(1);
    const back = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port } });
    onTestFinished(() => back.close());
    await waitFor(() => a.services().schedules.resolve('On-Call Engineer', clock.now()).person === 'Kwame Mensah', 20_000, 'the override at A after the relay returned');
    await waitFor(() => b.services().schedules.pendingOutbox().length === 0, 10_000, 'marked synced at B');
    back.terminateConsoles(); // a reconnect sends nothing again
    await waitFor(() => b.status().feed.state === 'connected', 10_000, 'B reconnected');
    await b.services().outbox.drain();
    expect(back.store.ackCount()).toBe(1);
    expect(a.services().audit.list({ action: 'schedule.remote_override' }, 5).records).toHaveLength(1);
  }, 60_000);

  it('refuses an override from a clinician, naming why, and changes nothing', async ({ dir, boot }) => {
    onCallFolder(dir, SCHEDULES);
    const c = await boot();
    c.services().operator.signIn('rn.admin', 'First Admin');
    c.services().operator.add('rn.jones', 'Rita Jones', 'clinician', '4821');
    c.services().operator.signIn('rn.jones', 'Rita Jones', '4821');
    const r = await dispatch(c.handlers, 'schedules.addOverride', { role: 'On-Call Engineer', person: 'Lena Fischer', start: '2026-11-22T08:16:00Z', end: '2026-11-22T20:00:00Z', reason: 'swap' }, { transport: 'test' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_NOT_ALLOWED');
    const bad = await dispatch(c.handlers, 'schedules.addOverride', { role: 'On-Call Engineer', person: 'Lena Fischer', start: '2026-11-22T20:00:00Z', end: '2026-11-22T08:00:00Z', reason: 'swap' }, { transport: 'test' });
    expect(!bad.ok && bad.error.message).toContain('end: must be after start');
    expect(c.services().audit.list({ action: 'schedule.override_added' }, 5).records).toHaveLength(0);
  });
});
