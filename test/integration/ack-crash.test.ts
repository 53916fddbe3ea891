import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/server.js';
import type { Incident, IncidentDetail } from '../../src/shared/domain/incident.js';
import { startBrowserMode, type RunningConsole } from '../support/browser-mode.js';
import { nativeAlert, post, startRelay, TOKENS, waitFor } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

async function call<T>(c: RunningConsole, name: string, input: unknown): Promise<T> {
  const token = c.token;
  const r = await fetch(`${c.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name, input }) });
  const body = (await r.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.result;
}

describe('kill -9 between an ack and its sync', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it('keeps the ack, still pending, and syncs it once after restart', async () => {
    let relay: Relay = await startRelay(`${dir}/relay`);
    const port = Number(new URL(relay.url).port);
    writeFileSync(`${dir}/token`, TOKENS.wardA);
    const args = ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--relay-ping-ms', '300', '--notify-sink', 'none'];
    let c = await startBrowserMode(`${dir}/console`, args);
    await call(c, 'operator.signIn', { userId: 'eng.lee', displayName: 'Sam Lee' }); // details are served to a signed-in operator only
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('crash-1', { severity: 'SEV1' })));
    let incidents: Incident[] = [];
    const list = async () => (incidents = (await call<{ incidents: Incident[] }>(c, 'incidents.list', {})).incidents);
    for (let i = 0; i < 100 && (await list()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(incidents).toHaveLength(1);
    const id = incidents[0]!.id;

    await relay.close(); // the ack cannot sync now
    const acked = await call<IncidentDetail>(c, 'incidents.acknowledge', { id });
    expect(acked.incident).toMatchObject({ state: 'acknowledged', pendingSync: true });
    c.child.kill('SIGKILL');
    await new Promise((r) => c.child.once('exit', r));

    c = await startBrowserMode(`${dir}/console`, args);
    await call(c, 'operator.signIn', { userId: 'eng.lee', displayName: 'Sam Lee' });
    const after = await call<IncidentDetail>(c, 'incidents.get', { id });
    expect(after.incident).toMatchObject({ state: 'acknowledged', pendingSync: true, acknowledgedBy: 'Sam Lee (eng.lee)' });

    relay = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port } });
    let synced = false;
    for (let i = 0; i < 200 && !synced; i++) {
      synced = !(await call<IncidentDetail>(c, 'incidents.get', { id })).incident.pendingSync;
      if (!synced) await new Promise((r) => setTimeout(r, 50));
    }
    expect(synced).toBe(true);
    await waitFor(() => relay.store.ackCount() === 1, 5000, 'ack at relay');
    expect(relay.store.ackCount()).toBe(1);
    const audit = await call<{ records: { action: string; operator: string }[] }>(c, 'audit.list', { action: 'incident.acknowledged' });
    expect(audit.records).toEqual([expect.objectContaining({ operator: 'eng.lee' })]);
    expect(await c.stop()).toBe(0);
    await relay.close();
  }, 60_000);
});
