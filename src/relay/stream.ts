// The relay's WebSocket stream to the consoles: authenticate (token digests
// compared in constant time), greet with the console's last checkpoint, then
// send every alert after the console's sequence and every other console's
// action, one page in flight per console, with a heartbeat.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Counter } from 'prom-client';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { isoTime, type Clock } from '../shared/clock.js';
import { describeIssues } from '../shared/contract.js';
import { jsonDepth } from '../shared/json-limits.js';
import { ClientFrameSchema, RELAY_STREAM_PATH, RELAY_SUBPROTOCOL, type RelayAck, type ServerFrame } from '../shared/relay-protocol.js';
import { bearerToken, checkHostAndOrigin, type HttpError } from './http-guard.js';
import { MAX_JSON_DEPTH } from './ingest.js';
import type { RelayStorage } from './storage.js';

const BAD_FRAMES_BEFORE_CLOSE = 20;

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Where a console's link is: greeted (hello sent, no subscription yet), idle
 * (subscribed, nothing in flight), or sending one page. The cursors exist only
 * once it has subscribed.
 */
type LinkState = { kind: 'greeted' } | { kind: 'idle'; sentSeq: number; ackSeq: number } | { kind: 'sending'; sentSeq: number; ackSeq: number };

/** A new SEV1 more than this many alerts past what a console has applied is sent to it ahead of them. */
const PRIORITY_MARGIN = 50;

interface Subscriber {
  ws: WebSocket;
  consoleId: string;
  state: LinkState;
  /** answered the last ping (or sent anything since) */
  alive: boolean;
  badFrames: number;
  /** the console says when it stored each page (subscribe flow: true); the next is sent only then */
  flow: boolean;
  /** a page of alerts sent and not yet said stored: when it was sent */
  awaitingSince: number | null;
  /** how far the console said it has stored and applied (its `received` frames): pages sent may still wait there */
  appliedSeq: number | null;
}

export interface StreamDeps {
  store: RelayStorage;
  clock: Clock;
  hosts: Set<string>;
  allowedOrigins: string[];
  consoleTokens: { id: string; digest: Buffer }[];
  pageSize: number;
  maxPageBytes: number;
  metrics: { frames: Counter<'reason'>; acks: Counter<'status'> };
  quarantine(channel: string, reason: string, raw: string): void;
  storageFailed(op: string, err: unknown): void;
  /** an action was stored (the write-back looks for what it asks of the sources) */
  ackStored?(): void;
  storageRecovered(): void;
  /** the health frame for the relay's storage now */
  health(): ServerFrame;
  lastSeq(): Promise<number | null>;
}

