// Who may talk to the relay over HTTP at all: the right Host (no DNS
import type { IncomingMessage, ServerResponse } from 'node:http';
// rebinding), no foreign browser Origin, JSON only (no CORS "simple request"
// can carry it), and the Bearer scheme for credentials.
import type { IncomingHttpHeaders } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a Host header, without the port, lower-case; null when unparsable. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : null;
  }
  const name = h.split(':')[0]!;
  return /^[a-z0-9.-]{1,253}$/.test(name) ? name : null;
}

export interface GuardConfig {
  listenHost: string;
  publicHosts: string[];
  allowedOrigins: string[];
}

/** Host names this relay answers to: loopback, the address it listens on, and the configured public names. */
export function allowedHosts(c: GuardConfig): Set<string> {
  const set = new Set(LOOPBACK_NAMES);
  const listen = c.listenHost.toLowerCase();
  if (listen !== '0.0.0.0' && listen !== '::') set.add(listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen);
  for (const h of c.publicHosts) {
    const name = hostName(h);
    if (name) set.add(name);
  }
  return set;
}

/** Every request and upgrade: refuse a Host not on the list (DNS rebinding) and any Origin not allowed (a browser page). */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, hosts: Set<string>, origins: string[]): void {
  const name = hostName(headers.host);
  if (!name || !hosts.has(name)) {
    throw new HttpError(421, 'E_HOST', `this relay does not answer for host "${String(headers.host ?? '').slice(0, 100)}" (add it to publicHosts)`);
  }
  const origin = headers.origin;
  if (origin !== undefined && !origins.includes(origin)) {
    throw new HttpError(403, 'E_ORIGIN', 'requests from a browser page are refused (Origin not in allowedOrigins)');
  }
}

/** `application/json`, optionally with `charset=utf-8`: nothing a cross-site form or text/plain request can send. */
export function checkJsonContentType(header: string | undefined): void {
  const parts = (header ?? '').split(';').map((p) => p.trim().toLowerCase());
  const [type, ...params] = parts;
  const paramsOk = params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
  if (type !== 'application/json' || !paramsOk) {
    throw new HttpError(415, 'E_CONTENT_TYPE', `Content-Type must be application/json (got "${(header ?? '').slice(0, 100)}")`);
  }
}

/** The credential of an `Authorization: Bearer <token>` header; undefined when absent; refuses any other scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw new HttpError(401, 'E_AUTH_SCHEME', 'Authorization must use the Bearer scheme: "Authorization: Bearer <token>"');
  return m[1];
}

/** The request body, refused (413) past `maxBytes` without holding more than that in memory. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        return;
      }
      if (!over) chunks.push(c);
    });
    req.on('end', () => (over ? reject(new HttpError(413, 'E_TOO_LARGE', `body exceeds ${maxBytes} bytes`, { Connection: 'close' })) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    req.on('aborted', () => reject(new HttpError(400, 'E_ABORTED', 'the sender closed the connection mid-body')));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
