// The relay's log, one set of tests for both stores: the embedded SQLite file
// and PostgreSQL (a throwaway Debian cluster). What a relay promises rests on
// these answers — sequence numbers in order and never reused, a delivery
// stored once, actions stored once with their write-back queued alongside,
// the newest checkpoint kept — so both must give the same ones.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayAck } from '../../src/shared/relay-protocol.js';
import { PgRelayStore } from '../../src/relay/pg-store.js';
import { RelayStore } from '../../src/relay/store.js';
import type { EncodedAlert, RelayStorage } from '../../src/relay/storage.js';
import { encodeAlert } from '../../src/relay/ingest.js';
import type { NewAlert } from '../../src/relay/normalize.js';
import { tempDir } from '../helpers.js';
import { PostgresServer } from '../support/servers.js';

/** An alert as the relay stores it: key and JSON, serialised where it was parsed. */
const alert = (key: string, status: NewAlert['status'] = 'firing'): EncodedAlert =>
  encodeAlert({ key, source: 'native', status, severity: 'SEV2', summary: `summary of ${key}`, service: 'svc', labels: { k: key }, annotations: {}, links: [], startsAt: '2026-11-22T08:00:00.000Z' });

const ack = (over: Partial<RelayAck> = {}): RelayAck => ({ id: randomUUID(), alertKey: 'native:a', action: 'acknowledge', operator: { userId: 'rn.jones', displayName: 'Rita Jones' }, at: '2026-11-22T08:01:00.000Z', ...over });

let pgServer: PostgresServer | null = null;
const { dir, cleanup } = tempDir();
let databases = 0;

beforeAll(async () => {
  pgServer = await PostgresServer.create();
  pgServer.start();
}, 60_000);
afterAll(() => {
  pgServer?.stop();
  pgServer?.remove();
  cleanup();
});

/** A fresh store of each kind (PostgreSQL: a database of its own). */
const stores: Record<string, () => Promise<RelayStorage>> = {
  sqlite: async () => new RelayStore(`${dir}/relay-${++databases}.db`),
  postgresql: async () => {
    const name = `relay_${++databases}`;
    const admin = new PgRelayStore(`postgresql://postgres@127.0.0.1:${pgServer!.port}/postgres`);
    // a database per test: created through a plain connection
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${pgServer!.port}/postgres` });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    await admin.close();
    const s = new PgRelayStore(`postgresql://postgres@127.0.0.1:${pgServer!.port}/${name}`);
    await s.open();
    return s;
  },
};

