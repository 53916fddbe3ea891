// Relay → console: sustained throughput with dedup, and latency at 500 alerts/s.
// The relay runs in its own process (as deployed); producer and console share this one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeedClient } from '../src/main/feed/feed-client.js';
import { FeedStore } from '../src/main/feed/feed-store.js';
import { closeDatabase, openDatabase } from '../src/main/store/database.js';
import { silentLogger } from '../src/main/platform/logger.js';
import { systemClock } from '../src/shared/clock.js';
import type { Alert } from '../src/shared/domain/alert.js';
import { agent, nowAbs, pct, post, startRelayProcess } from './support.js';
import { PostgresServer } from '../test/support/servers.js';

/** Both stores: the embedded SQLite relay, then a relay on a throwaway PostgreSQL cluster (Debian's server). */
export async function run(): Promise<void> {
  await runOn('SQLite');
  const pgServer = await PostgresServer.create();
  pgServer.start({ durable: true });
  try {
    // the cluster as a hospital would run it for the relay: synchronous_commit on, fsync on
    await runOn('PostgreSQL', `postgresql://postgres@127.0.0.1:${pgServer.port}/postgres`);
  } finally {
    pgServer.stop();
    pgServer.remove();
    agent.destroy();
  }
}

async function runOn(kind: 'SQLite' | 'PostgreSQL', databaseUrl?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-ingest-'));
  const relay = await startRelayProcess(dir, databaseUrl ? { databaseUrl } : {});
  const ready = { url: relay.url, stream: relay.stream };
  const token = relay.token;

  const db = openDatabase(join(dir, 'console.db'));
  const store = new FeedStore(db, systemClock);
  let stored = 0;
  const byKey = new Map<string, number>(); // the dedup an incident engine does: one entry per key
  let onStored: ((alerts: Alert[]) => void) | null = null;
  const feed = new FeedClient({ url: ready.stream, token }, {
    store,
    clock: systemClock,
    logger: silentLogger,
  });
  feed.alerts.on((alerts) => {
    stored += alerts.length;
    for (const a of alerts) byKey.set(a.key, (byKey.get(a.key) ?? 0) + 1);
    onStored?.(alerts);
  });
  feed.start();
  while (feed.status().state !== 'connected') await new Promise((r) => setTimeout(r, 10));

  try {
    // 1. sustained: 40,000 alerts over 800 distinct keys, 100 per request, 8 senders. Each
    // request differs (label `n`): the relay stores an identical body posted again within its
    // dedup window once, as a sender's retry.
    const N = 40_000;
    const PER = 100;
    const KEYS = 800;
    let next = 0;
    const t0 = performance.now();
    const sender = async () => {
      while (next < N) {
        const start = next;
        next += PER;
        const alerts = Array.from({ length: PER }, (_, i) => ({ key: `svc-${(start + i) % KEYS}`, severity: 'SEV2', summary: 'p95 latency above 2000 ms', service: 'model-service', labels: { n: String(start + i) } }));
        const status = await post(`${ready.url}/v1/alerts`, JSON.stringify({ alerts }));
        if (status !== 202) throw new Error(`relay answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    const accepted = performance.now() - t0;
    while (stored < N) await new Promise((r) => setImmediate(r));
    const ms = performance.now() - t0;
    console.log(`[${kind}] sustained relay→console: ${Math.round((N / ms) * 1000).toLocaleString('en-US')} alerts/s stored at the console (${N.toLocaleString('en-US')} alerts in ${ms.toFixed(0)} ms; relay accepted all in ${accepted.toFixed(0)} ms); dedup: ${byKey.size} distinct keys`);

    // 2. latency at 500 alerts/s for 10 s, one alert per request
    const latencies: number[] = [];
    onStored = (alerts) => {
      const t = nowAbs();
      for (const a of alerts) if (a.labels.t0) latencies.push(t - Number(a.labels.t0));
    };
    const RATE = 500;
    const SECONDS = 10;
    const total = RATE * SECONDS;
    let sent = 0;
    const begin = performance.now();
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - begin) / 1000) * RATE));
        while (sent < due) {
          const body = JSON.stringify({ key: `lat-${sent}`, severity: 'SEV1', summary: 'API /health failing', service: 'api', labels: { t0: nowAbs().toFixed(3) } });
          sent++;
          void post(`${ready.url}/v1/alerts`, body);
        }
        if (sent >= total) {
          clearInterval(tick);
          done();
        }
      }, 2);
    });
    while (latencies.length < total) await new Promise((r) => setTimeout(r, 5));
    latencies.sort((a, b) => a - b);
    console.log(`[${kind}] latency at ${RATE} alerts/s (HTTP send → stored in the console), n=${latencies.length}: p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms`);
  } finally {
    await feed.stop();
    closeDatabase(db);
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
