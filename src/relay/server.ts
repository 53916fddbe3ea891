import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { RelayLog } from './log.js';
import { createRelayMetrics, type RelayMetrics } from './metrics.js';
import { WebSocketServer } from 'ws';
import { isoTime, systemClock, type Clock } from '../shared/clock.js';
import type { AlertSource } from '../shared/domain/alert.js';
import { RELAY_STREAM_PATH, RELAY_SUBPROTOCOL } from '../shared/relay-protocol.js';
import { storageFaultCode } from '../shared/storage-fault.js';
import type { RelayConfig } from './config.js';
import { allowedHosts, bearerToken, checkHostAndOrigin, checkJsonContentType, HttpError, readBody, sendJson } from './http-guard.js';
import { deliveryDigest, encodeAlert, type Previous } from './ingest.js';
import { DeliveryParser } from './parse-pool.js';
import { LogWriter } from './log-writer.js';
import { WriteBack } from './writeback.js';
import type { SeverityPolicy } from './normalize.js';
import { SourceBuckets } from './rate-limit.js';
import { RelayStore, type AppendResult } from './store.js';
import type { RelayStorage } from './storage.js';
import { PgRelayStore } from './pg-store.js';
import type { NewAlert } from './normalize.js';
import { quarantineRaw, RETRY_AFTER_S, StorageHealth } from './storage-health.js';
import { GroupCommit } from './group-commit.js';
import { ConsoleStream, tokenDigest } from './stream.js';
import { isWatchdog, META_LAST_SEEN, META_SILENT, Watchdog } from './watchdog.js';
import { errorText } from '../shared/safe-text.js';

export { MAX_JSON_DEPTH } from './ingest.js';
export type { RelayLog } from './log.js';

/**
 * The alert relay: HTTP ingest from Alertmanager, PagerDuty-style senders and
 * native JSON; a durable, sequenced log; a WebSocket stream to the consoles.
 */
export class Relay {
  /** the relay's log: SQLite (default) or a shared PostgreSQL */
  readonly storage: RelayStorage;
  private readonly sqlite: RelayStore | null;
  readonly registry = new Registry();
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly stream: ConsoleStream;
  private readonly buckets: SourceBuckets<AlertSource>;
  private readonly commits: GroupCommit;
  /** request bodies parsed on worker threads (tests look at and end them) */
  readonly parser: DeliveryParser;
  /** the SQLite log's commits on a thread of their own (tests end it) */
  readonly writer: LogWriter | null;
  /** heartbeat, retention and maintenance: cleared at close */
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly health: StorageHealth;
  private readonly hosts: Set<string>;
  private watchdog: Watchdog;
  private readonly consoleTokens: { id: string; digest: Buffer }[];
  private readonly ingestDigest: Buffer | null;
  private readonly policy: SeverityPolicy;
  private readonly m: RelayMetrics;
  readonly writeBack: WriteBack;
  private port = 0;

