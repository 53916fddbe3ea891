import { describe, expect } from 'vitest';
import WebSocket from 'ws';
import type { RelayConfigInput } from '../../src/relay/config.js';
import { RELAY_SUBPROTOCOL } from '../../src/shared/relay-protocol.js';
import { relayTest } from '../support/fixtures.js';
import { nativeAlert, post, TOKENS } from '../support/relay-fixture.js';

function nested(levels: number): string {
  return '{"key":"deep","severity":"SEV1","summary":"x","service":"y","labels":' + '{"a":'.repeat(levels) + '"z"' + '}'.repeat(levels) + '}';
}

interface Upgrade {
  status: number;
  ws: WebSocket | null;
}
function connect(url: string, headers: Record<string, string>): Promise<Upgrade> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [RELAY_SUBPROTOCOL], { headers });
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_q, res) => resolve({ status: res.statusCode ?? 0, ws: null }));
    ws.on('error', () => resolve({ status: -1, ws: null }));
  });
}

/** a relay holding two alerts; `expectUnchangedAndUp` runs an attack and shows the relay kept everything and still answers */
const it = relayTest.extend<{ relayConfig: Partial<RelayConfigInput>; expectUnchangedAndUp: <T>(fn: () => Promise<T>) => Promise<T> }>({
  relayConfig: { rateLimit: { alertsPerSecond: 50, burst: 100 }, maxBodyBytes: 64 * 1024, maxFrameBytes: 4096 },
  expectUnchangedAndUp: async ({ relay }, use) => {
    const ok = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: [nativeAlert('before-1'), nativeAlert('before-2')] }));
    expect(ok.status).toBe(202);
    const snapshot = () => JSON.stringify({ alerts: relay.store.readAfter(0, 1000), last: relay.store.lastSeq(), acks: relay.store.ackCount() });
    await use(async (fn) => {
      const before = snapshot();
      const result = await fn();
      expect(snapshot()).toBe(before);
      const health = await fetch(`${relay.url}/healthz`);
      expect(health.status).toBe(200);
      return result;
    });
  },
});

describe('relay under bad and hostile input', () => {
  it('answers malformed JSON with 400 E_BAD_JSON', async ({ relay, expectUnchangedAndUp }) => {
    const a = await expectUnchangedAndUp(() => post(`${relay.url}/v1/alerts`, '{"key": "x", '));
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ code: 'E_BAD_JSON' });
  });

  it('answers wrong types with 400 E_SCHEMA naming the field path', async ({ relay, expectUnchangedAndUp }) => {
    const a = await expectUnchangedAndUp(() => post(`${relay.url}/v1/alertmanager`, JSON.stringify({ version: '4', status: 'firing', receiver: 'r', alerts: [{ status: 'firing', labels: { severity: 7 }, startsAt: 'now' }] })));
    expect(a.status).toBe(400);
    expect(a.body.code).toBe('E_SCHEMA');
    expect(a.body.message).toContain('alerts[0].labels.severity');
  });

  it('answers an unknown event_action with 400 naming the allowed values', async ({ relay, expectUnchangedAndUp }) => {
    const a = await expectUnchangedAndUp(() => post(`${relay.url}/v1/pagerduty`, JSON.stringify({ routing_key: 'R', event_action: 'escalate', dedup_key: 'd' })));
    expect(a.status).toBe(400);
    expect(a.body.message).toContain('event_action: must be one of trigger, acknowledge, resolve');
  });

  it('answers an oversized body with 413', async ({ relay, expectUnchangedAndUp }) => {
    const big = JSON.stringify(nativeAlert('big', { annotations: { blob: 'x'.repeat(70 * 1024) } }));
    const a = await expectUnchangedAndUp(() => post(`${relay.url}/v1/alerts`, big));
    expect(a.status).toBe(413);
    expect(a.body.code).toBe('E_TOO_LARGE');
  });

  it('answers 1,000 nested levels with 400 E_TOO_DEEP', async ({ relay, expectUnchangedAndUp }) => {
    const a = await expectUnchangedAndUp(() => post(`${relay.url}/v1/alerts`, nested(1000)));
    expect(a.status).toBe(400);
    expect(a.body.code).toBe('E_TOO_DEEP');
  });

  it('answers a flood over the rate limit with 429 and Retry-After, having stored what was within it', async ({ relay, expectUnchangedAndUp }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 10 }, (_, j) => nativeAlert(`flood-${i}-${j}`)) }));
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers['retry-after']).toMatch(/^\d+$/);
        expect(r.body.code).toBe('E_RATE_LIMITED');
      }
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const accepted = statuses.filter((s) => s === 202).length;
    expect(relay.store.count()).toBe(2 + accepted * 10);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/relay_requests_rejected_total\{source="native",reason="E_RATE_LIMITED"\} [1-9]/);
  });

  it('refuses a stream without a token, with a wrong token, or from a browser origin', async ({ relay, expectUnchangedAndUp }) => {
    await expectUnchangedAndUp(async () => {
      expect((await connect(relay.streamUrl, {})).status).toBe(401);
      expect((await connect(relay.streamUrl, { Authorization: `Bearer ${TOKENS.wardA.slice(0, -2)}zz` })).status).toBe(401);
      expect((await connect(relay.streamUrl, { Authorization: `Bearer ${TOKENS.wardA}`, Origin: 'http://evil.example' })).status).toBe(403);
    });
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/relay_frames_rejected_total\{reason="E_TOKEN"\} 1/);
  });

  it('answers bad frames with an error frame, closes on an oversized frame, and quarantines them', async ({ relay, expectUnchangedAndUp }) => {
    await expectUnchangedAndUp(async () => {
      const { ws } = await connect(relay.streamUrl, { Authorization: `Bearer ${TOKENS.wardA}` });
      const frames: { type: string; code?: string }[] = [];
      ws!.on('message', (d) => frames.push(JSON.parse(d.toString()) as { type: string; code?: string }));
      ws!.send('not json');
      ws!.send(JSON.stringify({ type: 'subscribe', since: -4 }));
      ws!.send('[' .repeat(1000) + ']'.repeat(1000));
      ws!.send(JSON.stringify({ type: 'ack', ack: { id: 'not-a-uuid', alertKey: 'k', action: 'acknowledge', operator: { userId: 'u', displayName: 'U' }, at: 'yesterday' } }));
      await new Promise((r) => setTimeout(r, 200));
      expect(frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['E_BAD_JSON', 'E_SCHEMA', 'E_TOO_DEEP', 'E_SCHEMA']);
      const closed = new Promise<number>((r) => ws!.on('close', (code) => r(code)));
      ws!.send('x'.repeat(8192));
      expect(await closed).toBe(1009); // message too big
    });
    const reasons = relay.store.quarantined().map((q) => q.reason);
    for (const r of ['E_BAD_JSON', 'E_SCHEMA', 'E_TOO_DEEP']) expect(reasons).toContain(r);
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/relay_frames_rejected_total\{reason="E_BAD_JSON"\} 1/);
    expect(metrics).toMatch(/relay_frames_rejected_total\{reason="E_TOO_DEEP"\} 1/);
  });
});
