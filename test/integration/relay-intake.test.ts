// The relay's HTTP boundary as senders and attackers meet it: Host and Origin,
// content types a browser can send without a preflight, the Bearer scheme, the
// status codes each sender retries on, field paths in errors, pages bounded by
// bytes, and per-alert quarantine at the console.
import { request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
import { describe, expect } from 'vitest';
import WebSocket from 'ws';
import { RELAY_SUBPROTOCOL } from '../../src/shared/relay-protocol.js';
import { relayTest as it } from '../support/fixtures.js';
import { httpCall, nativeAlert, post, TOKENS, waitFor } from '../support/relay-fixture.js';

const raw = httpCall;

/** A WebSocket upgrade with a Host of our choosing (the ws client always writes its own). */
function rawUpgrade(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url.replace('ws:', 'http:'), {
      setHost: false,
      headers: { Host: host, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': RELAY_SUBPROTOCOL, Authorization: `Bearer ${TOKENS.wardA}` },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(url: string, protocols: string[], headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

function amBody(n: number, group: string, annotations: Record<string, string> = {}) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${group}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'oncall-relay',
    groupLabels: { alertname: group },
    commonLabels: { alertname: group },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.hospital.example:9093',
    alerts: Array.from({ length: n }, (_, i) => ({
      status: 'firing',
      labels: { alertname: group, instance: `node-${i}:9100`, severity: 'warning' },
      annotations: { summary: `instance ${i} down`, ...annotations },
      startsAt: '2026-11-23T03:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.hospital.example:9090/graph?g0.expr=up%3D%3D0&i=${i}`,
      fingerprint: (0x1000000 + i).toString(16).padStart(16, '0'),
    })),
  };
}

describe('relay HTTP boundary', () => {
  it.override({ relayConfig: { rateLimit: { alertsPerSecond: 100, burst: 200 }, maxPageBytes: 256 * 1024, publicHosts: ['relay.hospital.example'] } });

  it('answers only its own host names (DNS rebinding gets 421) on ingest, /metrics, /healthz and the stream', async ({ relay }) => {
    const before = relay.store.count();
    const port = new URL(relay.url).port;
    for (const host of ['rebind.example', `rebind.example:${port}`, 'attacker.localhost.example', '']) {
      const headers = { Host: host, 'content-type': 'application/json' };
      expect((await raw(`${relay.url}/v1/alerts`, 'POST', headers, JSON.stringify(nativeAlert('rebind')))).status, host).toBe(421);
      expect((await raw(`${relay.url}/healthz`, 'GET', { Host: host })).status).toBe(421);
      expect((await raw(`${relay.url}/metrics`, 'GET', { Host: host })).status).toBe(421);
      expect(await rawUpgrade(relay.streamUrl, host)).toBe(421);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'relay.hospital.example', `RELAY.hospital.example:${port}`]) {
      expect((await raw(`${relay.url}/healthz`, 'GET', { Host: host })).status, host).toBe(200);
    }
    expect(await rawUpgrade(relay.streamUrl, `localhost:${port}`)).toBe(101);
    expect(relay.store.count()).toBe(before);
  });

  it('refuses every content type a cross-site page can send without a preflight, and any foreign Origin', async ({ relay }) => {
    const before = relay.store.count();
    const body = JSON.stringify(nativeAlert('cors-forged', { severity: 'SEV1' }));
    for (const type of ['text/plain', 'text/plain;charset=json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-seq', 'application/jsonx', 'text/json', '']) {
      const a = await post(`${relay.url}/v1/alerts`, body, { 'content-type': type });
      expect(a.status, type).toBe(415);
      expect(a.body.code).toBe('E_CONTENT_TYPE');
    }
    const fromPage = await post(`${relay.url}/v1/alerts`, body, { origin: 'http://intranet.hospital.example' });
    expect(fromPage.status).toBe(403);
    const nullOrigin = await post(`${relay.url}/v1/alerts`, body, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    expect(relay.store.count()).toBe(before);
    const ok = await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('typed-ok')), { 'content-type': 'Application/JSON; charset=UTF-8' });
    expect(ok.status).toBe(202);
  });

  it('requires the Bearer scheme for credentials and its subprotocol for the stream', async ({ relay }) => {
    const basic = await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('basic')), { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);
    expect(basic.body.code).toBe('E_AUTH_SCHEME');
    expect(await upgrade(relay.streamUrl, [], { Authorization: `Bearer ${TOKENS.wardA}` })).toBe(400);
    expect(await upgrade(relay.streamUrl, ['other.v1'], { Authorization: `Bearer ${TOKENS.wardA}` })).toBe(400);
    expect(await upgrade(relay.streamUrl, [RELAY_SUBPROTOCOL], { Authorization: `Token ${TOKENS.wardA}` })).toBe(401);
    expect(await upgrade(relay.streamUrl, [RELAY_SUBPROTOCOL], { Authorization: `bearer ${TOKENS.wardA}` })).toBe(101);
  });

  it('names the field path of a native schema error, in a batch and alone', async ({ relay }) => {
    const batch = { alerts: [nativeAlert('ok-1'), nativeAlert('ok-2'), nativeAlert('ok-3'), { ...nativeAlert('bad'), severity: 'P1' }] };
    const a = await post(`${relay.url}/v1/alerts`, JSON.stringify(batch));
    expect(a.status).toBe(400);
    expect(a.body.message).toMatch(/^alerts\[3\]\.severity: /);
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    const b = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('ok'), { ...nativeAlert('wide'), labels }] }));
    expect(b.status).toBe(400);
    expect(b.body.message).toContain('alerts[1].labels: at most 64 entries');
    const c = await post(`${relay.url}/v1/alerts`, JSON.stringify({ ...nativeAlert('alone'), summary: 7 }));
    expect(c.status).toBe(400);
    expect(c.body.message).toMatch(/^summary: /);
    expect(c.body.message).not.toContain('(input)');
  });

  it('answers Alertmanager overload with 503 and Retry-After (it retries only 5xx), never 4xx; admits a group larger than the burst', async ({ relay }) => {
    await new Promise((r) => setTimeout(r, 100)); // let the bucket fill
    const big = await post(`${relay.url}/v1/alertmanager`, JSON.stringify(amBody(600, 'BurstGroup')));
    expect(big.status).toBe(202); // 600 > burst 200, bucket full: admitted
    const next = await post(`${relay.url}/v1/alertmanager`, JSON.stringify(amBody(50, 'AfterBurst')));
    expect(next.status).toBe(503);
    expect(next.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('bounds console pages by bytes as well as count', async ({ relay, feed: feedOn }) => {
    const feed = feedOn('console-pages', TOKENS.wardA, { pingIntervalMs: 1000 });
    const sizes: number[] = [];
    const ws = new WebSocket(relay.streamUrl, [RELAY_SUBPROTOCOL], { headers: { Authorization: `Bearer ${TOKENS.wardB}` } });
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string };
      if (f.type === 'hello') ws.send(JSON.stringify({ type: 'subscribe', since: 0 }));
      if (f.type === 'alerts') sizes.push((d as Buffer).length);
    });
    // 40 alerts of ~32 KB (8 annotations of 4,000 characters): 1.3 MB in all, over 5 pages of at most 256 KiB
    const annotations = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`part${i}`, 'x'.repeat(4000)]));
    const res = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 40 }, (_, i) => nativeAlert(`wide-${i}`, { annotations })) }));
    expect(res.status).toBe(202);
    feed.start();
    const last = relay.store.lastSeq();
    await waitFor(() => feed.store.cursor(relay.store.relayId) >= last, 10_000, 'console caught up');
    await waitFor(() => sizes.length > 0 && sizes.reduce((a, b) => a + b, 0) > 1_200_000, 10_000, 'raw subscriber caught up');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024);
    ws.close();
    await feed.client.stop();
    // a console that reads less than the relay sends says why it cannot catch up
    const narrow = feedOn('console-narrow', TOKENS.wardA, { pingIntervalMs: 1000, maxPayload: 64 * 1024 }).start();
    await waitFor(() => narrow.logged.includes('E_FEED_FRAME_TOO_LARGE'), 10_000, 'a log line naming the oversize frame');
  });

  describe('with pages of 64 KiB', () => {
    it.override({ relayConfig: { maxPageBytes: 64 * 1024 } });
    it('refuses at ingest, with 413 naming the limit, a single alert that could not fit in a page', async ({ relay: small }) => {
      const before = small.store.count();
      const labels = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]));
      const a = await post(`${small.url}/v1/alerts`, JSON.stringify(nativeAlert('huge', { labels })));
      expect(a.status).toBe(413);
      expect(a.body.message).toContain('maxPageBytes');
      expect(small.store.count()).toBe(before);
    });
  });
});

