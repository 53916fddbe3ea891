// Request bodies are parsed on worker threads, and the SQLite log is written
// on a thread of its own. A worker that dies (killed, out of memory) must
// cost no alert: what it held is answered 503, which every sender retries
// (Alertmanager retries only 5xx), and the next request finds a new worker; a
// writer that dies after its COMMIT and before its answer leaves a delivery
// the retry is recognised as (its digest), so nothing is stored twice. Here
// four senders that retry like Alertmanager post while a worker is ended at
// random moments, again and again.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it as plainIt } from 'vitest';
import type { RelayConfigInput } from '../../src/relay/config.js';
import type { Relay } from '../../src/relay/server.js';
import { FLUSH_PAGES, LogCheckpointer, type CheckpointRound } from '../../src/relay/log-checkpointer.js';
import { DeliveryParser } from '../../src/relay/parse-pool.js';
import { RelayStore } from '../../src/relay/store.js';
import { tempDir } from '../helpers.js';
import { relayTest } from '../support/fixtures.js';
import { nativeAlert, post, waitFor } from '../support/relay-fixture.js';

const PER_REQUEST = 50;
const SENDERS = 4;
const CRASHES = 5;

const it = relayTest.extend<{ relayConfig: Partial<RelayConfigInput> }>({
  relayConfig: { rateLimit: { alertsPerSecond: 1e6, burst: 1e6 }, ingestWorkers: 1 },
});

/** Senders that retry like Alertmanager, while `end` ends a thread at random moments holding work, CRASHES times; the counts. */
async function storm(url: string, holding: () => boolean, end: () => Promise<void>) {
  let next = 0;
  let refused503 = 0;
  let crashes = 0;
  // the senders go on with new alerts until the thread has been ended CRASHES times with work in flight
  const send = async () => {
    while (crashes < CRASHES) {
      const start = next;
      next += PER_REQUEST;
      const alerts = Array.from({ length: PER_REQUEST }, (_, i) => nativeAlert(`thread-${start + i}`));
      for (;;) {
        const r = await post(`${url}/v1/alerts`, JSON.stringify({ alerts }));
        if (r.status === 202) break;
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        refused503++;
      }
    }
  };
  const sending = Promise.all(Array.from({ length: SENDERS }, send));
  while (crashes < CRASHES) {
    // a random moment once the thread is back (started again by the next request) and holds work
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 20));
    if (holding()) {
      await end();
      crashes++;
    }
  }
  await sending;
  return { total: next, refused503, crashes };
}

function tally(relay: Relay, total: number): { lost: number; duplicated: number } {
  const keys = relay.store.readAfter(0, total * 2).map((a) => a.key);
  return { lost: total - new Set(keys).size, duplicated: keys.length - new Set(keys).size };
}

