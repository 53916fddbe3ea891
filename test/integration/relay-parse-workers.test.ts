// Request bodies are parsed on worker threads. A worker that dies (killed,
// out of memory) must cost no alert: what it held is answered 503, which
// every sender retries (Alertmanager retries only 5xx), and the next request
// finds a new worker. Here four senders that retry like Alertmanager post
// while the worker is ended at random moments, again and again.
import { describe, expect } from 'vitest';
import type { RelayConfigInput } from '../../src/relay/config.js';
import { relayTest } from '../support/fixtures.js';
import { nativeAlert, post, waitFor } from '../support/relay-fixture.js';

const PER_REQUEST = 50;
const SENDERS = 4;
const CRASHES = 5;

const it = relayTest.extend<{ relayConfig: Partial<RelayConfigInput> }>({
  relayConfig: { rateLimit: { alertsPerSecond: 1e6, burst: 1e6 }, ingestWorkers: 1 },
});

describe('the relay parsing on worker threads', () => {
  it('loses and doubles nothing when its parsing worker dies with requests in flight', async ({ relay }) => {
    await waitFor(() => relay.parser.running === 1, 15_000, 'the parsing worker ready');
    let next = 0;
    let refused503 = 0;
    let crashes = 0;
    // the senders go on with new alerts until the worker has been ended CRASHES times with requests in flight
    const send = async () => {
      while (crashes < CRASHES) {
        const start = next;
        next += PER_REQUEST;
        const alerts = Array.from({ length: PER_REQUEST }, (_, i) => nativeAlert(`worker-${start + i}`));
        for (;;) {
          const r = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts }));
          if (r.status === 202) break;
          expect(r.status, JSON.stringify(r.body)).toBe(503);
          refused503++;
        }
      }
    };
    const sending = Promise.all(Array.from({ length: SENDERS }, send));
    while (crashes < CRASHES) {
      // a random moment once the worker is back (started again by the next request) and holds requests
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 20));
      if (relay.parser.running === 1 && relay.parser.inFlight > 0) {
        await relay.parser.crashOne();
        crashes++;
      }
    }
    await sending;
    const total = next;
    const keys = relay.store.readAfter(0, total * 2).map((a) => a.key);
    const lost = total - new Set(keys).size;
    const duplicated = keys.length - new Set(keys).size;
    console.info(`[parse workers] ${total} alerts, worker ended ${crashes} times holding requests, ${refused503} requests answered 503 and retried: lost ${lost}, duplicated ${duplicated}`);
    expect(refused503).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    // and the worker is back: a request after the storm is parsed by it
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('after')));
    await waitFor(() => relay.parser.running === 1, 15_000, 'the parsing worker started again');
  });
});
