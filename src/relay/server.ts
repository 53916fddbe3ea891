import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { z } from 'zod';
import { isoTime, systemClock, type Clock } from '../shared/clock.js';
import { describeIssues } from '../shared/contract.js';
import type { Alert, AlertSource } from '../shared/domain/alert.js';
import { jsonDepth } from '../shared/json-limits.js';
import { ClientFrameSchema, RELAY_STREAM_PATH, RELAY_SUBPROTOCOL, type ServerFrame } from '../shared/relay-protocol.js';
import type { RelayConfig } from './config.js';
import { AlertmanagerSchema, fromAlertmanager, fromNative, fromPagerDuty, NativeSchema, PagerDutySchema, type NewAlert, type SeverityPolicy } from './normalize.js';
import { TokenBucket } from './rate-limit.js';
import { RelayStore } from './store.js';

export const MAX_JSON_DEPTH = 32;
const BAD_FRAMES_BEFORE_CLOSE = 20;

export interface RelayLog {
  (level: 'info' | 'warn' | 'error', code: string, message: string): void;
}

interface Subscriber {
  ws: WebSocket;
  consoleId: string;
  sentSeq: number;
  ackSeq: number;
  subscribed: boolean;
  busy: boolean;
  alive: boolean;
  badFrames: number;
}

interface Pending {
  alerts: NewAlert[];
  receivedAt: string;
  resolve: (alerts: Alert[]) => void;
  reject: (err: Error) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * The alert relay: HTTP ingest from Alertmanager, PagerDuty-style senders and
 * native JSON; a durable, sequenced log; a WebSocket stream to the consoles.
 */
export class Relay {
  readonly store: RelayStore;
  readonly registry = new Registry();
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private readonly buckets = new Map<AlertSource, TokenBucket>();
  private pending: Pending[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private retention: NodeJS.Timeout | null = null;
  private readonly consoleTokens: { id: string; digest: Buffer }[];
  private readonly ingestDigest: Buffer | null;
  private readonly policy: SeverityPolicy;
  private readonly m;
  private port = 0;

  constructor(
    readonly config: RelayConfig,
    private readonly clock: Clock = systemClock,
    private readonly log: RelayLog = () => undefined,
  ) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.store = new RelayStore(join(config.dataDir, 'relay.db'));
    this.consoleTokens = config.consoles.map((c) => ({ id: c.id, digest: tokenDigest(c.token) }));
    this.ingestDigest = config.ingestToken ? tokenDigest(config.ingestToken) : null;
    this.policy = { map: config.severityMap, fallback: config.defaultSeverity };
    const r = [this.registry];
    this.m = {
      received: new Counter({ name: 'relay_alerts_received_total', help: 'Alerts stored, by source', labelNames: ['source'], registers: r }),
      rejected: new Counter({ name: 'relay_requests_rejected_total', help: 'Ingest requests refused, by source and reason', labelNames: ['source', 'reason'], registers: r }),
      frames: new Counter({ name: 'relay_frames_rejected_total', help: 'WebSocket frames refused, by reason', labelNames: ['reason'], registers: r }),
      acks: new Counter({ name: 'relay_acks_total', help: 'Acks from consoles, by outcome', labelNames: ['status'], registers: r }),
      consoles: new Gauge({ name: 'relay_consoles_connected', help: 'Consoles subscribed now', registers: r, collect: () => undefined }),
      lastSeq: new Gauge({ name: 'relay_last_seq', help: 'Highest sequence number stored', registers: r }),
      commit: new Histogram({ name: 'relay_ingest_commit_seconds', help: 'Time to commit one ingest batch', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1], registers: r }),
    };
    this.m.lastSeq.set(this.store.lastSeq());
  }

  get url(): string {
    return `http://${this.config.listen.host}:${this.port}`;
  }
  get streamUrl(): string {
    return `ws://${this.config.listen.host}:${this.port}${RELAY_STREAM_PATH}`;
  }

