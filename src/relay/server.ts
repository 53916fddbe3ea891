import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { isoTime, systemClock, type Clock } from '../shared/clock.js';
import type { AlertSource } from '../shared/domain/alert.js';
import { RELAY_STREAM_PATH, RELAY_SUBPROTOCOL, type ServerFrame } from '../shared/relay-protocol.js';
import { storageFaultCode } from '../shared/storage-fault.js';
import type { RelayConfig } from './config.js';
import { allowedHosts, bearerToken, checkHostAndOrigin, checkJsonContentType, HttpError } from './http-guard.js';
import { deliveryDigest, MAX_JSON_DEPTH, parseDelivery } from './ingest.js';
import type { NewAlert, SeverityPolicy } from './normalize.js';
import { TokenBucket } from './rate-limit.js';
import { RelayStore, type AppendResult } from './store.js';
import { ConsoleStream, tokenDigest } from './stream.js';
import { isWatchdog, META_LAST_SEEN, META_SILENT, Watchdog } from './watchdog.js';
import { errorText } from '../shared/safe-text.js';

export { MAX_JSON_DEPTH };
/** Seconds a sender is asked to wait after a storage fault or overload. */
const RETRY_AFTER_S = 5;

export interface RelayLog {
  (level: 'info' | 'warn' | 'error', code: string, message: string): void;
}

interface Pending {
  alerts: NewAlert[];
  receivedAt: string;
  atMs: number;
  digest?: string;
  resolve: (result: AppendResult) => void;
  reject: (err: Error) => void;
}

