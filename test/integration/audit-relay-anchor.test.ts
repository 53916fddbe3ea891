// The whole data folder (database, checkpoint file, key) restored from an
// older backup looks consistent from inside: only a copy held elsewhere can
// show the rollback. The relay keeps each console's newest signed checkpoint.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { relayTest as it } from '../support/fixtures.js';
import { nativeAlert, post, waitFor } from '../support/relay-fixture.js';

describe('audit checkpoints held by the relay', () => {
  it('shows a rollback of the whole data folder that the folder itself cannot show', async ({ dir, relay, relayConsole }) => {
    const data = join(dir, 'console');
    const run = async (alerts: number) => {
      const c = await relayConsole('console');
      await waitFor(() => c.status().feed.state === 'connected', 10_000, 'connected');
      c.services().operator.signIn('rn.okafor', 'Chidi Okafor');
      const before = c.services().incidents.list({ state: 'all' }).length;
      await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: alerts }, (_, i) => nativeAlert(`anchor-${before + i}`)) }));
      await waitFor(() => c.services().incidents.list({ state: 'all' }).length >= before + alerts, 10_000, 'incidents');
      await c.stop();
    };
    await run(5);
    cpSync(data, join(dir, 'older'), { recursive: true }); // an older backup of everything
    await run(20);
    const held = relay.store.checkpoint('ward-a')!;
    expect(held.seq).toBeGreaterThan(20);

    rmSync(data, { recursive: true, force: true });
    cpSync(join(dir, 'older'), data, { recursive: true }); // the folder rolled back as a whole
    const c = await relayConsole('console');
    expect(c.services().startupVerification.ok).toBe(true); // from inside, all is consistent
    await waitFor(() => c.services().incidents.findOpen('audit:integrity') !== null, 10_000, 'audit_trail_break from the relay copy');
    const fault = c.status().audit.lastVerification!.fault!;
    expect(fault.kind).toBe('rolled_back');
    expect(fault.message).toMatch(new RegExp(`the log ends at #\\d+, but the checkpoint held by the relay since .* is at #${held.seq}`));
    console.log(`relay anchor: ${fault.message}`);
    await new Promise((r) => setTimeout(r, 1500)); // the background full verification runs and still reports it
    expect(c.status().audit.lastVerification!.fault?.kind).toBe('rolled_back');
  }, 60_000);
});
