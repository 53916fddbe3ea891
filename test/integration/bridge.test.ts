import { request as httpRequest } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import WebSocket from 'ws';
import { startBridge, BRIDGE_PROTOCOL, type Bridge } from '../../src/main/web/bridge.js';
import { consoleTest } from '../support/fixtures.js';

interface Answer {
  status: number;
  body: { ok: boolean; result?: unknown; error?: { code: string; category: string; message: string } };
}

function post(bridge: Bridge, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: bridge.port, path: '/api/request', method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Answer['body'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function connectEvents(bridge: Bridge, protocols: string[], headers: Record<string, string> = {}): Promise<{ ws: WebSocket | null; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events`, protocols, { headers });
    ws.on('open', () => resolve({ ws, status: 101 }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws: null, status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ ws: null, status: -1 }));
  });
}

const signIn = JSON.stringify({ name: 'operator.signIn', input: { userId: 'rn.jones', displayName: 'R. Jones' } });

/** a started console behind a bridge serving a stub renderer; `auth` carries the bridge's token and origin */
const it = consoleTest.extend<{ bridge: Bridge; auth: Record<string, string>; snapshot: () => unknown }>({
  bridge: async ({ oncall, dir }, use) => {
    mkdirSync(`${dir}/renderer`);
    writeFileSync(`${dir}/renderer/index.html`, '<!doctype html><title>t</title>');
    const bridge = await startBridge({ handlers: oncall.handlers, events: oncall.events, staticDir: `${dir}/renderer` });
    await use(bridge);
    await bridge.close();
  },
  auth: async ({ bridge }, use) => use({ authorization: `Bearer ${bridge.token}`, origin: bridge.origin }),
  /** Whatever a refused request was, nothing may have changed. */
  snapshot: async ({ oncall }, use) => use(() => ({ audit: oncall.services().audit.stats(), operator: oncall.status().operator })),
});

describe('browser-mode bridge', () => {
  it('serves the renderer with a strict CSP, no framing, no sniffing, and no path traversal', async ({ bridge }) => {
    const res = await fetch(bridge.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${bridge.port}`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const traversal = await fetch(`${bridge.url}..%2f..%2f..%2fetc%2fpasswd`);
    expect(traversal.status).toBe(404);
  });

  it('answers a malformed percent-encoding in a static path with 400, not 500', async ({ bridge }) => {
    for (const path of ['%E0%A4%A', '%', 'assets/%zz.js', '%C0%AF']) {
      const res = await fetch(`${bridge.url}${path}`);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('E_BAD_PATH');
    }
  });

  it('listens on loopback only, with a token that is not guessable', async ({ bridge }) => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.token.length).toBeGreaterThanOrEqual(43);
    const link = bridge.launchUrl;
    expect(link).toMatch(new RegExp(`^${bridge.origin}/launch\\?code=[A-Za-z0-9_-]{32}$`));
    expect(link).not.toContain(bridge.token);
  });

  it('exchanges a launch code once for an HttpOnly, SameSite=Strict session cookie that authenticates requests', async ({ bridge }) => {
    const link = bridge.launchUrl;
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^oncall_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const session = cookie.split(';')[0]!;
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(403); // single use
    expect(again.headers.get('set-cookie')).toBeNull();
    const withCookie = await fetch(`${bridge.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bridge.origin, cookie: session }, body: JSON.stringify({ name: 'console.status', input: {} }) });
    expect(withCookie.status).toBe(200);
    const forged = await fetch(`${bridge.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bridge.origin, cookie: 'oncall_session=guessed' }, body: JSON.stringify({ name: 'console.status', input: {} }) });
    expect(forged.status).toBe(401);
  });

  it('lets a launch code expire after its time', async ({ oncall }) => {
    const short = await startBridge({ handlers: oncall.handlers, events: oncall.events, launchCodeTtlMs: 50 });
    try {
      const link = short.launchUrl;
      await new Promise((r) => setTimeout(r, 120));
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(short.launchUrl, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await short.close();
    }
  });

  it('refuses a request without the token and changes nothing', async ({ bridge, auth, snapshot }) => {
    const before = snapshot();
    const a = await post(bridge, signIn, { origin: bridge.origin });
    expect(a.status).toBe(401);
    expect(a.body.error).toMatchObject({ code: 'E_BRIDGE_TOKEN_MISSING', category: 'auth' });
    expect(snapshot()).toEqual(before);
  });

  it('refuses a request with a wrong token and changes nothing', async ({ bridge, snapshot }) => {
    const before = snapshot();
    const a = await post(bridge, signIn, { origin: bridge.origin, authorization: `Bearer ${bridge.token.slice(0, -1)}x` });
    expect(a.status).toBe(401);
    expect(a.body.error?.code).toBe('E_BRIDGE_TOKEN');
    expect(a.body.error?.message).toMatch(/token is wrong/);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a request from another origin even with the right token', async ({ bridge, auth, snapshot }) => {
    const before = snapshot();
    const a = await post(bridge, signIn, { ...auth, origin: 'http://evil.example' });
    expect(a.status).toBe(403);
    expect(a.body.error?.code).toBe('E_BRIDGE_ORIGIN');
    expect(snapshot()).toEqual(before);
  });

  it('refuses a foreign Host header (DNS rebinding) and changes nothing', async ({ bridge, auth, snapshot }) => {
    const before = snapshot();
    const a = await post(bridge, signIn, { ...auth, host: `attacker.example:${bridge.port}` });
    expect(a.status).toBe(421);
    expect(a.body.error?.code).toBe('E_BRIDGE_HOST');
    expect(snapshot()).toEqual(before);
  });

  it('refuses an input that fails the schema, naming the field, and changes nothing', async ({ bridge, auth, snapshot }) => {
    const before = snapshot();
    const a = await post(bridge, JSON.stringify({ name: 'operator.signIn', input: { userId: 'rn jones!', displayName: '' } }), auth);
    expect(a.status).toBe(400);
    expect(a.body.error?.code).toBe('E_INVALID_INPUT');
    expect(a.body.error?.message).toContain('userId: may contain only letters, digits and . _ @ -');
    expect(a.body.error?.message).toContain('displayName: must not be empty');
    expect(snapshot()).toEqual(before);
  });

  it('refuses malformed JSON, a missing name, an unknown request and an oversized body', async ({ bridge, auth, snapshot }) => {
    const before = snapshot();
    expect((await post(bridge, '{"name": ', auth)).body.error?.code).toBe('E_BAD_JSON');
    expect((await post(bridge, '{"input": {}}', auth)).body.error?.code).toBe('E_INVALID_INPUT');
    const unknown = await post(bridge, JSON.stringify({ name: 'audit.delete', input: {} }), auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('E_UNKNOWN_REQUEST');
    const big = await post(bridge, JSON.stringify({ name: 'console.status', input: { pad: 'x'.repeat(1_100_000) } }), auth);
    expect(big.status).toBe(413);
    expect(snapshot()).toEqual(before);
  });

  it('answers a valid request and pushes the change as an event after commit', async ({ oncall, bridge, auth }) => {
    const { ws } = await connectEvents(bridge, [BRIDGE_PROTOCOL, `bearer.${bridge.token}`], { origin: bridge.origin });
    expect(ws).not.toBeNull();
    const events: { event: string; payload: { operator?: { userId: string } | null; lastSeq?: number } }[] = [];
    ws!.on('message', (m) => events.push(JSON.parse(m.toString()) as (typeof events)[number]));
    const a = await post(bridge, signIn, auth);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ ok: true, result: { userId: 'rn.jones' } });
    await expect.poll(() => events.map((e) => e.event)).toContain('status.changed');
    const status = events.find((e) => e.event === 'status.changed')!;
    expect(status.payload.operator?.userId).toBe('rn.jones');
    const appended = events.find((e) => e.event === 'audit.appended')!;
    expect(oncall.services().audit.list({ operator: 'rn.jones' }, 10).records.map((r) => r.seq)).toContain(appended.payload.lastSeq);
    ws!.close();
  });

  it('refuses an event socket without the token, with a wrong token or from another origin', async ({ bridge }) => {
    expect((await connectEvents(bridge, [BRIDGE_PROTOCOL], { origin: bridge.origin })).status).toBe(401);
    expect((await connectEvents(bridge, [BRIDGE_PROTOCOL, 'bearer.wrong'], { origin: bridge.origin })).status).toBe(401);
    expect((await connectEvents(bridge, [BRIDGE_PROTOCOL, `bearer.${bridge.token}`], { origin: 'http://evil.example' })).status).toBe(403);
  });
});
