// Typed subscription to what main pushes: one handler per event name, each
// with its payload's own type (no casts at the call sites).
import type { ContractClient, EventName, EventPayloads } from '../../shared/contract.js';
import type { Incident } from '../../shared/domain/incident.js';
import type { ConsoleStore } from './store.js';

export type EventHandlers = { [E in EventName]?: (payload: EventPayloads[E]) => void };

export function bindEvents(client: ContractClient, handlers: EventHandlers): () => void {
  return client.onEvent((name, payload) => {
    const handler = handlers[name] as ((p: EventPayloads[typeof name]) => void) | undefined;
    handler?.(payload);
  });
}

/** At most one call per `ms`, the first request starting the wait. */
export function coalesce(fn: () => void, ms = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}

/** Run `fn` at the next animation frame, or within 100 ms when frames are paused (a hidden window); 16 ms without a screen. */
export function nextFrame(fn: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  // this module also runs without a screen (tests over a real console): no DOM typings assumed
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (raf) raf(run);
  setTimeout(run, raf ? 100 : 16);
}

/** Wire a store to a client's events: lists change by events, details only for a signed-in, unlocked operator. */
export function wireEvents(
  client: ContractClient,
  store: { getState(): ConsoleStore },
  focusWindow: () => void = () => undefined,
): () => void {
  const s = () => store.getState();
  const reloadRunbooks = coalesce(() => void s().refreshRunbooks());
  const reloadHealth = coalesce(() => void s().loadHealth(), 500);
  const reloadAudit = coalesce(() => void s().loadAudit(true));
  const reloadOnCall = coalesce(() => void s().loadOnCall());
  // Changed ids without their incidents (a burst, or sent while locked) gather here: one request per 250 ms.
  let changedIds: string[] = [];
  const refreshIncidents = coalesce(() => {
    const ids = changedIds;
    changedIds = [];
    void s().refreshIncidents(ids);
  });
  // Changes that came with their incidents: merged into one store write per animation frame (a storm sends hundreds a second)
  let framed: { ids: Set<string>; incidents: Map<string, Incident> } | null = null;
  const mergeAtFrame = (ids: string[], incidents: Incident[]) => {
    if (!framed) {
      const batch = (framed = { ids: new Set<string>(), incidents: new Map<string, Incident>() });
      nextFrame(() => {
        framed = null;
        if (s().canRead()) void s().incidentsChanged([...batch.ids], [...batch.incidents.values()]);
      });
    }
    for (const id of ids) framed.ids.add(id);
    for (const i of incidents) framed.incidents.set(i.id, i); // the latest of each
  };
  return bindEvents(client, {
    'status.changed': (status) => s().setStatus(status),
    'audit.appended': () => s().canRead() && s().view === 'audit' && reloadAudit(),
    'incidents.changed': ({ ids, incidents }) => {
      if (!s().canRead()) return;
      if (incidents) mergeAtFrame(ids, incidents);
      else {
        changedIds.push(...ids);
        refreshIncidents();
      }
    },
    'probes.changed': () => s().canRead() && s().view === 'health' && reloadHealth(),
    'runbooks.changed': () => s().canRead() && reloadRunbooks(),
    // who is on call changed (an override here or from another console): the board and an open detail name the new person
    'schedules.changed': () => {
      if (!s().canRead()) return;
      if (s().onCall) reloadOnCall();
      const open = s().incidents.selectedId;
      if (open) void s().selectIncident(open);
    },
    page: (page) => s().onPage(page),
    'incident.focus': ({ id }) => {
      if (!s().canRead()) return;
      s().setView('incidents');
      void s().selectIncident(id);
      focusWindow();
    },
  });
}