describe('console: one alert its schema refuses is quarantined, the rest of the page applied', () => {
  it('stores the valid SEV1s around a forged relay row, quarantines that one, and moves on', async ({ dir, relay, feed: feedOn }) => {
    const ok = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('sev1-a', { severity: 'SEV1' })] }));
    expect(ok.status).toBe(202);
    // A row a console refuses, as an older relay or a hand edit could leave: 65 labels.
    const db = new Database(`${dir}/relay/relay.db`);
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    db.prepare('INSERT INTO alerts (key, received_at, body) VALUES (?, ?, ?)').run('native:wide', new Date().toISOString(), JSON.stringify({ ...nativeAlert('wide'), key: 'native:wide', source: 'native', status: 'firing', labels, annotations: {}, links: [], startsAt: new Date().toISOString() }));
    db.prepare('INSERT INTO alerts (key, received_at, body) VALUES (?, ?, ?)').run('native:nojson', new Date().toISOString(), '{"key": 12}');
    db.close();
    const after = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('sev1-b', { severity: 'SEV1' })] }));
    expect(after.status).toBe(202);
    const feed = feedOn('console', TOKENS.wardA, { pingIntervalMs: 500 }).start();
    await waitFor(() => feed.received.length >= 2, 10_000, 'valid alerts');
    expect(feed.received.map((a) => a.key)).toEqual(['native:sev1-a', 'native:sev1-b']);
    expect(feed.store.cursor(relay.store.relayId)).toBe(relay.store.lastSeq());
    expect(feed.store.quarantinedCount()).toBe(2);
    console.log(`quarantine: relay rows 4, stored 2, quarantined ${feed.store.quarantinedCount()}, lost 0`);
  });
});