describe('the relay on its worker threads', () => {
  it('loses and doubles nothing when its parsing worker dies with requests in flight', async ({ relay }) => {
    await waitFor(() => relay.parser.running === 1, 15_000, 'the parsing worker ready');
    const { total, refused503, crashes } = await storm(relay.url, () => relay.parser.running === 1 && relay.parser.inFlight > 0, () => relay.parser.crashOne());
    const { lost, duplicated } = tally(relay, total);
    console.info(`[relay threads] parsing: ${total} alerts, worker ended ${crashes} times holding requests, ${refused503} requests answered 503 and retried: lost ${lost}, duplicated ${duplicated}`);
    expect(refused503).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    // and the worker is back: a request after the storm is parsed by it
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('after')));
    await waitFor(() => relay.parser.running === 1, 15_000, 'the parsing worker started again');
  });

  it('starts a dead parsing worker again at the next request while another still parses', async () => {
    const two = new DeliveryParser({ workers: 2, policy: { map: {}, fallback: 'SEV3' }, limits: { maxAlertsPerRequest: 10_000, maxAlertBytes: 64 * 1024 }, log: () => undefined });
    try {
      await waitFor(() => two.running === 2, 15_000, 'both parsing workers ready');
      await two.crashOne();
      expect(two.running).toBe(1);
      const body = Buffer.from(JSON.stringify(nativeAlert('revive')));
      // requests go on through the live one; the dead one is started at the first of them and takes its share once ready
      const parse = () => two.parse('native', body, undefined, '2026-11-24T03:00:00.000Z').catch(() => undefined);
      await waitFor(() => (void parse(), two.running === 2), 15_000, 'the ended worker started again');
    } finally {
      await two.close();
    }
  });

  it('keeps its log short through a storm: the log is copied back on a thread of its own and written again from its start', async ({ relay }) => {
    await waitFor(() => relay.writer?.running === true, 15_000, 'the log writer ready');
    // 48 MB of alerts (1 KB of text each), 8 senders at a time: past the writer's own mark (40 MB of log), reached only if the log never starts again
    const wal = `${relay.config.dataDir}/relay.db-wal`;
    const summary = 'p95 latency above 2000 ms on the radiology model; '.repeat(20);
    let next = 0;
    let largest = 0;
    const watching = setInterval(() => {
      try {
        largest = Math.max(largest, statSync(wal).size);
      } catch {
        // not there yet
      }
    }, 5);
    try {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 48_000) {
            const start = next;
            next += 200;
            const alerts = Array.from({ length: 200 }, (_, i) => ({ ...nativeAlert(`wal-${start + i}`), summary }));
            const r = await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts }));
            expect(r.status, JSON.stringify(r.body)).toBe(202);
          }
        }),
      );
    } finally {
      clearInterval(watching);
    }
    const stored = relay.store.count();
    console.info(`[relay threads] log: ${stored} alerts of 1 KB stored, the write-ahead log at most ${(largest / 2 ** 20).toFixed(1)} MB`);
    expect(stored).toBe(48_000);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(20 * 2 ** 20);
  }, 120_000);

  it('loses and doubles nothing when its log writer dies with a commit in flight', async ({ relay }) => {
    await waitFor(() => relay.writer?.running === true, 15_000, 'the log writer ready');
    const { total, refused503, crashes } = await storm(relay.url, () => relay.writer!.running && relay.writer!.inFlight > 0, () => relay.writer!.crash());
    const { lost, duplicated } = tally(relay, total);
    console.info(`[relay threads] writing: ${total} alerts, writer ended ${crashes} times mid-commit, ${refused503} requests answered 503 and retried: lost ${lost}, duplicated ${duplicated}`);
    expect(refused503).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(relay.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('after')));
    await waitFor(() => relay.writer!.running, 15_000, 'the log writer started again');
  });

  it("keeps SQLite's locks on its log through its writer's life: another process cannot switch the log's mode (and delete it) under the relay", async ({ relay }) => {
    // closing any descriptor of a file drops every POSIX lock the process holds on it: a descriptor the relay opens
    // beside SQLite's (to flush the file) must outlive every connection, through writers ended and started again
    const file = join(relay.config.dataDir, 'relay.db');
    // Debian's sqlite3, as an operator would run it (it takes the file once the process's locks are gone)
    const takeOver = () => {
      try {
        return execFileSync('sqlite3', [file, 'PRAGMA journal_mode = DELETE;'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      } catch (err) {
        return `refused: ${String((err as { stderr?: unknown }).stderr).trim()}`;
      }
    };
    await waitFor(() => relay.writer?.running === true, 15_000, 'the log writer ready');
    const answers: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) expect((await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: Array.from({ length: 200 }, (_, j) => nativeAlert(`lock-${round}-${i}-${j}`)) }))).status).toBe(202);
      answers.push(takeOver());
      await relay.writer!.crash(); // its connection and its checkpointing thread's ended as a crash ends them
      answers.push(takeOver());
      await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert(`lock-restart-${round}`)));
      await waitFor(() => relay.writer!.running, 15_000, 'the log writer started again');
    }
    console.info(`[relay threads] locks: another process tried to switch the log's mode ${answers.length} times: ${answers.filter((a) => a.startsWith('refused')).length} refused`);
    for (const a of answers) expect(a).toMatch(/^refused: .*database is locked/);
    expect(relay.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  }, 60_000);
});

describe("the log's checkpointing thread", () => {
  plainIt('flushes what it copies into the database file as it goes, so the copy that ends a log has only its own pages to sync', async () => {
    // SQLite syncs the database file only at a checkpoint that reaches the log's end; under a writer that never
    // pauses, rounds never do: what they copy would wait for the writer's own short copy to flush it all
    const { dir, cleanup } = tempDir('maoc-ckpt-');
    const file = join(dir, 'relay.db');
    const store = new RelayStore(file);
    const fd = openSync(file, 'r');
    const rounds: CheckpointRound[] = [];
    const checkpointer = new LogCheckpointer(store.db, file, (m) => expect.fail(m), { flushFd: fd, intervalMs: 20, round: (r) => rounds.push(r) });
    const json = JSON.stringify({ summary: 'p95 latency above 2000 ms on the radiology model; '.repeat(10) });
    try {
      let n = 0;
      // commits back to back (a moment between them for the thread's reports), until ten rounds have found a megabyte or more of the log copied
      while (rounds.filter((r) => r.checkpointed >= FLUSH_PAGES).length < 10 && n < 400_000) {
        checkpointer.betweenCommits();
        store.append([{ receivedAt: new Date().toISOString(), atMs: Date.now(), alerts: Array.from({ length: 200 }, () => ({ key: `am:${(n++).toString(16).padStart(16, '0')}`, json })) }]);
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await checkpointer.stop();
      store.close();
      closeSync(fd);
      cleanup();
    }
    const flushing = rounds.filter((r) => r.flushed > 0).length;
    const unflushed = Math.max(...rounds.map((r) => r.checkpointed - r.flushed));
    console.info(`[relay threads] checkpointing: ${rounds.length} rounds, ${flushing} of them after a flush; at most ${unflushed} pages copied and not flushed after a round (bound ${FLUSH_PAGES})`);
    expect(flushing).toBeGreaterThan(0);
    for (const r of rounds) expect(r.checkpointed - r.flushed).toBeLessThan(FLUSH_PAGES);
  }, 60_000);
});