export class ConsoleStream {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly deps: StreamDeps) {}

  get size(): number {
    return this.subscribers.size;
  }

  upgrade(wss: WebSocketServer | null, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, text: string, code: string) => {
      this.deps.metrics.frames.inc({ reason: code });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ code })}`);
    };
    try {
      checkHostAndOrigin(req.headers, this.deps.hosts, this.deps.allowedOrigins);
    } catch (err) {
      const e = err as HttpError;
      return reject(e.status, e.status === 421 ? 'Misdirected Request' : 'Forbidden', e.code);
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== RELAY_STREAM_PATH || !wss) return reject(404, 'Not Found', 'E_NOT_FOUND');
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes(RELAY_SUBPROTOCOL)) return reject(400, 'Bad Request', 'E_SUBPROTOCOL');
    let token: string | undefined;
    try {
      token = bearerToken(req.headers.authorization);
    } catch {
      return reject(401, 'Unauthorized', 'E_AUTH_SCHEME');
    }
    if (token === undefined) return reject(401, 'Unauthorized', 'E_TOKEN_MISSING');
    const digest = tokenDigest(token);
    // compare against every token so timing does not tell which matched
    let consoleId: string | null = null;
    for (const t of this.deps.consoleTokens) if (timingSafeEqual(digest, t.digest)) consoleId = t.id;
    if (!consoleId) return reject(401, 'Unauthorized', 'E_TOKEN');
    wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, consoleId));
  }

  private attach(ws: WebSocket, consoleId: string): void {
    const sub: Subscriber = { ws, consoleId, state: { kind: 'greeted' }, alive: true, badFrames: 0, flow: false, awaitingSince: null, appliedSeq: null };
    this.subscribers.add(sub);
    ws.on('pong', () => (sub.alive = true));
    ws.on('close', () => this.subscribers.delete(sub));
    ws.on('error', (err: Error & { code?: string }) => {
      this.deps.metrics.frames.inc({ reason: err.code ?? 'E_WS' });
      this.subscribers.delete(sub);
    });
    ws.on('message', (data: RawData) => this.onFrame(sub, data));
    void this.greet(sub);
  }

  private async greet(sub: Subscriber): Promise<void> {
    let checkpoint;
    try {
      checkpoint = await this.deps.store.checkpoint(sub.consoleId);
    } catch {
      checkpoint = undefined;
    }
    this.send(sub, { type: 'hello', relayId: this.deps.store.relayId, consoleId: sub.consoleId, lastSeq: (await this.deps.lastSeq()) ?? 0, ...(checkpoint ? { checkpoint } : {}) });
    this.send(sub, { type: 'features', flow: true, priority: true });
    const health = this.deps.health();
    if (health.type === 'relay.health' && health.storage === 'fault') this.send(sub, health);
  }

  private onFrame(sub: Subscriber, data: RawData): void {
    sub.alive = true;
    const text = data.toString();
    const bad = (code: string, message: string) => {
      this.deps.metrics.frames.inc({ reason: code });
      this.deps.quarantine(`ws:${sub.consoleId}`, code, text);
      this.send(sub, { type: 'error', code, message });
      if (++sub.badFrames >= BAD_FRAMES_BEFORE_CLOSE) sub.ws.close(1008, 'too many bad frames');
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return bad('E_BAD_JSON', 'the frame is not valid JSON');
    }
    if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return bad('E_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const frame = ClientFrameSchema.safeParse(parsed);
    if (!frame.success) return bad('E_SCHEMA', describeIssues(frame.error));
    const f = frame.data;
    // only the relay reports what it did at a source: a console cannot forge one
    if (f.type === 'ack' && f.ack.action === 'source.writeback') return bad('E_SCHEMA', 'ack.action: source.writeback is the relay\'s own report; a console cannot send it');
    const { store, clock } = this.deps;
    if (f.type === 'checkpoint') {
      void (async () => {
        try {
          await store.storeCheckpoint(sub.consoleId, f.checkpoint, isoTime(clock.now()));
          this.deps.storageRecovered();
        } catch (err) {
          this.deps.storageFailed('checkpoint', err);
        }
      })();
      return;
    }
    if (f.type === 'received') {
      // the console took the page in flight: the next may go; and it has applied everything up to f.seq
      sub.appliedSeq = Math.max(sub.appliedSeq ?? 0, f.seq);
      if (sub.awaitingSince !== null) {
        this.settle(sub);
        this.pump(sub);
      }
      return;
    }
    if (f.type === 'flow') {
      sub.flow = true;
      return;
    }
    if (f.type === 'subscribe') {
      // a new subscription moves the cursors; a page in flight finishes and then continues from them
      sub.awaitingSince = null;
      sub.appliedSeq = null;
      sub.state = { kind: sub.state.kind === 'sending' ? 'sending' : 'idle', sentSeq: f.since, ackSeq: f.acksSince };
      this.pump(sub);
      return;
    }
    void this.storeAck(sub, f.ack);
  }

  private async storeAck(sub: Subscriber, ack: RelayAck): Promise<void> {
    const { store, clock } = this.deps;
    let status: 'stored' | 'duplicate' | 'unavailable';
    try {
      status = await store.storeAck(ack, sub.consoleId, isoTime(clock.now()));
      this.deps.storageRecovered();
    } catch (err) {
      this.deps.storageFailed('ack', err);
      status = 'unavailable';
    }
    this.deps.metrics.acks.inc({ status });
    this.send(sub, { type: 'ack.result', id: ack.id, status });
    if (status === 'stored') {
      for (const other of this.subscribers) if (other !== sub) this.pump(other);
      this.deps.ackStored?.();
    }
  }

  /** One page in flight per console: a slow console never makes the relay buffer without bound. Alerts first, then acks. */
  private pump(sub: Subscriber): void {
    const st = sub.state;
    if (st.kind !== 'idle' || sub.ws.readyState !== sub.ws.OPEN) return;
    const from = { sentSeq: st.sentSeq, ackSeq: st.ackSeq };
    // reading counts as in flight: one read or send per console at a time
    sub.state = { kind: 'sending', ...from };
    void this.readPage(sub, from).then((page) => {
      const cur = sub.state;
      if (cur.kind !== 'sending') return;
      // a subscribe moved the cursors while we read: what was read is not what it asked for
      if (cur.sentSeq !== from.sentSeq || cur.ackSeq !== from.ackSeq) {
        sub.state = { kind: 'idle', sentSeq: cur.sentSeq, ackSeq: cur.ackSeq };
        return this.pump(sub);
      }
      if (!page) return void (sub.state = { kind: 'idle', ...from }); // a read failed: the next heartbeat tries again
      if (page.text === null) {
        sub.state = { kind: 'idle', sentSeq: page.sentSeq, ackSeq: page.ackSeq };
        if (page.again) this.pump(sub);
        return;
      }
      sub.state = { kind: 'sending', sentSeq: page.sentSeq, ackSeq: page.ackSeq };
      if (sub.ws.readyState !== sub.ws.OPEN) return;
      // a console that says when it stored a page gets the next only then; others when this one is written out
      const awaitStored = sub.flow && page.sentSeq !== from.sentSeq;
      if (awaitStored) sub.awaitingSince = Date.now();
      sub.ws.send(page.text, (err) => {
        if (awaitStored && !err) return;
        this.settle(sub);
        if (!err) this.pump(sub);
      });
    });
  }

  /** The next frame for a console from its cursors: alerts first, then other consoles' actions; null when the read failed. */
  private async readPage(sub: Subscriber, from: { sentSeq: number; ackSeq: number }): Promise<{ text: string | null; sentSeq: number; ackSeq: number; again?: boolean } | null> {
    const { store, pageSize, maxPageBytes } = this.deps;
    try {
      const page = await store.pageAfter(from.sentSeq, pageSize, maxPageBytes);
      if (page.json.length > 0) return { text: `{"type":"alerts","alerts":[${page.json.join(',')}]}`, sentSeq: page.lastSeq, ackSeq: from.ackSeq };
      const all = await store.acksAfter(from.ackSeq, '', pageSize);
      if (all.length === 0) return { text: null, ...from };
      const ackSeq = all.at(-1)!.seq; // our own acks are skipped but still move the cursor
      const acks = all.filter((a) => a.consoleId !== sub.consoleId);
      if (acks.length === 0) return { text: null, sentSeq: from.sentSeq, ackSeq, again: true };
      return { text: JSON.stringify({ type: 'acks', acks } satisfies ServerFrame), sentSeq: from.sentSeq, ackSeq };
    } catch (err) {
      // a read failed (I/O error, database gone): the console keeps its cursor; try again at the next heartbeat
      this.deps.storageFailed('read', err);
      return null;
    }
  }

  private send(sub: Subscriber, frame: ServerFrame): void {
    if (sub.ws.readyState === sub.ws.OPEN) sub.ws.send(JSON.stringify(frame));
  }

  /** New rows or acks committed: every subscribed console gets what it lacks. */
  pumpAll(): void {
    for (const s of this.subscribers) this.pump(s);
  }

  /**
   * New SEV1s, sent at once to every console that is more than a page behind
   * them, ahead of the backlog it is reading: it pages them now. They reach it
   * again in order; its cursor moves only then.
   */
  priority(alerts: { seq: number }[]): void {
    for (const s of this.subscribers) {
      if (s.state.kind === 'greeted') continue;
      // only to a console behind it: one that is caught up gets it in order at once, paged with its incident. A console
      // that says what it applied (flow control) may hold pages sent and not yet applied: it is behind by those too.
      const behind = s.flow && s.appliedSeq !== null ? s.appliedSeq + PRIORITY_MARGIN : s.state.sentSeq + this.deps.pageSize;
      const ahead = alerts.filter((a) => a.seq > behind).slice(0, 100);
      if (ahead.length) this.send(s, { type: 'priority', alerts: ahead });
    }
  }

  /** The storage's health to every console (a fault, or its end). */
  broadcastHealth(): void {
    const frame = this.deps.health();
    for (const s of this.subscribers) this.send(s, frame);
  }

  /** The page in flight is done with (written out, or said stored): the console may be sent the next, from the same cursors. */
  private settle(sub: Subscriber): void {
    sub.awaitingSince = null;
    if (sub.state.kind === 'sending') sub.state = { kind: 'idle', sentSeq: sub.state.sentSeq, ackSeq: sub.state.ackSeq };
  }

  /** Resume consoles a failed read left waiting; drop those that missed a ping. */
  beat(): void {
    // a console that never said it stored a page (an older one, or lost in a fault) is not waited for past 30 s
    for (const s of this.subscribers) {
      if (s.awaitingSince !== null && Date.now() - s.awaitingSince > 30_000) this.settle(s);
    }
    this.pumpAll();
    for (const s of this.subscribers) {
      if (!s.alive) {
        s.ws.terminate();
        this.subscribers.delete(s);
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  closeAll(code: number, reason: string): void {
    for (const s of this.subscribers) s.ws.close(code, reason);
  }

  terminateAll(): number {
    const n = this.subscribers.size;
    for (const s of this.subscribers) s.ws.terminate();
    this.subscribers.clear();
    return n;
  }
}
