// The renderer store against a real console in this process (no Chromium):
// what an acknowledgement costs, and what is left in memory after sign-out
// and lock.
import { describe, expect } from 'vitest';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { createConsoleStore, type ConsoleStoreHook } from '../../src/renderer/state/store.js';
import { wireEvents } from '../../src/renderer/state/events.js';
import { alertBuilder } from '../support/alerts.js';
import { inProcessClient, type CountingClient } from '../support/in-process-client.js';
import { consoleTest } from '../support/fixtures.js';

const SUMMARY = 'Sepsis score stale for ward 4 West';
const alert = alertBuilder('relay-r', { severity: 'SEV1', summary: SUMMARY, service: 'sepsis-model' });
/** Past the renderer's 250 ms coalescing of reloads, so what a step causes is all counted within it. */
const settle = async () => {
  for (let i = 0; i < 80; i++) await new Promise((r) => setTimeout(r, 5));
};

describe('renderer store over a real console', () => {
  let oncall: OnCallConsole;
  let client: CountingClient;
  let store: ConsoleStoreHook;
  const events: string[] = [];
  consoleTest.beforeEach(async ({ oncall: started }) => {
    oncall = started;
    client = inProcessClient(oncall);
    store = createConsoleStore(client);
    wireEvents(client, store);
    oncall.events.on((name) => events.push(name));
    expect(await store.getState().signIn('rn.jones', 'Rita Jones')).toBe(true);
    oncall.services().intake.receive('relay-r', [alert('sepsis-stale'), alert('api-down', { severity: 'SEV2', summary: 'API latency above 2 s' })]);
    await store.getState().loadIncidents();
    await settle();
  });

  consoleTest('acknowledges with one request and one event, and shows the result at once', async () => {
    const target = store.getState().incidents.items.find((i) => i.summary === SUMMARY)!;
    await store.getState().selectIncident(target.id);
    await settle();
    client.requests.length = 0;
    events.length = 0;
    expect(await store.getState().incidentAction('acknowledge', target.id)).toBe(true);
    await settle();
    const changed = events.filter((e) => e === 'incidents.changed').length;
    console.info(`[renderer-store] acknowledgement: ${client.requests.length} request(s) (${client.requests.join(', ')}), ${changed} incidents.changed event(s)`);
    expect(client.requests).toEqual(['incidents.acknowledge']);
    expect(changed).toBe(1);
    const s = store.getState().incidents;
    expect(s.byId[target.id]!.state).toBe('acknowledged');
    expect(s.detail?.incident.state).toBe('acknowledged');
    expect(s.detail?.timeline.some((t) => t.kind === 'acknowledged')).toBe(true);
  });

  consoleTest('merges a change made elsewhere from the event, and fetches the detail only for the selected incident', async () => {
    const other = store.getState().incidents.items.find((i) => i.summary !== SUMMARY)!;
    const selected = store.getState().incidents.items.find((i) => i.summary === SUMMARY)!;
    await store.getState().selectIncident(selected.id);
    await settle();
    client.requests.length = 0;
    oncall.services().incidents.note(other.id, 'ward called back', oncall.services().operator.operator);
    await settle();
    expect(client.requests).toEqual([]);
    oncall.services().incidents.note(selected.id, 'lab confirmed', oncall.services().operator.operator);
    await settle();
    expect(client.requests).toEqual(['incidents.get', 'runbooks.runs']);
    expect(store.getState().incidents.detail?.timeline.some((t) => t.text.includes('lab confirmed'))).toBe(true);
  });

  consoleTest('holds no incident text after sign-out', async () => {
    await store.getState().selectIncident(store.getState().incidents.items[0]!.id);
    await store.getState().loadAudit(true);
    await settle();
    expect(JSON.stringify(store.getState())).toContain(SUMMARY);
    await store.getState().signOut();
    await settle();
    const held = JSON.stringify(store.getState());
    expect(held).not.toContain(SUMMARY);
    expect(held).not.toContain('sepsis-stale');
    expect(store.getState().incidents.items).toEqual([]);
    expect(store.getState().audit.records).toEqual([]);
  });

  consoleTest('holds no incident text once the console locks, and takes none in while locked', async () => {
    await store.getState().selectIncident(store.getState().incidents.items[0]!.id);
    await settle();
    oncall.services().operator.lock('manual');
    await store.getState().refreshStatus();
    await settle();
    expect(JSON.stringify(store.getState())).not.toContain(SUMMARY);
    oncall.services().intake.receive('relay-r', [alert('while-locked', { summary: 'Readmission model timeout while locked' })]);
    await settle();
    expect(JSON.stringify(store.getState())).not.toContain('while locked');
  });
});
