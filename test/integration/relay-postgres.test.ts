// Two relays on one PostgreSQL (Debian's server, a throwaway cluster made
// here), each in its own process from the build, and a console listing both:
// 5,000 alerts posted alternately to the two, relay A killed with SIGKILL
// midway, posting going on to B. The console must end with every alert exactly
// once, in sequence order, connected to B. And the same Alertmanager
// notification sent to both relays (one receiver, two webhook URLs) is stored
// once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { tempDir, testConsole } from '../helpers.js';
import { startAlertmanager } from '../support/alertmanager.js';
import { freePort, PostgresServer } from '../support/servers.js';
import { post, TOKENS, waitFor } from '../support/relay-fixture.js';

const ROOT = join(__dirname, '..', '..');

interface RelayProc { url: string; stream: string; child: ChildProcess; stderr: () => string }

async function startRelayProc(dir: string, name: string, databaseUrl: string, port: number): Promise<RelayProc> {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(
    join(dir, name, 'relay.yaml'),
    [`listen: { host: 127.0.0.1, port: ${port} }`, `dataDir: ${join(dir, name, 'data')}`, `databaseUrl: "${databaseUrl}"`, `consoles: [{ id: ward-a, token: "${TOKENS.wardA}" }]`, 'rateLimit: { alertsPerSecond: 1000000, burst: 1000000 }', 'heartbeatMs: 500', ''].join('\n'),
  );
  const child = spawn(process.execPath, [join(ROOT, 'dist/relay/relay.cjs'), '--config', join(dir, name, 'relay.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8000)));
  const ready = await new Promise<{ url: string; stream: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line) as { url: string; stream: string });
    });
    child.once('exit', (code) => reject(new Error(`relay ${name} exited (${code}): ${err.slice(-1000)}`)));
  });
  return { ...ready, child, stderr: () => err };
}

