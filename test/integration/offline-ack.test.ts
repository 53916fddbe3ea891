import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsole, type OnCallConsole } from '../../src/main/core/console.js';
import { resolveConfig } from '../../src/main/core/config.js';
import type { Relay } from '../../src/relay/server.js';
import { tempDir } from '../helpers.js';
import { nativeAlert, post, startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';

function consoleFor(dataDir: string, relayUrl: string, tokenFile: string): OnCallConsole {
  const config = resolveConfig({ argv: ['--data-dir', dataDir, '--relay-url', relayUrl, '--relay-token-file', tokenFile, '--relay-ping-ms', '300', '--probes', 'none'], env: {}, version: 'test' });
  return createConsole(config, { notificationSink: null, tickMs: 100 });
}

describe('acknowledging while the relay is down', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it('commits three acks offline, syncs each exactly once when the relay returns, and a second console sees who acknowledged', async () => {
    let relay: Relay = await startRelay(`${dir}/relay`);
    const port = Number(new URL(relay.url).port);
    writeFileSync(`${dir}/a.token`, TOKENS.wardA);
    writeFileSync(`${dir}/b.token`, TOKENS.wardB);
    const a = consoleFor(`${dir}/a`, relay.streamUrl, `${dir}/a.token`);
    const b = consoleFor(`${dir}/b`, relay.streamUrl, `${dir}/b.token`);
    await a.start();
    await b.start();
    a.services().operator.signIn('rn.jones', 'Rita Jones');
    await waitFor(() => a.status().feed.state === 'connected' && b.status().feed.state === 'connected', 10_000, 'both connected');

    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('off-1'), nativeAlert('off-2'), nativeAlert('off-3')] }));
    await waitFor(() => a.services().incidents.list().length === 3 && b.services().incidents.list().length === 3, 10_000, 'incidents at both');

    await relay.close();
    await waitFor(() => a.status().feed.state !== 'connected', 10_000, 'console sees the relay gone');
    const ids = a.services().incidents.list().map((i) => i.id);
    for (const id of ids) a.services().incidents.acknowledge(id, a.status().operator);
    const offline = a.services().incidents.list();
    expect(offline.every((i) => i.state === 'acknowledged' && i.pendingSync)).toBe(true);
    expect(a.status().incidents.pendingSync).toBe(3);

    relay = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port } });
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
    await relay.close();
  }, 60_000);
});
