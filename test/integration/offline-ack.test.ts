import { describe, expect, onTestFinished } from 'vitest';
import type { Relay } from '../../src/relay/server.js';
import { relayTest as it } from '../support/fixtures.js';
import { nativeAlert, post, startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';

describe('acknowledging while the relay is down', () => {
  it('commits three acks offline, syncs each exactly once when the relay returns, and a second console sees who acknowledged', async ({ dir, relay: first, relayConsole }) => {
    const port = Number(new URL(first.url).port);
    const a = await relayConsole('a');
    const b = await relayConsole('b', { token: TOKENS.wardB });
    let relay: Relay = first;
    a.services().operator.signIn('rn.jones', 'Rita Jones');
    await waitFor(() => a.status().feed.state === 'connected' && b.status().feed.state === 'connected', 10_000, 'both connected');

    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('off-1'), nativeAlert('off-2'), nativeAlert('off-3')] }));
    await waitFor(() => a.services().incidents.list().length === 3 && b.services().incidents.list().length === 3, 10_000, 'incidents at both');

    await first.close();
    await waitFor(() => a.status().feed.state !== 'connected', 10_000, 'console sees the relay gone');
    const ids = a.services().incidents.list().map((i) => i.id);
    for (const id of ids) a.services().incidents.acknowledge(id, a.status().operator);
    const offline = a.services().incidents.list();
    expect(offline.every((i) => i.state === 'acknowledged' && i.pendingSync)).toBe(true);
    expect(a.status().incidents.pendingSync).toBe(3);

    const back = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port } });
    onTestFinished(() => back.close());
    relay = back;
    await waitFor(() => a.services().incidents.list().every((i) => !i.pendingSync), 20_000, 'pending-sync markers clear');
    expect(relay.store.ackCount()).toBe(3);
    const ackIds = relay.store.db.prepare('SELECT id FROM acks').pluck().all() as string[];
    expect(new Set(ackIds).size).toBe(3);

    await waitFor(() => b.services().incidents.list().every((i) => i.state === 'acknowledged'), 20_000, 'second console sees the acks');
    for (const i of b.services().incidents.list()) expect(i.acknowledgedBy).toBe('Rita Jones (rn.jones) at ward-a');

    // a reconnect does not send them again
    relay.terminateConsoles();
    await waitFor(() => a.status().feed.state === 'connected', 10_000, 'reconnected');
    await a.services().outbox.drain();
    expect(relay.store.ackCount()).toBe(3);

    await a.stop();
    await b.stop();
  }, 60_000);
});
