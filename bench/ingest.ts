// Relay → console: sustained throughput with dedup, and latency at 500 alerts/s.
// The relay runs in its own process (as deployed); producer and console share this one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FeedClient } from '../src/main/feed/feed-client.js';
import { FeedStore } from '../src/main/feed/feed-store.js';
import { closeDatabase, openDatabase } from '../src/main/store/database.js';
import { silentLogger } from '../src/main/core/logger.js';
import { systemClock } from '../src/shared/clock.js';
import type { Alert } from '../src/shared/domain/alert.js';

const ROOT = resolve(__dirname, '..');
const nowAbs = () => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function post(url: string, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const r = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (resp) => {
      resp.resume();
      resp.on('end', () => res(resp.statusCode ?? 0));
    });
    r.on('error', rej);
    r.end(body);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-ingest-'));
  const token = randomBytes(32).toString('base64url');
  writeFileSync(
    join(dir, 'relay.yaml'),
    `listen: { host: 127.0.0.1, port: 0 }\ndataDir: ${join(dir, 'relay')}\nconsoles: [{ id: bench, token: "${token}" }]\nrateLimit: { alertsPerSecond: 1000000, burst: 1000000 }\n`,
  );
  const relayProc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/relay/main.ts'), '--config', join(dir, 'relay.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ url: string; stream: string }>((res) => {
    let out = '';
    relayProc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) res(JSON.parse(line) as { url: string; stream: string });
    });
  });

  const db = openDatabase(join(dir, 'console.db'));
  const store = new FeedStore(db, systemClock);
  let stored = 0;
  const byKey = new Map<string, number>(); // the dedup an incident engine does: one entry per key
  let onStored: ((alerts: Alert[]) => void) | null = null;
  const feed = new FeedClient({ url: ready.stream, token }, {
    store,
    clock: systemClock,
    logger: silentLogger,
    onAlerts: (alerts) => {
      stored += alerts.length;
      for (const a of alerts) byKey.set(a.key, (byKey.get(a.key) ?? 0) + 1);
      onStored?.(alerts);
    },
  });
  feed.start();
  while (feed.status().state !== 'connected') await new Promise((r) => setTimeout(r, 10));

  try {
    // 1. sustained: 40,000 alerts over 800 distinct keys, 100 per request, 8 senders
    const N = 40_000;
    const PER = 100;
    const KEYS = 800;
    let next = 0;
    const t0 = performance.now();
    const sender = async () => {
      while (next < N) {
        const start = next;
        next += PER;
        const alerts = Array.from({ length: PER }, (_, i) => ({ key: `svc-${(start + i) % KEYS}`, severity: 'SEV2', summary: 'p95 latency above 2000 ms', service: 'model-service' }));
        const status = await post(`${ready.url}/v1/alerts`, JSON.stringify({ alerts }));
        if (status !== 202) throw new Error(`relay answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    const accepted = performance.now() - t0;
    while (stored < N) await new Promise((r) => setImmediate(r));
    const ms = performance.now() - t0;
    console.log(`sustained relay→console: ${Math.round((N / ms) * 1000).toLocaleString('en-US')} alerts/s stored at the console (${N.toLocaleString('en-US')} alerts in ${ms.toFixed(0)} ms; relay accepted all in ${accepted.toFixed(0)} ms); dedup: ${byKey.size} distinct keys`);

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
    console.log(`latency at ${RATE} alerts/s (HTTP send → stored in the console), n=${latencies.length}: p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms`);
  } finally {
    await feed.stop();
    closeDatabase(db);
    relayProc.kill('SIGTERM');
    agent.destroy();
    await new Promise((r) => relayProc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
