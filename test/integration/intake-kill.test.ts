// Real SIGKILLs of real processes while alerts stream in. The console must end
// with every alert the relay holds in exactly one incident; the relay must end
// with every alert a retrying sender got through stored exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/server.js';
import { ROOT, startBrowserMode, type RunningConsole } from '../support/browser-mode.js';
import { nativeAlert, post, startRelay, TOKENS } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';
import { freePort } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sender that retries every batch until the relay answers 2xx (as Alertmanager and PagerDuty clients do). */
async function sendWithRetry(url: string, body: string, stopAt: number): Promise<{ attempts: number }> {
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const r = await post(url, body);
      if (r.status >= 200 && r.status < 300) return { attempts };
      if (r.status < 500 && r.status !== 429) throw new Error(`refused with ${r.status}: ${JSON.stringify(r.body)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('refused')) throw err;
    }
    if (Date.now() > stopAt) throw new Error('sender gave up');
    await sleep(20);
  }
}

describe('a console killed with SIGKILL while alerts stream in', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it('ends with every alert the relay holds in exactly one incident, after 30 kills', async () => {
    const relay: Relay = await startRelay(`${dir}/relay`);
    writeFileSync(`${dir}/token`, TOKENS.wardA);
    const args = ['--relay-url', relay.streamUrl, '--relay-token-file', `${dir}/token`, '--relay-ping-ms', '500', '--notify-sink', 'none'];
    const TOTAL = 9_600;
    const BATCH = 40;
    let sent = 0;
    const sender = (async () => {
      for (let b = 0; b < TOTAL / BATCH; b++) {
        const alerts = Array.from({ length: BATCH }, (_, i) => nativeAlert(`kill-${b * BATCH + i}`, { severity: i % 10 === 0 ? 'SEV1' : 'SEV3' }));
        const r = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts }));
        expect(r.status).toBe(202);
        sent += BATCH;
        await sleep(8);
      }
    })();

    let kills = 0;
    let c: RunningConsole = await startBrowserMode(`${dir}/console`, args);
    const KILLS = 30;
    while (kills < KILLS) {
      await sleep(80 + Math.floor(Math.random() * 400));
      c.child.kill('SIGKILL');
      await new Promise((r) => c.child.once('exit', r));
      kills++;
      c = await startBrowserMode(`${dir}/console`, args);
    }
    await sender;
    expect(sent).toBe(TOTAL);
    const relayLast = relay.store.lastSeq();
    // let the last life catch up, then stop it cleanly and read its database
    const token = c.token;
    const status = async () =>
      ((await (await fetch(`${c.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'console.status', input: {} }) })).json()) as {
        result: { feed: { lastSeq: number; applyPending: boolean } };
      }).result;
    for (let i = 0; i < 600; i++) {
      const s = await status();
      if (s.feed.lastSeq >= relayLast && !s.feed.applyPending) break;
      await sleep(100);
    }
    expect(await c.stop()).toBe(0);

    const relayKeys = relay.store.readAfter(0, TOTAL * 2).map((a) => ({ seq: a.seq, key: a.key }));
    await relay.close();
    const db = new Database(join(dir, 'console', 'console.db'), { readonly: true });
    const linked = new Map<number, number>();
    for (const r of db.prepare(`SELECT seq, count(*) AS n FROM incident_alert WHERE relay_id != 'local' GROUP BY seq`).all() as { seq: number; n: number }[]) linked.set(r.seq, r.n);
    const incidentsPerKey = new Map<string, number>();
    for (const r of db.prepare('SELECT key, count(*) AS n FROM incident GROUP BY key').all() as { key: string; n: number }[]) incidentsPerKey.set(r.key, r.n);
    const unapplied = db.prepare('SELECT count(*) FROM feed_alert WHERE applied = 0').pluck().get() as number;
    db.close();

    const missing = relayKeys.filter((a) => !linked.has(a.seq) || !incidentsPerKey.has(a.key)).length;
    const duplicated = relayKeys.filter((a) => (linked.get(a.seq) ?? 0) > 1 || (incidentsPerKey.get(a.key) ?? 0) > 1).length;
    console.log(`console kill -9: relay held ${relayKeys.length} alerts, kills ${kills}, missing ${missing}, duplicated ${duplicated}, unapplied ${unapplied}`);
    expect(relayKeys.length).toBe(TOTAL);
    expect(kills).toBeGreaterThanOrEqual(30);
    expect(missing).toBe(0);
    expect(duplicated).toBe(0);
    expect(unapplied).toBe(0);
  }, 240_000);
});

describe('a relay killed with SIGKILL during a stream from a retrying sender', () => {
  const { dir, cleanup } = tempDir();
  let relay: ChildProcess | null = null;
  afterAll(() => {
    relay?.kill('SIGKILL');
    cleanup();
  });

  it('loses nothing and stores nothing twice across 6 kills', async () => {
    const bundle = join(ROOT, 'dist/relay/relay.cjs');
    if (!existsSync(bundle)) throw new Error('dist/relay/relay.cjs is missing: run `npm run build` first (npm test does)');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      const child = spawn(process.execPath, [bundle, '--data-dir', `${dir}/relay`, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('"ready":true')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
      });
      return child;
    };
    relay = await start();
    const TOTAL_BATCHES = 300;
    const BATCH = 10;
    let attempts = 0;
    let done = 0;
    const stopAt = Date.now() + 120_000;
    const sender = (async () => {
      for (let b = 0; b < TOTAL_BATCHES; b++) {
        const body = JSON.stringify({ alerts: Array.from({ length: BATCH }, (_, i) => nativeAlert(`relay-kill-${b}-${i}`)) });
        attempts += (await sendWithRetry(`${url}/v1/alerts`, body, stopAt)).attempts;
        done++;
      }
    })();
    let kills = 0;
    while (kills < 6) {
      await sleep(150 + Math.floor(Math.random() * 300));
      const r = relay;
      r.kill('SIGKILL');
      await new Promise((res) => r.once('exit', res));
      kills++;
      await sleep(50);
      relay = await start();
    }
    await sender;
    relay.kill('SIGTERM');
    await new Promise((res) => relay!.once('exit', res));
    relay = null;
    const db = new Database(`${dir}/relay/relay.db`, { readonly: true });
    const rows = db.prepare('SELECT key, count(*) AS n FROM alerts GROUP BY key').all() as { key: string; n: number }[];
    db.close();
    const counts = new Map(rows.map((r) => [r.key, r.n]));
    let lost = 0;
    let twice = 0;
    for (let b = 0; b < TOTAL_BATCHES; b++)
      for (let i = 0; i < BATCH; i++) {
        const n = counts.get(`native:relay-kill-${b}-${i}`) ?? 0;
        if (n === 0) lost++;
        if (n > 1) twice++;
      }
    console.log(`relay kill -9: sent ${TOTAL_BATCHES * BATCH} alerts in ${done} batches (${attempts} attempts), kills ${kills}, lost ${lost}, stored twice ${twice}`);
    expect(done).toBe(TOTAL_BATCHES);
    expect(kills).toBeGreaterThanOrEqual(6);
    expect(lost).toBe(0);
    expect(twice).toBe(0);
  }, 180_000);
});
