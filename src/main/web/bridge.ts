import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch, type HandlerTable } from '../core/dispatch.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../platform/logger.js';
import { errorText } from '../../shared/safe-text.js';
import { refuse, securityHeaders as headers, sendJson } from './http-reply.js';
import { serveStatic } from './static-files.js';

export { contentSecurityPolicy } from './static-files.js';

export const BRIDGE_REQUEST_PATH = '/api/request';
export const BRIDGE_EVENTS_PATH = '/api/events';
export const BRIDGE_PROTOCOL = 'oncall.v1';
export const BRIDGE_LAUNCH_PATH = '/launch';
export const BRIDGE_LAUNCH_CODE_PATH = '/api/launch-code';
export const SESSION_COOKIE = 'oncall_session';
/** A launch code works once, and only this long. */
export const LAUNCH_CODE_TTL_MS = 60_000;
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface BridgeOptions {
  handlers: HandlerTable;
  events: EventBus;
  /** built renderer (index.html + assets); omitted in API-only tests */
  staticDir?: string;
  port?: number;
  token?: string;
  logger?: Logger;
  launchCodeTtlMs?: number;
}

export interface Bridge {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  /** the long-lived bearer token for programs (the --status CLI, tests); never on a command line */
  readonly token: string;
  /**
   * A URL a browser opens: a one-time launch code (single use, 60 s) that the
   * bridge exchanges for an HttpOnly, SameSite=Strict session cookie. Each
   * read mints a new code.
   */
  readonly launchUrl: string;
  close(): Promise<void>;
}

