import { afterAll, describe, expect, it } from 'vitest';
import { Relay } from '../../src/relay/server.js';
import { tempDir } from '../helpers.js';
import { nativeAlert, post, startRelay, TestConsoleFeed, TOKENS, waitFor } from '../support/relay-fixture.js';

const TOTAL = 10_000;
const PER_REQUEST = 20;
const SENDERS = 4;

describe('no alert lost, ever', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it(`delivers ${TOTAL} alerts exactly once, in order, through terminates, console restarts and relay restarts`, async () => {
    let relay: Relay = await startRelay(`${dir}/relay`, { rateLimit: { alertsPerSecond: 1e6, burst: 1e6 }, heartbeatMs: 500 });
    const port = Number(new URL(relay.url).port);
    const relayId = relay.store.relayId;
    const consoleFeed = new TestConsoleFeed(`${dir}/console`, {
      url: relay.streamUrl,
      token: TOKENS.wardA,
      pingIntervalMs: 500,
      backoff: { initialMs: 10, maxMs: 100 },
      breaker: { threshold: 1000, halfOpenAfterMs: 100 },
    }).start();

    // Producers: like Alertmanager, retry until the relay answers 2xx.
    let next = 0;
    let retries = 0;
    const send = async () => {
      for (;;) {
        const start = next;
        if (start >= TOTAL) return;
        next += PER_REQUEST;
        const alerts = Array.from({ length: Math.min(PER_REQUEST, TOTAL - start) }, (_, i) => nativeAlert(`loss-${start + i}`));
        for (;;) {
          try {
            const r = await post(`http://127.0.0.1:${port}/v1/alerts`, JSON.stringify({ alerts }), { connection: 'close' });
            if (r.status === 202) break;
          } catch {
            // connection refused or reset while the relay restarts
          }
          retries++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const producing = Promise.all(Array.from({ length: SENDERS }, send));

    // Chaos while producing: each kind of cut, in turn.
    const cuts = { terminate: 0, consoleRestart: 0, relayRestart: 0 };
    let producingDone = false;
    void producing.then(() => (producingDone = true));
    let round = 0;
    while (!producingDone) {
      await new Promise((r) => setTimeout(r, 60));
      const kind = round++ % 3;
      if (kind === 0) {
        relay.terminateConsoles();
        cuts.terminate++;
      } else if (kind === 1) {
        await consoleFeed.restart();
        cuts.consoleRestart++;
      } else {
        await relay.close();
        relay = await startRelay(`${dir}/relay`, { listen: { host: '127.0.0.1', port }, rateLimit: { alertsPerSecond: 1e6, burst: 1e6 }, heartbeatMs: 500 });
        cuts.relayRestart++;
      }
    }
    await producing;
    expect(relay.store.relayId).toBe(relayId);
    expect(relay.store.count()).toBe(TOTAL);

    await waitFor(() => consoleFeed.store.cursor(relayId) === relay.store.lastSeq(), 30_000, 'console caught up');
    const seqs = consoleFeed.store.seqs(relayId); // in the order the console stored them
    expect(seqs.length).toBe(TOTAL);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    const keys = consoleFeed.db.prepare('SELECT key FROM feed_alert').pluck().all() as string[];
    expect(new Set(keys).size).toBe(TOTAL);
    console.info(`[loss test] ${TOTAL} alerts, cuts ${JSON.stringify(cuts)}, sender retries ${retries}: all held once, in order`);
    expect(cuts.terminate + cuts.consoleRestart + cuts.relayRestart).toBeGreaterThanOrEqual(3);

    await consoleFeed.close();
    await relay.close();
  }, 120_000);
});
