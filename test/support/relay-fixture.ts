import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Relay } from '../../src/relay/server.js';
import { parseRelayConfig, type RelayConfigInput } from '../../src/relay/config.js';
import { FeedClient, type FeedOptions, type FeedStatus } from '../../src/main/feed/feed-client.js';
import { FeedStore } from '../../src/main/feed/feed-store.js';
import { openDatabase, closeDatabase, type Db } from '../../src/main/store/database.js';
import { systemClock } from '../../src/shared/clock.js';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { RelayAck } from '../../src/shared/relay-protocol.js';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

export const TOKENS = { wardA: randomBytes(32).toString('base64url'), wardB: randomBytes(32).toString('base64url') };

export async function startRelay(dataDir: string, overrides: Partial<RelayConfigInput> = {}): Promise<Relay> {
  const config = parseRelayConfig({
    dataDir,
    listen: { host: '127.0.0.1', port: 0 },
    consoles: [
      { id: 'ward-a', token: TOKENS.wardA },
      { id: 'ward-b', token: TOKENS.wardB },
    ],
    heartbeatMs: 1000,
    // on one thread: a relay's worker threads each take about 450 ms of CPU to load from source, and the suite
    // starts relays by the hundred (their own tests, relay-threads and ingest-properties, start them explicitly)
    ingestWorkers: 0,
    ...overrides,
  });
  const relay = new Relay(config);
  await relay.start();
  return relay;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return httpCall(url, 'POST', { 'content-type': 'application/json', ...headers }, body);
}

/** Any HTTP request; a `Host` header given is sent as is (DNS-rebinding tests). */
export function httpCall(url: string, method: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const ownHost = Object.keys(headers).some((h) => h.toLowerCase() === 'host');
    const req = httpRequest(url, { method, headers, setHost: !ownHost }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(data) as Record<string, unknown>;
        } catch {
          parsed = { raw: data };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function nativeAlert(key: string, extra: Record<string, unknown> = {}) {
  return { key, severity: 'SEV2', summary: `Model service latency high (${key})`, service: 'model-service', ...extra };
}

/** A console's feed on its own real database. */
export class TestConsoleFeed {
  readonly db: Db;
  readonly store: FeedStore;
  client: FeedClient;
  readonly received: Alert[] = [];
  readonly acks: { ack: RelayAck; consoleId: string }[] = [];
  readonly statuses: FeedStatus[] = [];
  /** codes the feed logged, oldest first */
  readonly logged: string[] = [];

  constructor(
    dir: string,
    private readonly options: FeedOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.db = openDatabase(join(dir, 'console.db'));
    this.store = new FeedStore(this.db, systemClock);
    this.client = this.make();
  }

  private make(): FeedClient {
    const client = new FeedClient(this.options, {
      store: this.store,
      clock: systemClock,
      logger: { log: (_level, code) => this.logged.push(code) },
    });
    client.alerts.on((a) => this.received.push(...a));
    client.acks.on(({ ack, consoleId }) => this.acks.push({ ack, consoleId }));
    client.statusChanged.on((s) => this.statuses.push(s));
    return client;
  }

  start(): this {
    this.client.start();
    return this;
  }

  /** Stop the client and make a new one on the same store, as a console restart would. */
  async restart(): Promise<void> {
    await this.client.stop();
    this.client = this.make();
    this.client.start();
  }

  async close(): Promise<void> {
    await this.client.stop();
    closeDatabase(this.db);
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what: string | (() => string) = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