const STATUS_BY_CATEGORY: Record<string, number> = {
  input: 400,
  auth: 401,
  state: 409,
  integrity: 500,
  unavailable: 503,
  internal: 500,
};

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Browser mode: the contract's handler table over loopback HTTP (requests) and
 * WebSocket (events), protected by a per-launch token, Host and Origin checks.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const ttl = options.launchCodeTtlMs ?? LAUNCH_CODE_TTL_MS;
  const codes = new Map<string, number>(); // code -> expires at
  const sessions = new Set<string>();
  let origin = '';
  const mintLaunchUrl = () => {
    const now = Date.now();
    for (const [c, exp] of codes) if (exp <= now) codes.delete(c);
    const code = randomBytes(24).toString('base64url');
    codes.set(code, now + ttl);
    return `${origin}${BRIDGE_LAUNCH_PATH}?code=${code}`;
  };
  const cookieSession = (req: IncomingMessage): string | null => {
    for (const part of String(req.headers.cookie ?? '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === SESSION_COOKIE && v && sessions.has(v)) return v;
    }
    return null;
  };
  /** A program's bearer token, or a browser's session cookie. */
  const authorized = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return sameToken(auth.slice(7), token);
    return cookieSession(req) !== null;
  };
  let allowedHosts = new Set<string>();

  /** DNS-rebinding guard: only our own loopback host names. */
  const hostOk = (req: IncomingMessage) => allowedHosts.has(req.headers.host ?? '');
  /** A browser always sends Origin on POST and WS; a page elsewhere gets refused. */
  const originOk = (req: IncomingMessage) => req.headers.origin === undefined || req.headers.origin === origin;

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return refuse(res, 405, { code: 'E_METHOD', category: 'input', message: `use POST for ${BRIDGE_REQUEST_PATH}` });
    }
    if (!originOk(req)) {
      return refuse(res, 403, { code: 'E_BRIDGE_ORIGIN', category: 'auth', message: `requests from origin ${String(req.headers.origin).slice(0, 100)} are refused` });
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') && cookieSession(req) === null) {
      return refuse(res, 401, { code: 'E_BRIDGE_TOKEN_MISSING', category: 'auth', message: 'not authorised: open the console from the link it printed (Authorization: Bearer <token> for programs)' });
    }
    if (!authorized(req)) {
      return refuse(res, 401, { code: 'E_BRIDGE_TOKEN', category: 'auth', message: 'the bridge token is wrong; reopen the console from the URL it printed' });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse(res, 415, { code: 'E_CONTENT_TYPE', category: 'input', message: 'send the request as application/json' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) {
        res.setHeader('Connection', 'close');
        return refuse(res, 413, { code: 'E_TOO_LARGE', category: 'input', message: `request body exceeds ${MAX_REQUEST_BYTES} bytes` });
      }
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return refuse(res, 400, { code: 'E_BAD_JSON', category: 'input', message: 'the request body is not valid JSON' });
    }
    if (typeof body !== 'object' || body === null || typeof (body as { name?: unknown }).name !== 'string') {
      return refuse(res, 400, { code: 'E_INVALID_INPUT', category: 'input', message: 'name: expected the request name as a string, with its input under "input"' });
    }
    const { name, input } = body as { name: string; input?: unknown };
    const reply = await dispatch(options.handlers, name, input, { transport: 'bridge' }, options.logger);
    if (reply.ok) return sendJson(res, 200, reply);
    const status = reply.error.code === 'E_UNKNOWN_REQUEST' ? 404 : (STATUS_BY_CATEGORY[reply.error.category] ?? 500);
    return sendJson(res, status, reply);
  };

  /** The one-time code from the launch URL, exchanged once for a session cookie. */
  const handleLaunch = async (req: IncomingMessage, res: ServerResponse) => {
    const code = new URL(req.url ?? '/', origin).searchParams.get('code') ?? '';
    const expires = codes.get(code);
    codes.delete(code);
    headers(res);
    if (expires === undefined || expires <= Date.now()) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('This console link was used already or is older than 60 seconds. Get a fresh one from the command line: node dist/main/cli.cjs --launch-link (same --data-dir).\n');
      return;
    }
    const session = randomBytes(32).toString('base64url');
    sessions.add(session);
    res.writeHead(303, { Location: '/', 'Set-Cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/` });
    res.end();
  };

  /** A fresh launch link, for programs holding the bearer token (the CLI's --launch-link). */
  const handleLaunchCode = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !originOk(req) || !(req.headers.authorization ?? '').startsWith('Bearer ') || !authorized(req)) {
      return refuse(res, 401, { code: 'E_BRIDGE_TOKEN', category: 'auth', message: 'a launch link needs the bridge token' });
    }
    return sendJson(res, 200, { launchUrl: mintLaunchUrl() });
  };

  const server: Server = createServer((req, res) => {
    if (!hostOk(req)) {
      return refuse(res, 421, { code: 'E_BRIDGE_HOST', category: 'auth', message: 'unexpected Host header: the bridge answers only on its loopback address' });
    }
    const path = (req.url ?? '/').split('?')[0];
    const work =
      path === BRIDGE_REQUEST_PATH ? handleRequest(req, res) : path === BRIDGE_LAUNCH_PATH ? handleLaunch(req, res) : path === BRIDGE_LAUNCH_CODE_PATH ? handleLaunchCode(req, res) : serveStatic(req, res, options.staticDir, origin);
    work.catch((err: unknown) => {
      options.logger?.log('error', 'E_BRIDGE', `bridge request failed: ${errorText(err)}`);
      if (!res.headersSent) refuse(res, 500, { code: 'E_INTERNAL', category: 'internal', message: 'the bridge failed to answer; see the console log' });
    });
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096, // the renderer sends nothing over this socket
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const bearer = offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length) ?? '';
    const reject = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== BRIDGE_EVENTS_PATH || !hostOk(req)) return reject('404 Not Found');
    if (!originOk(req)) return reject('403 Forbidden');
    if (!sameToken(bearer, token) && cookieSession(req) === null) return reject('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', () => ws.close(1008, 'this socket only carries events from the console'));
      ws.on('error', () => ws.terminate());
    });
  });

  const unsubscribe = options.events.on((name, payload) => {
    const frame = JSON.stringify({ event: name, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`]);

  return {
    url: origin + '/',
    origin,
    port,
    token,
    get launchUrl() {
      return mintLaunchUrl();
    },
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'console stopping');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