  async start(): Promise<void> {
    this.purge();
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.maxFrameBytes,
      handleProtocols: (p) => (p.has(RELAY_SUBPROTOCOL) ? RELAY_SUBPROTOCOL : false),
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.listen.port, this.config.listen.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.heartbeat = setInterval(() => this.beat(), this.config.heartbeatMs);
    this.retention = setInterval(() => this.purge(), 3_600_000);
    this.retention.unref();
    this.log('info', 'I_RELAY_STARTED', `relay ${this.store.relayId} listening on ${this.url}`);
  }

  /** Stop taking alerts, answer what is in flight, close consoles cleanly, checkpoint the log. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retention) clearInterval(this.retention);
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      this.flush();
      for (const s of this.subscribers) s.ws.close(1001, 'relay stopping');
      this.wss?.close();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
    }
    for (const s of this.subscribers) s.ws.terminate();
    this.subscribers.clear();
    this.store.close();
  }

  /** Cut every console's connection (used by the loss test and by operators). */
  terminateConsoles(): number {
    const n = this.subscribers.size;
    for (const s of this.subscribers) s.ws.terminate();
    return n;
  }

  // ------------------------------------------------------------------ HTTP

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      return this.json(res, 200, { status: 'ok', relayId: this.store.relayId, lastSeq: this.store.lastSeq(), consoles: this.subscribers.size });
    }
    if (req.method === 'GET' && path === '/metrics') {
      this.m.consoles.set(this.subscribers.size);
      res.writeHead(200, { 'Content-Type': this.registry.contentType });
      res.end(await this.registry.metrics());
      return;
    }
    const source: AlertSource | null = path === '/v1/alertmanager' ? 'alertmanager' : path === '/v1/pagerduty' ? 'pagerduty' : path === '/v1/alerts' ? 'native' : null;
    if (!source) throw new HttpError(404, 'E_NOT_FOUND', `no such endpoint: ${req.method} ${path?.slice(0, 100)}`);
    if (req.method !== 'POST') throw new HttpError(405, 'E_METHOD', `use POST for ${path}`, { Allow: 'POST' });
    try {
      await this.ingest(source, req, res);
    } catch (err) {
      if (err instanceof HttpError) this.m.rejected.inc({ source, reason: err.code });
      throw err;
    }
  }

  private async ingest(source: AlertSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.ingestDigest) {
      const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!timingSafeEqual(tokenDigest(given), this.ingestDigest)) throw new HttpError(401, 'E_INGEST_TOKEN', 'missing or wrong ingest token (Authorization: Bearer …)');
    }
    if (!(req.headers['content-type'] ?? '').includes('json')) throw new HttpError(415, 'E_CONTENT_TYPE', 'send application/json');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.config.maxBodyBytes) throw new HttpError(413, 'E_TOO_LARGE', `body exceeds ${this.config.maxBodyBytes} bytes`, { Connection: 'close' });
    const raw = await this.readBody(req);
    const receivedAt = isoTime(this.clock.now());

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      this.quarantine(`http:${source}`, 'E_BAD_JSON', raw);
      throw new HttpError(400, 'E_BAD_JSON', 'the body is not valid JSON');
    }
    if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      this.quarantine(`http:${source}`, 'E_TOO_DEEP', raw);
      throw new HttpError(400, 'E_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    }

    let alerts: NewAlert[];
    let extra: Record<string, unknown> = {};
    const invalid = (error: z.ZodError) => {
      this.quarantine(`http:${source}`, 'E_SCHEMA', raw);
      return new HttpError(400, 'E_SCHEMA', describeIssues(error));
    };
    if (source === 'alertmanager') {
      const p = AlertmanagerSchema.safeParse(body);
      if (!p.success) throw invalid(p.error);
      alerts = fromAlertmanager(p.data, this.policy, receivedAt);
    } else if (source === 'pagerduty') {
      const p = PagerDutySchema.safeParse(body);
      if (!p.success) throw invalid(p.error);
      const { alert, dedupKey } = fromPagerDuty(p.data, this.policy, receivedAt, (k) => this.store.latestByKey(k));
      alerts = [alert];
      extra = { dedup_key: dedupKey };
    } else {
      const p = NativeSchema.safeParse(body);
      if (!p.success) throw invalid(p.error);
      alerts = fromNative(p.data, receivedAt);
    }

    const bucket = this.bucket(source);
    if (!bucket.take(alerts.length)) {
      throw new HttpError(429, 'E_RATE_LIMITED', `more than ${this.config.rateLimit.alertsPerSecond} alerts/s from ${source}; retry later`, {
        'Retry-After': String(bucket.waitSeconds(alerts.length)),
      });
    }

    const stored = await this.enqueue(alerts, receivedAt);
    const seqs = stored.map((a) => a.seq);
    if (source === 'pagerduty') return this.json(res, 202, { status: 'success', message: 'Event processed', ...extra });
    return this.json(res, 202, { status: 'accepted', accepted: stored.length, seqs });
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.config.maxBodyBytes) {
          over = true;
          chunks.length = 0;
          return;
        }
        if (!over) chunks.push(c);
      });
      req.on('end', () => (over ? reject(new HttpError(413, 'E_TOO_LARGE', `body exceeds ${this.config.maxBodyBytes} bytes`, { Connection: 'close' })) : resolve(Buffer.concat(chunks))));
      req.on('error', reject);
    });
  }

  private bucket(source: AlertSource): TokenBucket {
    let b = this.buckets.get(source);
    if (!b) {
      b = new TokenBucket(this.config.rateLimit.alertsPerSecond, this.config.rateLimit.burst, this.clock);
      this.buckets.set(source, b);
    }
    return b;
  }

  private quarantine(channel: string, reason: string, raw: Buffer | string): void {
    const buf = typeof raw === 'string' ? Buffer.from(raw) : raw;
    this.store.quarantine(channel, reason, buf.length, createHash('sha256').update(buf).digest('hex'), isoTime(this.clock.now()));
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) return void res.end();
    if (err instanceof HttpError) return this.json(res, err.status, { status: 'invalid event', code: err.code, message: err.message, errors: [err.message] }, err.headers);
    this.log('error', 'E_RELAY_INTERNAL', (err as Error).message);
    this.json(res, 500, { status: 'error', code: 'E_INTERNAL', message: 'the relay failed to store the alert; retry' });
  }

  // ------------------------------------------------------- durable group commit

  /** Alerts arriving together are committed in one transaction, then every sender is answered. */
  private enqueue(alerts: NewAlert[], receivedAt: string): Promise<Alert[]> {
    if (!this.server) return Promise.reject(new HttpError(503, 'E_STOPPING', 'the relay is stopping; retry', { 'Retry-After': '1' }));
    return new Promise((resolve, reject) => {
      this.pending.push({ alerts, receivedAt, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const end = this.m.commit.startTimer();
    let stored: Alert[][];
    try {
      stored = this.store.append(batch);
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    } finally {
      end();
    }
    let last = 0;
    batch.forEach((p, i) => {
      const alerts = stored[i]!;
      for (const a of alerts) this.m.received.inc({ source: a.source });
      if (alerts.length) last = alerts.at(-1)!.seq;
      p.resolve(alerts);
    });
    if (last) this.m.lastSeq.set(last);
    for (const s of this.subscribers) this.pump(s);
  }

  // ------------------------------------------------------------- WebSocket

  private upgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const reject = (status: number, text: string, code: string) => {
      this.m.frames.inc({ reason: code });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ code })}`);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path !== RELAY_STREAM_PATH || !this.wss) return reject(404, 'Not Found', 'E_NOT_FOUND');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.config.allowedOrigins.includes(origin)) return reject(403, 'Forbidden', 'E_ORIGIN');
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return reject(401, 'Unauthorized', 'E_TOKEN_MISSING');
    const digest = tokenDigest(auth.slice(7));
    // compare against every token so timing does not tell which matched
    let consoleId: string | null = null;
    for (const t of this.consoleTokens) if (timingSafeEqual(digest, t.digest)) consoleId = t.id;
    if (!consoleId) return reject(401, 'Unauthorized', 'E_TOKEN');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, consoleId));
  }

  private attach(ws: WebSocket, consoleId: string): void {
    const sub: Subscriber = { ws, consoleId, sentSeq: 0, ackSeq: 0, subscribed: false, busy: false, alive: true, badFrames: 0 };
    this.subscribers.add(sub);
    ws.on('pong', () => (sub.alive = true));
    ws.on('close', () => this.subscribers.delete(sub));
    ws.on('error', (err: Error & { code?: string }) => {
      this.m.frames.inc({ reason: err.code ?? 'E_WS' });
      this.subscribers.delete(sub);
    });
    ws.on('message', (data: RawData) => this.onFrame(sub, data));
    this.send(sub, { type: 'hello', relayId: this.store.relayId, consoleId, lastSeq: this.store.lastSeq() });
  }

  private onFrame(sub: Subscriber, data: RawData): void {
    sub.alive = true;
    const text = data.toString();
    const bad = (code: string, message: string) => {
      this.m.frames.inc({ reason: code });
      this.quarantine(`ws:${sub.consoleId}`, code, text);
      this.send(sub, { type: 'error', code, message });
      if (++sub.badFrames >= BAD_FRAMES_BEFORE_CLOSE) sub.ws.close(1008, 'too many bad frames');
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return bad('E_BAD_JSON', 'the frame is not valid JSON');
    }
    if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return bad('E_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const frame = ClientFrameSchema.safeParse(parsed);
    if (!frame.success) return bad('E_SCHEMA', describeIssues(frame.error));
    const f = frame.data;
    if (f.type === 'subscribe') {
      sub.sentSeq = f.since;
      sub.ackSeq = f.acksSince;
      sub.subscribed = true;
      this.pump(sub);
      return;
    }
    const status = this.store.storeAck(f.ack, sub.consoleId, isoTime(this.clock.now()));
    this.m.acks.inc({ status });
    this.send(sub, { type: 'ack.result', id: f.ack.id, status });
    if (status === 'stored') for (const other of this.subscribers) if (other !== sub) this.pump(other);
  }

  /** One page in flight per console: a slow console never makes the relay buffer without bound. Alerts first, then acks. */
  private pump(sub: Subscriber): void {
    if (!sub.subscribed || sub.busy || sub.ws.readyState !== sub.ws.OPEN) return;
    let frame: ServerFrame | null = null;
    const alerts = this.store.readAfter(sub.sentSeq, this.config.pageSize);
    if (alerts.length > 0) {
      sub.sentSeq = alerts.at(-1)!.seq;
      frame = { type: 'alerts', alerts };
    } else {
      const all = this.store.acksAfter(sub.ackSeq, '', this.config.pageSize);
      if (all.length === 0) return;
      sub.ackSeq = all.at(-1)!.seq; // our own acks are skipped but still move the cursor
      const acks = all.filter((a) => a.consoleId !== sub.consoleId);
      if (acks.length === 0) return this.pump(sub);
      frame = { type: 'acks', acks };
    }
    sub.busy = true;
    sub.ws.send(JSON.stringify(frame), (err) => {
      sub.busy = false;
      if (!err) this.pump(sub);
    });
  }

  private send(sub: Subscriber, frame: ServerFrame): void {
    if (sub.ws.readyState === sub.ws.OPEN) sub.ws.send(JSON.stringify(frame));
  }

  private beat(): void {
    for (const s of this.subscribers) {
      if (!s.alive) {
        s.ws.terminate();
        this.subscribers.delete(s);
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  private purge(): void {
    const cutoff = isoTime(this.clock.now() - this.config.retentionDays * 86_400_000);
    const n = this.store.purgeOlderThan(cutoff);
    if (n > 0) this.log('info', 'I_RELAY_RETENTION', `purged ${n} alerts older than ${this.config.retentionDays} days`);
  }
}
