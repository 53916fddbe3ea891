// A console far behind its relay reads big pages and applies each in slices,
// with the event loop free between them, while the relay already sends the
// next. Whatever happens mid-page — the link cut, the console's database
// refusing a write — every alert becomes its incident exactly once, in order;
// and another console's action that follows a page is applied after it, so it
// finds its incident.
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { WebSocketServer } from 'ws';
import { RELAY_SUBPROTOCOL } from '../../src/shared/relay-protocol.js';
import { alertBuilder } from '../support/alerts.js';
import { consoleTest, relayTest } from '../support/fixtures.js';
import { post, TOKENS, waitFor } from '../support/relay-fixture.js';
import { testConsole } from '../helpers.js';
import { FeedClient } from '../../src/main/feed/feed-client.js';
import { FeedStore } from '../../src/main/feed/feed-store.js';
import { silentLogger } from '../../src/main/platform/logger.js';
import { closeDatabase, openDatabase } from '../../src/main/store/database.js';
import { systemClock } from '../../src/shared/clock.js';

const it = relayTest.override({ relayConfig: { pageSize: 2000 } });

async function postAlerts(url: string, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 250) {
    const alerts = Array.from({ length: Math.min(250, n - i) }, (_, k) => ({ key: `${prefix}-${i + k}`, severity: 'SEV3', summary: 'queue depth above 500', service: 'lab-interface' }));
    expect((await post(`${url}/v1/alerts`, JSON.stringify({ alerts }))).status).toBe(202);
  }
}

