import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import WebSocket from 'ws';
import { RELAY_SUBPROTOCOL } from '../../src/shared/relay-protocol.js';
import { relayTest as it } from '../support/fixtures.js';
import { nativeAlert, post, TOKENS, waitFor } from '../support/relay-fixture.js';

describe('relay ingest and the console feed', () => {
  it('normalises an Alertmanager webhook and streams it to a subscribed console', async ({ relay, feed }) => {
    const c = feed('c1').start();
    await waitFor(() => c.client.status().state === 'connected', 5000, 'connected');
    const answer = await post(`${relay.url}/v1/alertmanager`, JSON.stringify({
      version: '4', status: 'firing', receiver: 'oncall-console', groupLabels: { alertname: 'ModelAccuracyLow' },
      commonLabels: { alertname: 'ModelAccuracyLow', severity: 'critical', service: 'model-service' },
      commonAnnotations: { summary: 'model_accuracy_score below 0.90' }, externalURL: 'http://alertmanager.local',
      alerts: [{ status: 'firing', labels: { alertname: 'ModelAccuracyLow', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T08:00:00Z', generatorURL: 'http://prometheus.local/graph', fingerprint: 'a1b2c3d4e5f60718' }],
    }));
    expect(answer.status).toBe(202);
    await waitFor(() => c.received.length === 1, 5000, 'alert at console');
    expect(c.received[0]).toMatchObject({ key: 'am:a1b2c3d4e5f60718', source: 'alertmanager', status: 'firing', severity: 'SEV1', service: 'model-service', summary: 'model_accuracy_score below 0.90', seq: 1 });
  });

  it('maps PagerDuty trigger/acknowledge/resolve onto one key, answering like Events API v2', async ({ relay, feed }) => {
    const trigger = await post(`${relay.url}/v1/pagerduty`, JSON.stringify({ routing_key: 'R0UT1NGKEY', event_action: 'trigger', payload: { summary: 'API /health failing', source: 'api-gw', severity: 'error', component: 'api' } }));
    expect(trigger.status).toBe(202);
    expect(trigger.body).toMatchObject({ status: 'success', message: 'Event processed' });
    const dedup = trigger.body.dedup_key as string;
    const resolve = await post(`${relay.url}/v1/pagerduty`, JSON.stringify({ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: dedup }));
    expect(resolve.status).toBe(202);
    const stored = relay.store.readAfter(0, 10);
    expect(stored.map((a) => [a.key, a.status, a.severity, a.summary])).toEqual([
      [`pd:${dedup}`, 'firing', 'SEV2', 'API /health failing'],
      [`pd:${dedup}`, 'resolved', 'SEV2', 'API /health failing'],
    ]);
  });

  it('resumes after a disconnect with everything missed, nothing twice', async ({ relay, feed }) => {
    const c = feed('c2').start();
    await waitFor(() => c.client.status().state === 'connected');
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('k1'), nativeAlert('k2')] }));
    await waitFor(() => c.received.length === 2);
    await c.client.stop();
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('k3'), nativeAlert('k4'), nativeAlert('k5')] }));
    await c.restart();
    await waitFor(() => c.received.length === 5);
    expect(c.store.seqs(relay.store.relayId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('stores acks idempotently and broadcasts them to the other consoles', async ({ relay, feed }) => {
    const a = feed('a').start();
    const b = feed('b', TOKENS.wardB).start();
    await waitFor(() => a.client.status().state === 'connected' && b.client.status().state === 'connected');
    const ack = { id: randomUUID(), alertKey: 'native:k1', action: 'acknowledge' as const, operator: { userId: 'rn.jones', displayName: 'Rita Jones' }, at: new Date().toISOString() };
    expect(await a.client.sendAck(ack)).toBe('stored');
    expect(await a.client.sendAck(ack)).toBe('duplicate');
    await waitFor(() => b.acks.length === 1);
    expect(b.acks[0]).toEqual({ ack, consoleId: 'ward-a' });
    expect(a.acks).toEqual([]);
    expect(relay.store.ackCount()).toBe(1);
  });

  it('gives a console that was away the acks it missed, once', async ({ relay, feed }) => {
    const a = feed('ra').start();
    const b = feed('rb', TOKENS.wardB).start();
    await waitFor(() => a.client.status().state === 'connected' && b.client.status().state === 'connected');
    await b.client.stop();
    const ack = { id: randomUUID(), alertKey: 'native:k9', action: 'acknowledge' as const, operator: { userId: 'rn.jones', displayName: 'Rita Jones' }, at: new Date().toISOString() };
    expect(await a.client.sendAck(ack)).toBe('stored');
    expect(b.acks).toEqual([]);
    await b.restart();
    await waitFor(() => b.acks.length === 1, 5000, 'missed ack delivered');
    expect(b.acks[0]).toEqual({ ack, consoleId: 'ward-a' });
    await b.restart();
    await waitFor(() => b.client.status().state === 'connected');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.acks).toHaveLength(1);
  });

  it('detects a dead link within two ping intervals and reconnects', async ({ relay, feed }) => {
    const { createServer, connect } = await import('node:net');
    // a TCP proxy whose existing links we can freeze: bytes stop flowing, nothing is
    // closed. Only the links open at the time freeze, so a reconnect (which may start
    // within milliseconds of detection) gets a fresh, working link, as after a real outage.
    const frozen = new Set<import('node:net').Socket>();
    const sockets: import('node:net').Socket[] = [];
    const proxy = createServer((client) => {
      const upstream = connect(Number(new URL(relay.url).port), '127.0.0.1');
      sockets.push(client, upstream);
      client.on('data', (d) => !frozen.has(client) && upstream.write(d));
      upstream.on('data', (d) => !frozen.has(client) && client.write(d));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as import('node:net').AddressInfo).port;
    const ping = 250;
    const c = feed('c3', TOKENS.wardA, { url: `ws://127.0.0.1:${port}/v1/stream`, pingIntervalMs: ping });
    c.start();
    await waitFor(() => c.client.status().state === 'connected');
    for (const s of sockets) frozen.add(s);
    const t0 = Date.now();
    // (seen by its log line too: a reconnect on loopback can take less than one poll of the state)
    await waitFor(() => c.logged.includes('W_FEED_HEARTBEAT') || c.client.status().state !== 'connected', 10_000, 'dead link detected');
    const detectedMs = Date.now() - t0;
    // Detected by the heartbeat (nothing was closed: only a missing pong can tell), which
    // drops the link at the second tick without a pong: 2 intervals. The wall-clock bound
    // allows a second of timer latency, as on a loaded 2-core CI machine running the
    // whole suite; the heartbeat logic itself has no slack.
    expect(c.logged).toContain('W_FEED_HEARTBEAT');
    expect(detectedMs).toBeLessThanOrEqual(2 * ping + 1000);
    await waitFor(() => c.client.status().state === 'connected', 10_000, 'reconnected');
    expect(c.client.status().reconnects).toBeGreaterThanOrEqual(1);
    for (const s of sockets) s.destroy();
    proxy.close();
  });

  it('opens its circuit breaker after consecutive failures and shows the console offline', async ({ relay, feed }) => {
    const url = relay.streamUrl;
    await relay.close(); // the feed points at the dead port
    const c = feed('c4', TOKENS.wardA, { url, backoff: { initialMs: 5, maxMs: 20 }, breaker: { threshold: 3, halfOpenAfterMs: 60_000 } });
    c.start();
    await waitFor(() => c.client.status().breaker === 'open', 5000, 'breaker open');
    await waitFor(() => c.client.status().state === 'offline', 5000, 'offline');
    expect(c.client.status().detail).toMatch(/circuit open/);
  });

  it("names a refused token in the feed's state", async ({ relay, feed }) => {
    const c = feed('c5', 'x'.repeat(40)).start();
    await waitFor(() => /E_FEED_AUTH/.test(c.client.status().detail), 5000, 'auth error shown');
    expect(c.client.status().state).not.toBe('connected');
  });

  it('pages a slow console in bounded batches instead of buffering everything', async ({ relay, feed }) => {
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 1000 }, (_, i) => nativeAlert(`bulk-${i}`)) }));
    await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 1000 }, (_, i) => nativeAlert(`bulk2-${i}`)) }));
    const ws = new WebSocket(relay.streamUrl, [RELAY_SUBPROTOCOL], { headers: { Authorization: `Bearer ${TOKENS.wardA}` } });
    const frames: number[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; alerts?: unknown[] };
      if (f.type === 'hello') ws.send(JSON.stringify({ type: 'subscribe', since: 0 }));
      if (f.type === 'alerts') frames.push(f.alerts!.length);
    });
    await waitFor(() => frames.reduce((a, b) => a + b, 0) === 2000, 10_000, 'all alerts paged');
    expect(Math.max(...frames)).toBeLessThanOrEqual(relay.config.pageSize);
    expect(frames.length).toBeGreaterThanOrEqual(Math.ceil(2000 / relay.config.pageSize));
    ws.close();
  });

  it('serves /healthz and Prometheus /metrics', async ({ relay, feed }) => {
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('m1')));
    const health = await fetch(`${relay.url}/healthz`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(health).toMatchObject({ status: 'ok', lastSeq: 1 });
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/relay_alerts_received_total\{source="native"\} 1/);
    expect(metrics).toMatch(/relay_last_seq 1/);
  });
});