describe('two relays on PostgreSQL', () => {
  let pgServer: PostgresServer;
  let databaseUrl: string;
  const { dir, cleanup } = tempDir();
  const procs: ChildProcess[] = [];
  const consoles: OnCallConsole[] = [];

  beforeAll(async () => {
    pgServer = await PostgresServer.create();
    pgServer.start();
    databaseUrl = `postgresql://postgres@127.0.0.1:${pgServer.port}/postgres`;
  }, 60_000);
  afterAll(async () => {
    for (const c of consoles) await c.stop();
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    pgServer?.stop();
    pgServer?.remove();
    cleanup();
  });

  it('a console gets 5,000 alerts exactly once, in order, through relay A killed midway and relay B', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startRelayProc(dir, 'relay-a', databaseUrl, portA);
    const b = await startRelayProc(dir, 'relay-b', databaseUrl, portB);
    procs.push(a.child, b.child);
    writeFileSync(join(dir, 'token'), TOKENS.wardA, { mode: 0o600 });
    const oncall = testConsole(join(dir, 'console'), { tickMs: 200 }, ['--relay-url', `${a.stream},${b.stream}`, '--relay-token-file', join(dir, 'token'), '--relay-ping-ms', '300']);
    consoles.push(oncall);
    await oncall.start();
    await waitFor(() => oncall.status().feed.state === 'connected', 15_000, 'the console connected');
    expect(oncall.status().feed.detail).toContain(a.stream);

    const N = 5000;
    const PER = 25;
    let killedAt = -1;
    let retriedAtB = 0;
    // four requests in flight at a time; relay A is killed at a random moment among them once half are sent
    const send = async (start: number, n: number) => {
      const alerts = Array.from({ length: PER }, (_, i) => ({ key: `ha-${start + i}`, severity: 'SEV3', summary: `failover alert ${start + i}`, service: 'ha-test' }));
      const body = JSON.stringify({ alerts });
      const target = n % 2 === 0 && killedAt < 0 ? a : b;
      let status = 0;
      try {
        status = (await post(`${target.url}/v1/alerts`, body)).status;
      } catch {
        status = 0;
      }
      if (status !== 202) {
        // the sender's own retry, to the relay that answers (the same body: stored once if A had stored it)
        retriedAtB++;
        status = (await post(`${b.url}/v1/alerts`, body)).status;
      }
      expect(status).toBe(202);
    };
    for (let start = 0, n = 0; start < N; start += PER * 4, n += 4) {
      const batch = Promise.all([0, 1, 2, 3].map((k) => (start + k * PER < N ? send(start + k * PER, n + k) : Promise.resolve())));
      if (start >= N / 2 && killedAt < 0) {
        // while this batch's requests to A are in flight
        if (Math.random() < 0.5) await new Promise((r) => setImmediate(r));
        a.child.kill('SIGKILL');
        killedAt = start;
      }
      await batch;
    }
    const db = oncall.services().db;
    const count = () => db.prepare(`SELECT count(*) FROM feed_alert WHERE key LIKE 'native:ha-%'`).pluck().get() as number;
    await waitFor(() => count() >= N, 60_000, () => `5,000 alerts at the console (have ${count()})`);
    await new Promise((r) => setTimeout(r, 1000)); // anything extra would have arrived by now
    const rows = db.prepare(`SELECT relay_id AS relayId, seq, key FROM feed_alert WHERE key LIKE 'native:ha-%' ORDER BY rowid`).all() as { relayId: string; seq: number; key: string }[];
    const keys = new Set(rows.map((r) => r.key));
    const relayIds = new Set(rows.map((r) => r.relayId));
    let inOrder = true;
    for (let i = 1; i < rows.length; i++) if (rows[i]!.seq <= rows[i - 1]!.seq) inOrder = false;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const stored = Number((await client.query(`SELECT count(*) AS n FROM relay_alerts WHERE key LIKE 'native:ha-%'`)).rows[0].n);
    await client.end();
    const duplicated = rows.length - keys.size;
    const lost = N - keys.size;
    console.log(`[relay-postgres] ${N} alerts posted alternately, relay A SIGKILLed after ${killedAt}; ${retriedAtB} requests retried at B; stored in PostgreSQL ${stored}; at the console ${rows.length} rows, ${keys.size} distinct: lost ${lost}, duplicated ${duplicated}, in seq order ${inOrder}, one relay id ${relayIds.size === 1}; console now on ${oncall.status().feed.detail}`);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(stored).toBe(N);
    expect(inOrder).toBe(true);
    expect(relayIds.size).toBe(1);
    await waitFor(() => oncall.status().feed.state === 'connected' && oncall.status().feed.detail.includes(b.stream), 10_000, () => `connected to B (${oncall.status().feed.state}: ${oncall.status().feed.detail})`);
    b.child.kill('SIGTERM');
  }, 180_000);

  it('stores the same Alertmanager notification, sent to both relays, once', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startRelayProc(dir, 'relay-c', databaseUrl, portA);
    const b = await startRelayProc(dir, 'relay-d', databaseUrl, portB);
    procs.push(a.child, b.child);
    const am = await startAlertmanager(join(dir, 'am'), [`${a.url}/v1/alertmanager`, `${b.url}/v1/alertmanager`], ["  group_by: ['alertname']", '  group_wait: 500ms', '  group_interval: 1s', '  repeat_interval: 1h'].join('\n'));
    try {
      await am.postAlerts(Array.from({ length: 30 }, (_, i) => ({ labels: { alertname: 'DualReceiver', instance: `n-${i}` }, annotations: { summary: `dual ${i}` }, startsAt: new Date().toISOString() })));
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const stored = async () => Number((await client.query(`SELECT count(*) AS n FROM relay_alerts WHERE body LIKE '%DualReceiver%'`)).rows[0].n);
      const deliveries = async () => Number((await client.query(`SELECT count(*) AS n FROM relay_delivery`)).rows[0].n);
      const end = Date.now() + 20_000;
      while ((await stored()) < 30 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 1500)); // both relays have been notified by now
      const n = await stored();
      console.log(`[relay-postgres] one Alertmanager notification of 30 alerts to two relays: ${n} rows stored, ${await deliveries()} deliveries recorded`);
      await client.end();
      expect(n).toBe(30);
    } finally {
      await am.stop();
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
    }
  }, 60_000);
});