describe('pages applied in slices', () => {
  it('loses and repeats nothing when the link is cut mid-page and the database refuses a write mid-page', async ({ relay, relayConsole }) => {
    const N = 6000;
    await postAlerts(relay.url, 'cut', N);
    const oncall = await relayConsole('console');
    const db = oncall.services().db;
    const count = () => db.prepare(`SELECT count(*) FROM incident WHERE key LIKE 'native:cut-%'`).pluck().get() as number;
    // the link cut while a page is half applied
    await waitFor(() => count() > 0, 20_000, 'the first slices applied');
    const feed = oncall.services().feed as unknown as { ws: { terminate(): void } | null };
    const cutAt = count();
    feed.ws?.terminate();
    // then the database refuses to store one alert further on (as a failing disk would), until it is mended: each link ends there
    db.exec(`CREATE TABLE fault_armed (on_seq INTEGER);
             INSERT INTO fault_armed SELECT max(seq) + 700 FROM feed_alert;
             CREATE TRIGGER fault_once BEFORE INSERT ON feed_alert WHEN NEW.seq = (SELECT on_seq FROM fault_armed)
             BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;`);
    const refusedAt = db.prepare('SELECT on_seq FROM fault_armed').pluck().get() as number;
    await waitFor(() => oncall.services().feed!.status().reconnects >= 3, 20_000, () => `the refusal reached (${count()} incidents, refused at ${refusedAt}, stored up to ${db.prepare('SELECT max(seq) FROM feed_alert').pluck().get()}, ${JSON.stringify(oncall.status().feed)})`);
    const beforeMend = count();
    db.exec('DROP TRIGGER fault_once; DROP TABLE fault_armed;');
    await waitFor(() => count() === N, 60_000, () => `all ${N} incidents (have ${count()})`);
    const keys = db.prepare(`SELECT i.key, ia.seq FROM incident i JOIN incident_alert ia ON ia.incident_id = i.id WHERE i.key LIKE 'native:cut-%' ORDER BY i.rowid`).all() as { key: string; seq: number }[];
    const distinct = new Set(keys.map((k) => k.key));
    const duplicated = keys.length - distinct.size;
    const lost = N - distinct.size;
    const outOfOrder = keys.filter((k, i) => i > 0 && k.seq < keys[i - 1]!.seq).length;
    console.info(`[feed-slices] ${N} alerts in pages of 2,000: link cut after ${cutAt} incidents, a write refused at seq ${refusedAt} (${beforeMend} applied before it was mended); lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}; reconnects ${oncall.services().feed!.status().reconnects}`);
    expect({ lost, duplicated, outOfOrder }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(db.prepare(`SELECT count(*) FROM feed_alert WHERE applied != 1`).pluck().get()).toBe(0);
  });

  it("applies another console's action after the page before it, so it finds its incident", async ({ relay, relayConsole }) => {
    const a = await relayConsole('ward-a');
    await postAlerts(relay.url, 'order', 3000);
    await waitFor(() => a.services().incidents.list({ limit: 5000 }).length === 3000, 30_000, 'ward-a has every incident');
    const op = a.services().operator.signIn('rn.jones', 'Rita Jones');
    const last = a.services().incidents.findOpen('native:order-2999')!;
    a.services().incidents.acknowledge(last.id, op);
    await waitFor(() => a.services().incidents.pendingCount() === 0, 10_000, 'the action reached the relay');
    // ward-b starts now: two pages of alerts, then the action — which must wait for the page that opens its incident
    const b = await relayConsole('ward-b', { token: TOKENS.wardB });
    await waitFor(() => b.services().incidents.findOpen('native:order-2999')?.state === 'acknowledged', 30_000, () => `order-2999 acknowledged at ward-b (it is ${b.services().incidents.findOpen('native:order-2999')?.state ?? 'not there'})`);
    expect(b.services().incidents.findOpen('native:order-2999')!.acknowledgedBy).toContain('Rita Jones');
  });
});

describe('a relay of the first protocol (no flow control)', () => {
  consoleTest('sends every page at once: the console applies them all, in order, once', async ({ dir }) => {
    const relayId = 'first-protocol-relay';
    const alert = alertBuilder(relayId, { severity: 'SEV3' });
    const PAGES = 40;
    const PER = 500;
    const pages = Array.from({ length: PAGES }, (_, p) => Array.from({ length: PER }, (_, i) => alert(`old-${p * PER + i}`)));
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => RELAY_SUBPROTOCOL });
    await new Promise((r) => wss.once('listening', r));
    let sentPages = 0;
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', relayId, consoleId: 'ward', lastSeq: PAGES * PER }));
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; since?: number };
        if (f.type !== 'subscribe') return;
        // the first protocol: everything after the cursor, as fast as the socket takes it, never waiting for the console
        for (const page of pages) {
          const rest = page.filter((a) => a.seq > (f.since ?? 0));
          if (rest.length) {
            ws.send(JSON.stringify({ type: 'alerts', alerts: rest }));
            sentPages++;
          }
        }
      });
    });
    const tokenFile = `${dir}/first.token`;
    writeFileSync(tokenFile, 'a-token-the-fake-relay-does-not-check', { mode: 0o600 });
    const oncall = testConsole(`${dir}/first`, { tickMs: 0 }, ['--relay-url', `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, '--relay-token-file', tokenFile]);
    await oncall.start();
    // every alert handed to the intake once: a page is cut into slices, never read twice
    const intake = oncall.services().intake;
    const receive = intake.receive.bind(intake);
    let handed = 0;
    intake.receive = (relayId, items) => ((handed += items.length), receive(relayId, items));
    try {
      const db = oncall.services().db;
      const count = () => db.prepare(`SELECT count(*) FROM incident WHERE key LIKE 'old-%'`).pluck().get() as number;
      await waitFor(() => count() === PAGES * PER, 90_000, () => `all ${PAGES * PER} incidents (have ${count()})`);
      const seqs = db.prepare(`SELECT ia.seq FROM incident i JOIN incident_alert ia ON ia.incident_id = i.id WHERE i.key LIKE 'old-%' ORDER BY i.rowid`).pluck().all() as number[];
      const outOfOrder = seqs.filter((q, i) => i > 0 && q < seqs[i - 1]!).length;
      console.info(`[feed-slices] a first-protocol relay sent ${sentPages} pages of ${PER} at once: ${seqs.length} incidents, ${new Set(seqs).size} distinct, out of order ${outOfOrder}; alerts handed to the intake ${handed}`);
      expect({ incidents: seqs.length, distinct: new Set(seqs).size, outOfOrder, handed }).toEqual({ incidents: PAGES * PER, distinct: PAGES * PER, outOfOrder: 0, handed: PAGES * PER });
    } finally {
      await oncall.stop();
      await new Promise((r) => wss.close(r));
    }
  });
});

describe('slices of one page', () => {
  consoleTest('hand each alert to the intake once and in order, while more pages queue up behind the first', async ({ dir }) => {
    const relayId = 'slicing-relay';
    const alert = alertBuilder(relayId, { severity: 'SEV3' });
    // a first page, then three more right behind it: while the first is applied the console falls "behind" and its slices grow
    const pages = [300, 100, 100, 100].map((n) => Array.from({ length: n }, () => alert('slice')));
    const all = pages.flat();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => RELAY_SUBPROTOCOL });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', relayId, consoleId: 'ward', lastSeq: all.length }));
      ws.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'subscribe') for (const p of pages) ws.send(JSON.stringify({ type: 'alerts', alerts: p }));
      });
    });
    const db = openDatabase(`${dir}/slices.db`);
    const store = new FeedStore(db, systemClock);
    const handed: number[] = [];
    let calls = 0;
    const feed = new FeedClient({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, token: 't' }, {
      store,
      clock: systemClock,
      logger: silentLogger,
      receive: (id, items) => {
        calls++;
        for (const a of items) handed.push((a as { seq: number }).seq);
        return store.storeReceived(id, items);
      },
    });
    feed.start();
    try {
      await waitFor(() => store.cursor(relayId) === all.length, 10_000, 'every page stored');
      console.info(`[feed-slices] pages of 300, 100, 100, 100 in ${calls} slices; alerts handed ${handed.length}`);
      expect(calls).toBeGreaterThan(pages.length);
      expect(handed).toEqual(all.map((a) => a.seq));
    } finally {
      await feed.stop();
      closeDatabase(db);
      await new Promise((r) => wss.close(r));
    }
  });
});
