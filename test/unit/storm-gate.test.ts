// The storm gate on a hand-driven timer: SEV1 never held; per severity and
// reason, a burst passes, the rest close as one summary with the window; a
// lone held page goes out as itself; a new window starts fresh.
import { describe, expect, it } from 'vitest';
import type { PageRequest } from '../../src/main/incidents/incident-engine.js';
import { StormGate } from '../../src/main/notify/storm-gate.js';
import type { Timers } from '../../src/main/platform/timers.js';
import type { Incident } from '../../src/shared/domain/incident.js';

function manualTimers() {
  let due: { fn: () => void; at: number; id: number }[] = [];
  let now = 0;
  let n = 0;
  const timers = {
    setTimeout: (fn: () => void, ms: number) => (due.push({ fn, at: now + ms, id: ++n }), n),
    clearTimeout: (h: number) => (due = due.filter((d) => d.id !== h)),
    setInterval: () => 0,
    clearInterval: () => undefined,
  } as unknown as Timers;
  const advance = (ms: number) => {
    now += ms;
    const ready = due.filter((d) => d.at <= now);
    due = due.filter((d) => d.at > now);
    for (const d of ready) d.fn();
  };
  return { timers, advance };
}

const req = (id: number, severity: Incident['severity'], reason: PageRequest['reason'] = 'new'): PageRequest => ({ incident: { id: `MAI-20261123-0300${String(id).padStart(2, '0')}`, severity } as Incident, reason });

describe('storm gate', () => {
  it('passes SEV1 always, a burst of the rest, then one summary per window; a lone held page as itself', () => {
    const { timers, advance } = manualTimers();
    const sent: string[] = [];
    const gate = new StormGate({ page: (r) => sent.push(`${r.incident.severity} ${r.incident.id.slice(-2)}`), summary: (sev, held) => sent.push(`${sev} summary of ${held.count}`) }, timers, { windowMs: 1000, burst: 2 });
    for (let i = 1; i <= 5; i++) gate.offer(req(i, 'SEV2'));
    gate.offer(req(6, 'SEV1'));
    gate.offer(req(7, 'SEV3'));
    gate.offer(req(8, 'SEV2', 'escalation')); // another reason: its own window
    expect(sent).toEqual(['SEV2 01', 'SEV2 02', 'SEV1 06', 'SEV3 07', 'SEV2 08']);
    advance(999);
    expect(sent).toHaveLength(5);
    advance(1);
    expect(sent.slice(5)).toEqual(['SEV2 summary of 3']);
    for (let i = 10; i <= 12; i++) gate.offer(req(i, 'SEV2')); // a fresh window
    advance(1000);
    expect(sent.slice(6)).toEqual(['SEV2 10', 'SEV2 11', 'SEV2 12']); // 2 passed, the third held alone: sent as itself
    for (let i = 20; i <= 23; i++) gate.offer(req(i, 'SEV3'));
    gate.dispose();
    expect(sent.slice(9)).toEqual(['SEV3 20', 'SEV3 21', 'SEV3 summary of 2']);
  });
});
