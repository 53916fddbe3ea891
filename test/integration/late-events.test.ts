// In browser mode the renderer's requests go over HTTP and the console's
// events over a WebSocket: two connections, so an event sent before an answer
// can arrive after it. (CI saw it: a status pushed before a sign-in arrived
// after the sign-in's own status, and the console showed the sign-in form
// again for good.) Here the renderer store runs against a real console with
// every event held back a random while, in order among themselves as on a
// WebSocket, and a person's actions follow each other without waiting for
// them. After each action, and once the late events are in, the store must
// show who is signed in and whether it is locked as the console has it.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { ContractClient, EventName, EventPayloads, RequestInput, RequestName, RequestResult } from '../../src/shared/contract.js';
import { unwrapReply } from '../../src/shared/reply.js';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { createConsoleStore } from '../../src/renderer/state/store.js';
import { wireEvents } from '../../src/renderer/state/events.js';
import { consoleTest } from '../support/fixtures.js';

/**
 * Each event late by `late()` ms, never overtaking an earlier one; each answer made at once and late by a draw of its
 * own, so events also overtake answers made before them.
 */
function lateEventsClient(c: OnCallConsole, late: () => number): ContractClient & { inFlight(): number } {
  let lastAt = 0;
  let inFlight = 0;
  return {
    async request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestResult<N>> {
      const reply = structuredClone(await dispatch(c.handlers, name, input, { transport: 'test' }));
      await new Promise((res) => setTimeout(res, late()));
      return unwrapReply<RequestResult<N>>(reply);
    },
    onEvent(listener: <E extends EventName>(name: E, payload: EventPayloads[E]) => void) {
      return c.events.on((name, payload) => {
        // a copy, as the wire makes one: later changes in main do not reach an event already sent
        const copy = structuredClone(payload);
        const at = Math.max(lastAt, Date.now() + late());
        lastAt = at;
        inFlight++;
        setTimeout(() => {
          inFlight--;
          listener(name, copy);
        }, at - Date.now());
      });
    },
    inFlight: () => inFlight,
  };
}

/** A renderer store over the console whose events are each 5-45 ms late (a seeded draw). */
function lateStore(c: OnCallConsole, seed: number) {
  let r = seed;
  const rand = () => ((r = (r * 1103515245 + 12345) & 0x7fffffff), r / 0x7fffffff);
  const client = lateEventsClient(c, () => 5 + rand() * 40);
  const store = createConsoleStore(client);
  return { client, store, unwire: wireEvents(client, store) };
}

/** The seed of each run's lateness. */
const SEEDS = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const USERS = [
  { id: 'rn.jones', name: 'Rita Jones' },
  { id: 'eng.kim', name: 'Jo Kim' },
];

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('signIn' as const), user: fc.integer({ min: 0, max: 1 }) }),
    fc.constant({ kind: 'signOut' as const }),
    fc.constant({ kind: 'lock' as const }),
    fc.constant({ kind: 'unlock' as const }),
    fc.record({ kind: fc.constant('alert' as const), n: fc.nat(1_000_000) }),
  ),
  { minLength: 4, maxLength: 12 },
);

const incidentSteps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('alert' as const), n: fc.nat(1_000_000) }),
    fc.record({ kind: fc.constant('act' as const), action: fc.constantFrom('acknowledge' as const, 'resolve' as const, 'note' as const, 'escalate' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('elsewhere' as const), pick: fc.nat() }),
    // the list read again (a filter changed, the view opened) while other things happen: not waited for
    fc.constant({ kind: 'reload' as const }),
  ),
  { minLength: 4, maxLength: 14 },
);

describe('events that arrive after the answers', () => {
  consoleTest('leave the store showing the operator and the lock as the console has them', async ({ oncall, alert }) => {
    let actions = 0;
    let lateArrivals = 0;
    await fc.assert(
      fc.asyncProperty(steps, SEEDS, async (plan, seed) => {
        const { client, store, unwire } = lateStore(oncall, seed);
        const ops = oncall.services().operator;
        if (ops.operator) ops.signOut();
        await store.getState().refreshStatus();
        const shown = () => ({ user: store.getState().status?.operator?.userId ?? null, locked: store.getState().status?.locked ?? false });
        const truth = () => ({ user: ops.operator?.userId ?? null, locked: ops.isLocked });
        let user = USERS[0]!;
        try {
          for (const step of plan) {
            actions++;
            const s = store.getState();
            if (step.kind === 'signIn') {
              user = USERS[step.user]!;
              await s.signIn(user.id, user.name);
            } else if (step.kind === 'signOut') await s.signOut();
            else if (step.kind === 'lock') await s.lock();
            else if (step.kind === 'unlock') await s.unlock(user.id);
            else oncall.services().intake.receive('relay-1', [alert(`late-${step.n}`)]);
            if (step.kind !== 'alert') expect(shown(), `after ${step.kind}`).toEqual(truth());
            if (client.inFlight() > 0) lateArrivals++;
          }
          // the events still on their way arrive; the status pushed by the last change too (at most every 250 ms)
          await new Promise((res) => setTimeout(res, 400));
          while (client.inFlight() > 0) await new Promise((res) => setTimeout(res, 20));
          expect(shown(), 'once the late events are in').toEqual(truth());
        } finally {
          unwire();
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
    console.info(`[late-events] ${actions} actions, ${lateArrivals} with events still on their way after the answer; the store agreed with the console after each`);
  }, 120_000);

  consoleTest('leave every incident in the list as the console has it', async ({ oncall, alert }) => {
    let actions = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(incidentSteps, SEEDS, async (plan, seed) => {
        const { client, store, unwire } = lateStore(oncall, seed);
        const svc = oncall.services();
        if (!svc.operator.operator) svc.operator.signIn('rn.jones', 'Rita Jones');
        await store.getState().refreshStatus();
        await store.getState().loadIncidents();
        const open = () => store.getState().incidents.items.filter((i) => i.state !== 'resolved');
        try {
          for (const step of plan) {
            actions++;
            if (step.kind === 'alert') svc.intake.receive('relay-1', [alert(`late-inc-${step.n}`, { severity: 'SEV2' })]);
            else if (step.kind === 'reload') void store.getState().loadIncidents();
            else {
              const list = open();
              if (list.length === 0) continue;
              const target = list[step.pick % list.length]!;
              // someone at another console (or the console itself) changes it: only the event tells this one
              if (step.kind === 'elsewhere') svc.incidents.note(target.id, 'called the ward', svc.operator.operator);
              else await store.getState().incidentAction(step.action, target.id, { text: 'checked the model' });
            }
          }
          await new Promise((res) => setTimeout(res, 400));
          while (client.inFlight() > 0) await new Promise((res) => setTimeout(res, 20));
          await new Promise((res) => setTimeout(res, 300)); // the renderer's own coalesced reloads
          const ids = (list: { id: string }[]) => list.map((i) => i.id).sort();
          expect(ids(store.getState().incidents.items), 'the open incidents listed').toEqual(ids(svc.incidents.list({ state: 'open' })));
          for (const shown of store.getState().incidents.items) {
            const truth = svc.incidents.get(shown.id);
            compared++;
            expect({ id: shown.id, state: shown.state, escalationLevel: shown.escalationLevel }, 'once the late events are in').toEqual({ id: truth.id, state: truth.state, escalationLevel: truth.escalationLevel });
          }
        } finally {
          unwire();
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
    console.info(`[late-events] ${actions} incident steps; ${compared} incidents compared with the console once the late events were in`);
  }, 120_000);
});