/** A storage fault seen on a write; cleared by the next write that succeeds. */
interface StorageFault {
  code: string;
  message: string;
  since: string;
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
  private readonly stream: ConsoleStream;
  private readonly buckets = new Map<AlertSource, TokenBucket>();
  private pending: Pending[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private retention: NodeJS.Timeout | null = null;
  private maintenance: NodeJS.Timeout | null = null;
  private storageFault: StorageFault | null = null;
  private readonly hosts: Set<string>;
  private readonly watchdog: Watchdog;
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
    this.hosts = allowedHosts({ listenHost: config.listen.host, publicHosts: config.publicHosts, allowedOrigins: config.allowedOrigins });
    this.watchdog = new Watchdog(config.watchdog, this.store.meta(META_LAST_SEEN), this.store.meta(META_SILENT), clock.now());
    const r = [this.registry];
    this.m = {
      received: new Counter({ name: 'relay_alerts_received_total', help: 'Alerts stored, by source', labelNames: ['source'], registers: r }),
      rejected: new Counter({ name: 'relay_requests_rejected_total', help: 'Ingest requests refused, by source and reason', labelNames: ['source', 'reason'], registers: r }),
      frames: new Counter({ name: 'relay_frames_rejected_total', help: 'WebSocket frames refused, by reason', labelNames: ['reason'], registers: r }),
      acks: new Counter({ name: 'relay_acks_total', help: 'Acks from consoles, by outcome', labelNames: ['status'], registers: r }),
      consoles: new Gauge({ name: 'relay_consoles_connected', help: 'Consoles subscribed now', registers: r, collect: () => undefined }),
      lastSeq: new Gauge({ name: 'relay_last_seq', help: 'Highest sequence number stored', registers: r }),
      storageErrors: new Counter({ name: 'relay_storage_errors_total', help: 'Writes refused by the database (disk full, I/O error, read-only), by operation and code', labelNames: ['op', 'code'], registers: r }),
      storageFault: new Gauge({ name: 'relay_storage_fault', help: '1 while the last write failed for a storage reason', registers: r }),
      watchdogSilent: new Gauge({ name: 'relay_watchdog_silent', help: '1 while the Watchdog alert has not arrived within its timeout', registers: r }),
      duplicates: new Counter({ name: 'relay_deliveries_duplicate_total', help: 'Retried deliveries answered from the first storing', labelNames: ['source'], registers: r }),
      commit: new Histogram({ name: 'relay_ingest_commit_seconds', help: 'Time to commit one ingest batch', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1], registers: r }),
    };
    this.m.lastSeq.set(this.store.lastSeq());
    this.stream = new ConsoleStream({
      store: this.store,
      clock,
      hosts: this.hosts,
      allowedOrigins: config.allowedOrigins,
      consoleTokens: this.consoleTokens,
      pageSize: config.pageSize,
      maxPageBytes: config.maxPageBytes,
      metrics: { frames: this.m.frames, acks: this.m.acks },
      quarantine: (channel, reason, raw) => this.quarantine(channel, reason, raw),
      storageFailed: (op, err) => void this.storageFailed(op, err),
      storageRecovered: () => this.storageRecovered(),
      health: () => this.healthFrame(),
      lastSeq: () => this.safeLastSeq(),
    });
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
    this.server.on('upgrade', (req, socket, head) => this.stream.upgrade(this.wss, req, socket, head));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.listen.port, this.config.listen.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.heartbeat = setInterval(() => this.stream.beat(), this.config.heartbeatMs);
    this.retention = setInterval(() => this.purge(), 3_600_000);
    this.retention.unref();
    this.maintenance = setInterval(() => this.maintain(), Math.max(250, Math.min(5000, (this.config.watchdog.timeoutS || 20) * 250)));
    this.maintenance.unref();
    this.log('info', 'I_RELAY_STARTED', `relay ${this.store.relayId} listening on ${this.url}`);
  }

  /** Stop taking alerts, answer what is in flight, close consoles cleanly, checkpoint the log. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retention) clearInterval(this.retention);
    if (this.maintenance) clearInterval(this.maintenance);
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      this.flush();
      this.stream.closeAll(1001, 'relay stopping');
      this.wss?.close();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
    }
    this.stream.terminateAll();
    this.store.close();
  }

  /** Cut every console's connection (used by the loss test and by operators). */
  terminateConsoles(): number {
    return this.stream.terminateAll();
  }

  // ------------------------------------------------------------------ HTTP

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      checkHostAndOrigin(req.headers, this.hosts, this.config.allowedOrigins);
    } catch (err) {
      this.m.rejected.inc({ source: path?.startsWith('/v1/') ? path.slice(4, 40) : 'other', reason: (err as HttpError).code });
      throw err;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const fault = this.storageFault;
      return this.json(res, fault ? 503 : 200, {
        status: fault ? 'degraded' : 'ok',
        relayId: this.store.relayId,
        lastSeq: this.safeLastSeq(),
        consoles: this.stream.size,
        storage: fault ? { state: 'fault', ...fault } : { state: 'ok' },
        watchdog: { state: this.watchdog.state.kind, lastSeen: this.watchdog.state.kind === 'alive' && !this.watchdog.state.sinceStart ? isoTime(this.watchdog.state.lastSeenMs) : this.watchdog.state.kind === 'silent' && this.watchdog.state.lastSeenMs !== null ? isoTime(this.watchdog.state.lastSeenMs) : null },
      });
    }
    if (req.method === 'GET' && path === '/metrics') {
      this.m.consoles.set(this.stream.size);
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

  /** Overload answers: Alertmanager retries only 5xx, PagerDuty documents 429, native senders get 429 with Retry-After. */
  private overloaded(source: AlertSource, message: string, retryAfterS: number): HttpError {
    const status = source === 'alertmanager' ? 503 : 429;
    return new HttpError(status, 'E_RATE_LIMITED', message, { 'Retry-After': String(retryAfterS) });
  }

  private async ingest(source: AlertSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = bearerToken(req.headers.authorization);
    if (this.ingestDigest && (given === undefined || !timingSafeEqual(tokenDigest(given), this.ingestDigest))) {
      throw new HttpError(401, 'E_INGEST_TOKEN', 'missing or wrong ingest token (Authorization: Bearer …)');
    }
    checkJsonContentType(req.headers['content-type']);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.config.maxBodyBytes) throw new HttpError(413, 'E_TOO_LARGE', `body exceeds ${this.config.maxBodyBytes} bytes (maxBodyBytes)`, { Connection: 'close' });
    const raw = await this.readBody(req);
    const atMs = this.clock.now();
    const receivedAt = isoTime(atMs);

    let delivery;
    try {
      delivery = parseDelivery(source, raw, this.policy, (k) => this.store.latestByKey(k), receivedAt, {
        maxAlertsPerRequest: this.config.maxAlertsPerRequest,
        maxAlertBytes: this.config.maxPageBytes - 1024,
      });
    } catch (err) {
      if (err instanceof HttpError) this.quarantine(`http:${source}`, err.code, raw);
      throw err;
    }

    // The Watchdog is a heartbeat, never an alert of its own.
    const watchdogs = delivery.alerts.filter((a) => a.status === 'firing' && isWatchdog(a, this.config.watchdog.alertname));
    const alerts = watchdogs.length ? delivery.alerts.filter((a) => !isWatchdog(a, this.config.watchdog.alertname)) : delivery.alerts;

    const bucket = this.bucket(source);
    if (!bucket.take(alerts.length)) {
      throw this.overloaded(source, `more than ${this.config.rateLimit.alertsPerSecond} alerts/s from ${source}; retry later`, bucket.waitSeconds(alerts.length));
    }
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'].slice(0, 256) : undefined;
    const digest = this.config.dedupWindowS > 0 ? deliveryDigest(source, raw, idempotencyKey) : undefined;
    const before = this.watchdog.state;
    if (watchdogs.length) {
      const resolved = this.watchdog.seen(atMs);
      if (resolved) alerts.push(resolved);
      this.m.watchdogSilent.set(0);
    }
    let stored: AppendResult;
    try {
      stored = await this.enqueue(alerts, receivedAt, atMs, digest, source);
    } catch (err) {
      if (watchdogs.length && before.kind === 'silent') this.watchdog.state = before; // its resolution was not stored: still silent
      throw err;
    }
    if (stored.duplicate) this.m.duplicates.inc({ source });
    if (source === 'pagerduty') return this.json(res, 202, { status: 'success', message: 'Event processed', dedup_key: delivery.dedupKey });
    return this.json(res, 202, { status: 'accepted', accepted: stored.seqs.length, seqs: stored.seqs, ...(stored.duplicate ? { duplicate: true } : {}), ...(watchdogs.length ? { watchdog: watchdogs.length } : {}) });
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
      req.on('aborted', () => reject(new HttpError(400, 'E_ABORTED', 'the sender closed the connection mid-body')));
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
    try {
      this.store.quarantine(channel, reason, buf.length, createHash('sha256').update(buf).digest('hex'), isoTime(this.clock.now()));
    } catch (err) {
      // counting bad input must never turn it into a crash (the rejection metric still counts it)
      this.storageFailed('quarantine', err);
    }
  }

  /** A write failed: a storage fault is shown in /healthz and /metrics and answered with 503; anything else is logged. */
  private storageFailed(op: string, err: unknown): HttpError {
    const code = storageFaultCode(err) ?? 'E_STORE';
    this.m.storageErrors.inc({ op, code });
    if (!this.storageFault) {
      this.storageFault = { code, message: (err as Error).message.slice(0, 200), since: isoTime(this.clock.now()) };
      this.m.storageFault.set(1);
      this.log('error', 'E_RELAY_STORAGE', `${op}: ${code}: ${errorText(err, 200)}; answering 503 until a write succeeds`);
      this.stream.broadcastHealth();
    }
    return new HttpError(503, 'E_RELAY_STORAGE', `the relay cannot store right now (${code}); retry`, { 'Retry-After': String(RETRY_AFTER_S) });
  }

  private storageRecovered(): void {
    if (!this.storageFault) return;
    this.log('info', 'I_RELAY_STORAGE_OK', `storage writable again after ${this.storageFault.code} since ${this.storageFault.since}`);
    this.storageFault = null;
    this.m.storageFault.set(0);
    this.stream.broadcastHealth();
  }

  private healthFrame(): ServerFrame {
    const f = this.storageFault;
    return f ? { type: 'relay.health', storage: 'fault', code: f.code.slice(0, 64), since: f.since } : { type: 'relay.health', storage: 'ok' };
  }

  private safeLastSeq(): number | null {
    try {
      return this.store.lastSeq();
    } catch {
      return null;
    }
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent || res.destroyed) return void res.end();
    if (err instanceof HttpError) {
      const status = err.status >= 500 ? 'error' : 'invalid event';
      return this.json(res, err.status, { status, code: err.code, message: err.message, errors: [err.message] }, err.headers);
    }
    if (storageFaultCode(err)) {
      const e = this.storageFailed('request', err);
      return this.json(res, e.status, { status: 'error', code: e.code, message: e.message, errors: [e.message] }, e.headers);
    }
    this.log('error', 'E_RELAY_INTERNAL', errorText(err, 300));
    this.json(res, 503, { status: 'error', code: 'E_INTERNAL', message: 'the relay failed to store the alert; retry' }, { 'Retry-After': String(RETRY_AFTER_S) });
  }

  // ------------------------------------------------------- durable group commit

  /** Alerts arriving together are committed in one transaction, then every sender is answered. */
  private enqueue(alerts: NewAlert[], receivedAt: string, atMs: number, digest: string | undefined, source: AlertSource): Promise<AppendResult> {
    if (!this.server) return Promise.reject(this.overloaded(source, 'the relay is stopping; retry', 1));
    return new Promise((resolve, reject) => {
      this.pending.push({ alerts, receivedAt, atMs, ...(digest ? { digest } : {}), resolve, reject });
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
    // two identical deliveries in one group commit: the second is the first's duplicate
    const firstOf = new Map<string, number>();
    const unique: Pending[] = [];
    const sameAs: (number | null)[] = batch.map((p) => {
      if (p.digest && firstOf.has(p.digest)) return firstOf.get(p.digest)!;
      if (p.digest) firstOf.set(p.digest, unique.length);
      unique.push(p);
      return null;
    });
    const end = this.m.commit.startTimer();
    let results: AppendResult[];
    try {
      results = this.store.append(unique, this.watchdog.marks());
      this.storageRecovered();
    } catch (err) {
      const e = storageFaultCode(err) ? this.storageFailed('ingest', err) : err;
      if (!(e instanceof HttpError)) this.log('error', 'E_RELAY_INTERNAL', `ingest commit failed: ${errorText(err, 300)}`);
      for (const p of batch) p.reject(e instanceof HttpError ? e : new HttpError(503, 'E_INTERNAL', 'the relay failed to store the alerts; retry', { 'Retry-After': String(RETRY_AFTER_S) }));
      return;
    } finally {
      end();
    }
    let stored = 0;
    let k = 0;
    batch.forEach((p, i) => {
      const same = sameAs[i];
      if (same !== null && same !== undefined) return p.resolve({ seqs: results[same]!.seqs, duplicate: true });
      const r = results[k++]!;
      if (!r.duplicate) {
        stored += r.seqs.length;
        for (const a of p.alerts) this.m.received.inc({ source: a.source });
      }
      p.resolve(r);
    });
    if (stored) this.m.lastSeq.set(this.store.lastSeq());
    this.stream.pumpAll();
  }

  /** Dead man's switch and dedup window housekeeping. */
  private maintain(): void {
    const now = this.clock.now();
    const silent = this.watchdog.check(now);
    if (silent) {
      this.m.watchdogSilent.set(1);
      this.log('warn', 'W_RELAY_WATCHDOG', `no ${this.config.watchdog.alertname} alert within ${this.config.watchdog.timeoutS} s: storing ${silent.key}`);
      this.enqueue([silent], isoTime(now), now, undefined, 'native').catch((err: unknown) => {
        // not stored (disk full): try again at the next check
        this.watchdog.state = { kind: 'alive', lastSeenMs: now - this.config.watchdog.timeoutS * 1000 }; // try again at the next check
        this.log('error', 'E_RELAY_WATCHDOG', `could not store ${silent.key}: ${errorText(err, 200)}`);
      });
    }
    try {
      this.store.purgeDeliveries(now - this.config.dedupWindowS * 1000);
    } catch (err) {
      this.storageFailed('dedup-purge', err);
    }
  }

  private purge(): void {
    const cutoff = isoTime(this.clock.now() - this.config.retentionDays * 86_400_000);
    try {
      const n = this.store.purgeOlderThan(cutoff);
      if (n > 0) this.log('info', 'I_RELAY_RETENTION', `purged ${n} alerts older than ${this.config.retentionDays} days`);
    } catch (err) {
      this.storageFailed('retention', err);
    }
  }
}