  constructor(
    readonly config: RelayConfig,
    private readonly clock: Clock = systemClock,
    private readonly log: RelayLog = () => undefined,
  ) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.sqlite = config.databaseUrl ? null : new RelayStore(join(config.dataDir, 'relay.db'));
    this.storage = this.sqlite ?? new PgRelayStore(config.databaseUrl!, log);
    this.consoleTokens = config.consoles.map((c) => ({ id: c.id, digest: tokenDigest(c.token) }));
    this.ingestDigest = config.ingestToken ? tokenDigest(config.ingestToken) : null;
    this.policy = { map: config.severityMap, fallback: config.defaultSeverity };
    this.hosts = allowedHosts({ listenHost: config.listen.host, publicHosts: config.publicHosts, allowedOrigins: config.allowedOrigins });
    // restored from the log at start (a database may answer asynchronously)
    this.watchdog = new Watchdog(config.watchdog, undefined, undefined, clock.now());
    this.m = createRelayMetrics(this.registry);
    this.buckets = new SourceBuckets(config.rateLimit.alertsPerSecond, config.rateLimit.burst, clock);
    this.health = new StorageHealth({ metrics: this.m, clock, log, broadcast: () => this.stream.broadcastHealth() });
    this.parser = new DeliveryParser({
      workers: config.ingestWorkers,
      policy: this.policy,
      limits: { maxAlertsPerRequest: config.maxAlertsPerRequest, maxAlertBytes: config.maxPageBytes - 1024 },
      log,
    });
    // the SQLite log written on a thread of its own (a shared PostgreSQL answers asynchronously already)
    this.writer = this.sqlite && config.ingestWorkers > 0 ? new LogWriter(join(config.dataDir, 'relay.db'), log) : null;
    this.commits = new GroupCommit({
      writer: this.writer,
      store: this.storage,
      metrics: this.m,
      health: this.health,
      log,
      marks: () => this.watchdog.marks(),
      open: () => this.server !== null,
      overloaded: (source, message, retryAfterS) => this.overloaded(source, message, retryAfterS),
      committed: () => this.stream.pumpAll(),
    });
    this.stream = new ConsoleStream({
      store: this.storage,
      clock,
      hosts: this.hosts,
      allowedOrigins: config.allowedOrigins,
      consoleTokens: this.consoleTokens,
      pageSize: config.pageSize,
      maxPageBytes: config.maxPageBytes,
      metrics: { frames: this.m.frames, acks: this.m.acks },
      quarantine: (channel, reason, raw) => this.quarantine(channel, reason, raw),
      storageFailed: (op, err) => void this.health.failed(op, err),
      storageRecovered: () => this.health.recovered(),
      health: () => this.health.frame(),
      lastSeq: () => this.safeLastSeq(),
      ackStored: () => this.writeBack.kick(),
    });
    this.writeBack = new WriteBack(this.storage, config.writeBack, clock, log, () => this.stream.pumpAll());
  }

  get url(): string {
    return `http://${this.config.listen.host}:${this.port}`;
  }
  get streamUrl(): string {
    return `ws://${this.config.listen.host}:${this.port}${RELAY_STREAM_PATH}`;
  }

  /** The SQLite log (the default relay); a relay on PostgreSQL has none. */
  get store(): RelayStore {
    if (!this.sqlite) throw new Error('this relay keeps its log in PostgreSQL: use relay.storage');
    return this.sqlite;
  }

  async start(): Promise<void> {
    await this.storage.open?.();
    this.storage.onForeignCommit?.(() => {
      this.stream.pumpAll();
      this.writeBack.kick();
    });
    this.watchdog = new Watchdog(this.config.watchdog, await this.storage.meta(META_LAST_SEEN), await this.storage.meta(META_SILENT), this.clock.now());
    this.m.lastSeq.set(await this.storage.lastSeq());
    await this.purge();
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
    this.timers.push(setInterval(() => this.stream.beat(), this.config.heartbeatMs));
    this.timers.push(setInterval(() => void this.purge(), 3_600_000).unref());
    this.timers.push(setInterval(() => this.maintain(), Math.max(250, Math.min(5000, (this.config.watchdog.timeoutS || 20) * 250))).unref());
    this.writeBack.start();
    this.log('info', 'I_RELAY_STARTED', `relay ${this.storage.relayId} (${this.storage.kind}) listening on ${this.url}`);
  }

  /** Stop taking alerts, answer what is in flight, close consoles cleanly, checkpoint the log. */
  async close(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.writeBack.stop();
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await this.commits.flush();
      this.stream.closeAll(1001, 'relay stopping');
      this.wss?.close();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
    }
    this.stream.terminateAll();
    await this.parser.close();
    await this.writer?.close();
    await this.storage.close();
    this.writer?.release(); // (after the last connection: see LogWriter)
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
      const fault = this.health.fault;
      const database = this.storage.databaseHealth ? await this.storage.databaseHealth() : { state: 'ok' as const };
      const degraded = fault !== null || database.state !== 'ok';
      return sendJson(res, degraded ? 503 : 200, {
        status: degraded ? 'degraded' : 'ok',
        relayId: this.storage.relayId,
        lastSeq: await this.safeLastSeq(),
        database: { kind: this.storage.kind, ...database },
        consoles: this.stream.size,
        storage: fault ? { state: 'fault', ...fault } : { state: 'ok' },
        watchdog: this.watchdog.report(),
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
    const raw = await readBody(req, this.config.maxBodyBytes);
    const atMs = this.clock.now();
    const receivedAt = isoTime(atMs);

    let delivery;
    try {
      // PagerDuty acknowledge/resolve without a payload take the trigger's text: looked up first (the database may answer asynchronously)
      const previous = source === 'pagerduty' ? await this.previousOf(raw) : undefined;
      delivery = await this.parser.parse(source, raw, previous, receivedAt);
    } catch (err) {
      if (err instanceof HttpError) this.quarantine(`http:${source}`, err.code, raw);
      throw err;
    }

    // The Watchdog is a heartbeat, never an alert of its own.
    const name = this.config.watchdog.alertname;
    const watchdogs = delivery.alerts.filter((a) => a.status === 'firing' && isWatchdog(a, name));
    const alerts = watchdogs.length ? delivery.alerts.filter((a) => !isWatchdog(a, name)) : delivery.alerts;

    const bucket = this.buckets.get(source);
    if (!bucket.take(alerts.length)) {
      throw this.overloaded(source, `more than ${this.config.rateLimit.alertsPerSecond} alerts/s from ${source}; retry later`, bucket.waitSeconds(alerts.length));
    }
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'].slice(0, 256) : undefined;
    const digest = this.config.dedupWindowS > 0 ? deliveryDigest(source, raw, idempotencyKey) : undefined;
    const before = this.watchdog.state;
    if (watchdogs.length) {
      const resolved = this.watchdog.seen(atMs);
      if (resolved) alerts.push(encodeAlert(resolved));
      this.m.watchdogSilent.set(0);
    }
    let stored: AppendResult;
    try {
      stored = await this.commits.enqueue(alerts, receivedAt, atMs, digest, source);
    } catch (err) {
      if (watchdogs.length && before.kind === 'silent') this.watchdog.state = before; // its resolution was not stored: still silent
      throw err;
    }
    if (stored.duplicate) this.m.duplicates.inc({ source });
    else {
      // a new SEV1 must not wait behind a storm a console is still reading: it is sent ahead, to be paged
      const urgent = alerts.flatMap((a, i) => (a.status === 'firing' && a.severity === 'SEV1' && stored.seqs[i] !== undefined ? [{ ...(JSON.parse(a.json) as NewAlert), relayId: this.storage.relayId, seq: stored.seqs[i]!, receivedAt }] : []));
      if (urgent.length) this.stream.priority(urgent);
    }
    if (source === 'pagerduty' && delivery.dedupKey && delivery.routingKey) {
      try {
        await this.storage.rememberRoute(delivery.dedupKey, delivery.routingKey, atMs);
      } catch {
        // the alert is stored; only a later write-back of it lacks its routing key (it says so)
      }
    }
    if (source === 'pagerduty') return sendJson(res, 202, { status: 'success', message: 'Event processed', dedup_key: delivery.dedupKey });
    return sendJson(res, 202, { status: 'accepted', accepted: stored.seqs.length, seqs: stored.seqs, ...(stored.duplicate ? { duplicate: true } : {}), ...(watchdogs.length ? { watchdog: watchdogs.length } : {}) });
  }

  private quarantine(channel: string, reason: string, raw: Buffer | string): void {
    quarantineRaw(this.storage, this.health, this.clock.now(), channel, reason, raw);
  }

  private async safeLastSeq(): Promise<number | null> {
    try {
      return await this.storage.lastSeq();
    } catch {
      return null;
    }
  }

  /** The stored alert a PagerDuty event's dedup_key names, if the body is one and it has a key. */
  private async previousOf(raw: Buffer): Promise<Previous | undefined> {
    try {
      const body = JSON.parse(raw.toString('utf8')) as { dedup_key?: unknown };
      if (typeof body.dedup_key !== 'string' || body.dedup_key.length === 0 || body.dedup_key.length > 255) return undefined;
      const key = `pd:${body.dedup_key}`;
      const alert = await this.storage.latestByKey(key);
      return alert ? { key, alert } : undefined;
    } catch {
      return undefined; // not JSON, or the database is down: parsing says what is wrong, or the event keeps its own words
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent || res.destroyed) return void res.end();
    if (err instanceof HttpError) {
      const status = err.status >= 500 ? 'error' : 'invalid event';
      return sendJson(res, err.status, { status, code: err.code, message: err.message, errors: [err.message] }, err.headers);
    }
    if (storageFaultCode(err)) {
      const e = this.health.failed('request', err);
      return sendJson(res, e.status, { status: 'error', code: e.code, message: e.message, errors: [e.message] }, e.headers);
    }
    this.log('error', 'E_RELAY_INTERNAL', errorText(err, 300));
    sendJson(res, 503, { status: 'error', code: 'E_INTERNAL', message: 'the relay failed to store the alert; retry' }, { 'Retry-After': String(RETRY_AFTER_S) });
  }

  /** Dead man's switch and dedup window housekeeping. */
  private maintain(): void {
    const now = this.clock.now();
    const silent = this.watchdog.check(now);
    if (silent) {
      this.m.watchdogSilent.set(1);
      this.log('warn', 'W_RELAY_WATCHDOG', `no ${this.config.watchdog.alertname} alert within ${this.config.watchdog.timeoutS} s: storing ${silent.key}`);
      this.commits.enqueue([encodeAlert(silent)], isoTime(now), now, undefined, 'native').catch((err: unknown) => {
        // not stored (disk full): try again at the next check
        this.watchdog.state = { kind: 'alive', lastSeenMs: now - this.config.watchdog.timeoutS * 1000 }; // try again at the next check
        this.log('error', 'E_RELAY_WATCHDOG', `could not store ${silent.key}: ${errorText(err, 200)}`);
      });
    }
    Promise.resolve()
      .then(() => this.storage.purgeDeliveries(now - this.config.dedupWindowS * 1000))
      .catch((err: unknown) => void this.health.failed('dedup-purge', err));
  }

  private async purge(): Promise<void> {
    const cutoff = isoTime(this.clock.now() - this.config.retentionDays * 86_400_000);
    try {
      const n = await this.storage.purgeOlderThan(cutoff);
      if (n > 0) this.log('info', 'I_RELAY_RETENTION', `purged ${n} alerts older than ${this.config.retentionDays} days`);
    } catch (err) {
      this.health.failed('retention', err);
    }
  }
}