describe.each(Object.keys(stores))('the relay log on %s', (kind) => {
  const open = stores[kind]!;

  it('numbers alerts in order, never reuses a number, and pages after a cursor within a byte budget', async () => {
    const s = await open();
    const [r1, r2] = await s.append([
      { alerts: [alert('a'), alert('b')], receivedAt: '2026-11-22T08:00:00.000Z', atMs: 1 },
      { alerts: [alert('c')], receivedAt: '2026-11-22T08:00:01.000Z', atMs: 2 },
    ]);
    expect(r1!.seqs).toEqual([1, 2]);
    expect(r2!.seqs).toEqual([3]);
    expect(await s.lastSeq()).toBe(3);
    const page = await s.pageAfter(1, 10, 1 << 20);
    expect(page.lastSeq).toBe(3);
    expect(page.json.map((j) => (JSON.parse(j) as { key: string; seq: number; relayId: string }).seq)).toEqual([2, 3]);
    expect(JSON.parse(page.json[0]!)).toMatchObject({ relayId: s.relayId, key: 'b', receivedAt: '2026-11-22T08:00:00.000Z' });
    const small = await s.pageAfter(0, 10, 10); // one alert always moves, however small the budget
    expect(small.json).toHaveLength(1);
    expect(await s.purgeOlderThan('2026-11-22T08:00:01.000Z')).toBe(2);
    const [r3] = await s.append([{ alerts: [alert('d')], receivedAt: '2026-11-22T08:00:02.000Z', atMs: 3 }]);
    expect(r3!.seqs).toEqual([4]); // never reused after a purge
    expect((await s.latestByKey('d'))?.summary).toBe('summary of d');
    await s.close();
  });

  it('stores a delivery once by its digest, within a batch and across batches, until the window is purged', async () => {
    const s = await open();
    const [first, again] = await s.append([
      { alerts: [alert('x'), alert('y')], receivedAt: 't', atMs: 1000, digest: 'd1' },
      { alerts: [alert('x'), alert('y')], receivedAt: 't', atMs: 1000, digest: 'd1' },
    ]);
    expect(first).toEqual({ seqs: [1, 2], duplicate: false });
    expect(again).toEqual({ seqs: [1, 2], duplicate: true });
    const [later] = await s.append([{ alerts: [alert('x'), alert('y')], receivedAt: 't', atMs: 2000, digest: 'd1' }]);
    expect(later).toEqual({ seqs: [1, 2], duplicate: true });
    expect(await s.purgeDeliveries(1500)).toBe(1);
    const [after] = await s.append([{ alerts: [alert('x')], receivedAt: 't', atMs: 3000, digest: 'd1' }]);
    expect(after!.duplicate).toBe(false);
    await s.close();
  });

  it('stores an action once, numbers actions in order, queues what it asks of the sources with it, and keeps the newest checkpoint', async () => {
    const s = await open();
    s.planWriteBack = (a) => (a.action === 'acknowledge' ? [{ target: 'alertmanager', op: 'silence', subject: a.alertKey, payload: { alertKeys: ['am:1'] } }] : []);
    const a1 = ack();
    expect(await s.storeAck(a1, 'ward-a', a1.at)).toBe('stored');
    expect(await s.storeAck(a1, 'ward-a', a1.at)).toBe('duplicate');
    const a2 = ack({ action: 'note' });
    expect(await s.storeAck(a2, 'ward-b', a2.at)).toBe('stored');
    // in order (a refused duplicate may leave a gap in SQLite's numbering: cursors only need "after")
    const acks = await s.acksAfter(0, '', 10);
    expect(acks.map((a) => [a.ack.id, a.consoleId])).toEqual([[a1.id, 'ward-a'], [a2.id, 'ward-b']]);
    expect(acks[1]!.seq).toBeGreaterThan(acks[0]!.seq);
    expect((await s.acksAfter(acks[0]!.seq, '', 10)).map((a) => a.ack.id)).toEqual([a2.id]);
    expect((await s.acksAfter(0, 'ward-a', 10)).map((a) => a.ack.id)).toEqual([a2.id]);
    const due = await s.dueWriteBacks(Date.parse(a1.at), 10);
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ ackId: a1.id, target: 'alertmanager', op: 'silence', subject: 'native:a', payload: { alertKeys: ['am:1'] } });
    await s.retryWriteBack(due[0]!.id, Date.parse(a1.at) + 5000, 'HTTP 503');
    expect(await s.dueWriteBacks(Date.parse(a1.at) + 1000, 10)).toHaveLength(0);
    await s.finishWriteBack(due[0]!.id, 'done', Date.parse(a1.at) + 6000);
    expect(await s.dueWriteBacks(Number.MAX_SAFE_INTEGER, 10)).toHaveLength(0);

    const cp = (seq: number) => ({ seq, hash: 'a'.repeat(64), at: '2026-11-22T08:00:00.000Z', mac: 'b'.repeat(64) });
    await s.storeCheckpoint('ward-a', cp(5), 't');
    await s.storeCheckpoint('ward-a', cp(3), 't'); // an older one never replaces a newer
    expect((await s.checkpoint('ward-a'))?.seq).toBe(5);
    await s.rememberRoute('dedup-1', 'R'.repeat(32), 1);
    expect(await s.routingKey('dedup-1')).toBe('R'.repeat(32));
    await s.putSilence({ silenceId: 's1', incidentKey: 'amg:1', amUrl: 'http://am', alertKeys: ['am:1'], body: '{}', endsAtMs: 10 });
    expect((await s.activeSilences('amg:1')).map((x) => x.silenceId)).toEqual(['s1']);
    await s.endSilence('s1', 'expired');
    expect(await s.activeSilences()).toHaveLength(0);
    await s.append([], { watchdog_last_seen: '2026-11-22T08:00:00.000Z' });
    expect(await s.meta('watchdog_last_seen')).toBe('2026-11-22T08:00:00.000Z');
    await s.close();
  });

  it('purges by age without ever deleting an alert younger than the cutoff, even when the clock was set back between deliveries', async () => {
    // receipt times as a relay's clock gives them: mostly forward, sometimes stepped back (NTP, a VM resumed), some equal
    const delivery = fc.record({ step: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 90 }), weight: 6 }, { arbitrary: fc.integer({ min: -600, max: -1 }), weight: 1 }), alerts: fc.integer({ min: 1, max: 4 }) });
    let purgedOld = 0;
    let keptYoung = 0;
    let keptOld = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: -100, max: 2500 }), { minLength: 1, maxLength: 3 }), async (deliveries, cutoffs) => {
        const s = await open();
        try {
          const base = Date.UTC(2026, 10, 1);
          let t = 1000;
          const rows: { seq: number; at: number }[] = [];
          for (const d of deliveries) {
            t = Math.max(0, t + d.step);
            const [r] = await s.append([{ alerts: Array.from({ length: d.alerts }, () => alert(`k${rows.length}-${randomUUID()}`)), receivedAt: new Date(base + t * 1000).toISOString(), atMs: t }]);
            for (const seq of r!.seqs) rows.push({ seq, at: t });
          }
          let left = rows;
          for (const c of cutoffs) {
            const cutoff = 1000 + c;
            const purged = await s.purgeOlderThan(new Date(base + cutoff * 1000).toISOString());
            const after = new Set((await s.pageAfter(0, 10_000, 1 << 30)).json.map((j) => (JSON.parse(j) as { seq: number }).seq));
            // never a young one; every old one stored before the first young one; the count is what went
            for (const r of left) if (r.at >= cutoff) expect(after.has(r.seq), `seq ${r.seq} received at ${r.at}, cutoff ${cutoff}`).toBe(true);
            const firstYoung = left.find((r) => r.at >= cutoff)?.seq ?? Infinity;
            for (const r of left) if (r.seq < firstYoung) expect(after.has(r.seq), `seq ${r.seq} received at ${r.at}, before the first young one`).toBe(false);
            expect(purged).toBe(left.length - after.size);
            purgedOld += purged;
            left = left.filter((r) => after.has(r.seq));
          }
          keptYoung += left.filter((r) => r.at >= 1000 + Math.max(...cutoffs)).length;
          keptOld += left.filter((r) => r.at < 1000 + Math.max(...cutoffs)).length;
          // numbering goes on after a purge, never reusing one
          const [next] = await s.append([{ alerts: [alert('next')], receivedAt: new Date(base).toISOString(), atMs: 0 }]);
          expect(next!.seqs[0]).toBe(rows.length + 1);
        } finally {
          await s.close();
        }
      }),
      { numRuns: kind === 'sqlite' ? 40 : 12, endOnFailure: true },
    );
    console.log(`purge by age on ${kind}: ${purgedOld} old alerts purged, ${keptYoung} young ones kept, ${keptOld} old ones kept behind a younger one (the clock set back)`);
  }, 120_000);

  it('answers the newest stored alert of a key, as a plain list of what was stored would, across thousands of hashed keys and purges', async () => {
    // Keys as the senders make them: Alertmanager fingerprints and PagerDuty dedup keys are hashes, so
    // alert keys arrive in no order at all. The model is the list itself: the last alert of a key that
    // the purges left. A few keys come back again and again, most once; some are asked for and never sent.
    const hashed = (prefix: string, i: number) => `${prefix}${createHash('sha256').update(String(i)).digest('hex').slice(0, 16)}`;
    const keyOf = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 7 }).map((i) => hashed('am:', i)), weight: 1 },
      { arbitrary: fc.integer({ min: 0, max: 3 }).map((i) => hashed('pd:', i)), weight: 1 },
      { arbitrary: fc.integer({ min: 8, max: 1_000_000 }).map((i) => hashed(i % 2 ? 'am:' : 'pd:', i)), weight: 6 },
    );
    const step = fc.oneof(
      { arbitrary: fc.record({ append: fc.array(fc.tuple(keyOf, fc.constantFrom('firing', 'resolved') as fc.Arbitrary<NewAlert['status']>), { minLength: 1, maxLength: 3000, size: 'max' }) }), weight: 5 },
      { arbitrary: fc.record({ purge: fc.double({ min: 0, max: 1, noNaN: true }) }), weight: 1 },
    );
    const runs = kind === 'sqlite' ? 6 : 3;
    let stored = 0;
    let asked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 6, size: 'max' }), async (steps) => {
        const s = await open();
        const log: { key: string; status: string; at: number; seq: number }[] = [];
        let t = 0;
        try {
          for (const st of steps) {
            if ('append' in st) {
              // one request per 500 alerts, each its own second
              const requests = [];
              for (let i = 0; i < st.append.length; i += 500) {
                t++;
                requests.push({ alerts: st.append.slice(i, i + 500).map(([k, status]) => alert(k, status)), receivedAt: new Date(Date.UTC(2026, 10, 22, 8) + t * 1000).toISOString(), atMs: t, at: t, keys: st.append.slice(i, i + 500) });
              }
              const results = await s.append(requests.map(({ alerts, receivedAt, atMs }) => ({ alerts, receivedAt, atMs })));
              requests.forEach((r, i) => r.keys.forEach(([key, status], j) => log.push({ key, status, at: r.at, seq: results[i]!.seqs[j]! })));
              stored += st.append.length;
            } else {
              const cut = Math.floor(st.purge * (t + 1));
              const purged = await s.purgeOlderThan(new Date(Date.UTC(2026, 10, 22, 8) + cut * 1000).toISOString());
              const before = log.length;
              log.splice(0, log.length, ...log.filter((e) => e.at >= cut));
              expect(purged).toBe(before - log.length);
            }
          }
          // each alert under the number its append answered (numbers given in statements of several rows)
          const page = await s.pageAfter(0, 100_000, 1 << 30);
          expect(page.json.map((j) => { const a = JSON.parse(j) as { seq: number; key: string }; return [a.seq, a.key]; })).toEqual(log.map((e) => [e.seq, e.key]));
          const newest = new Map<string, { status: string; seq: number }>();
          for (const e of log) newest.set(e.key, e);
          const wanted = [...new Set([...log.map((e) => e.key), ...Array.from({ length: 8 }, (_, i) => hashed('am:', i)), ...Array.from({ length: 4 }, (_, i) => hashed('pd:', i)), hashed('pd:', -1)])];
          for (const key of wanted) {
            const got = await s.latestByKey(key);
            const want = newest.get(key);
            expect(got ? { key: got.key, status: got.status } : undefined).toEqual(want ? { key, status: want.status } : undefined);
            asked++;
          }
        } finally {
          await s.close();
        }
      }),
      { numRuns: runs, endOnFailure: true }, // (no shrinking: a case of thousands of alerts would take minutes to shrink)
    );
    console.log(`latestByKey on ${kind}: ${stored} alerts stored, ${asked} keys asked, all as the model says`);
  }, 120_000);
});
