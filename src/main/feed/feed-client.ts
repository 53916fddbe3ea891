import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,

  ConsecutiveBreaker,
  ExponentialBackoff,
  decorrelatedJitterGenerator,
  handleAll,
  circuitBreaker,
  type IBackoff,
} from 'cockatiel';
import type { FeedState } from '../../shared/domain/status.js';
import { isoTime } from '../../shared/clock.js';
import { describeIssues } from '../../shared/contract.js';
import { RELAY_SUBPROTOCOL, ServerFrameSchema, type AuditCheckpoint, type RelayAck, type ServerFrame } from '../../shared/relay-protocol.js';
import { storageFaultCode } from '../../shared/storage-fault.js';
import type { FeedDeps, FeedOptions, FeedStatus } from './feed-options.js';
import { PendingAcks } from './pending-acks.js';
import { Emitter } from '../platform/emitter.js';
import { parseAlert, type Alert } from '../../shared/domain/alert.js';
import { errorText } from '../../shared/safe-text.js';
import { breakerState } from '../resilience/breaker-state.js';
import { systemTimers, type TimerHandle, type Timers } from '../platform/timers.js';

/** The largest frame the console reads; the relay bounds its pages well under this (maxPageBytes). */
export const FEED_MAX_PAYLOAD = 64 * 1024 * 1024;

export type { BreakerState } from '../resilience/breaker-state.js';

export type { FeedDeps, FeedOptions, FeedStatus } from './feed-options.js';

class ConnectFailed extends Error {}

/**
 * The console's link to the relay: resume from the last stored sequence,
 * heartbeat, reconnect with exponential backoff and decorrelated jitter behind
 * a circuit breaker (cockatiel), every received page validated and stored.
 */
export class FeedClient {
  /** the link's state changed */
  readonly statusChanged = new Emitter<FeedStatus>();
  /** a connection attempt failed (counted by category for the status view) */
  readonly connectFailed = new Emitter<string>();
  /** the audit checkpoint this console last sent to the relay (at connect) */
  readonly checkpoint = new Emitter<AuditCheckpoint>();
  /** alerts stored for the first time, in sequence order (with the default receive) */
  readonly alerts = new Emitter<Alert[]>();
  /** new SEV1s the relay sent ahead of the alerts before them: page now; they are stored when their turn comes */
  readonly priority = new Emitter<Alert[]>();
  /** another console's action; receivedAt: when the relay stored it (its clock). Applied before the cursor moves. */
  readonly acks = new Emitter<{ ack: RelayAck; consoleId: string; receivedAt?: string | undefined }>();
  /**
   * Stopped, or running its connect loop — with the link it holds now (if
   * any) and the way to cut a backoff wait short. One state, not four fields
   * that must agree.
   */
  private life: { kind: 'stopped' } | { kind: 'running'; loop: Promise<void> | null; ws: WebSocket | null; wake: (() => void) | null } = { kind: 'stopped' };
  private get stopped(): boolean {
    return this.life.kind === 'stopped';
  }
  private get ws(): WebSocket | null {
    return this.life.kind === 'running' ? this.life.ws : null;
  }
  private set ws(ws: WebSocket | null) {
    if (this.life.kind === 'running') this.life.ws = ws;
  }
  private set wake(wake: (() => void) | null) {
    if (this.life.kind === 'running') this.life.wake = wake;
  }
  private readonly breaker: CircuitBreakerPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly pendingAcks: PendingAcks;
  private st: FeedStatus;
  private readonly pingMs: number;
  private readonly timers: Timers;

  constructor(
    private readonly options: FeedOptions,
    private readonly deps: FeedDeps,
  ) {
    this.urls = options.url.split(',').map((u) => u.trim()).filter((u) => u.length > 0);
    this.pingMs = options.pingIntervalMs ?? 10_000;
    this.timers = deps.timers ?? systemTimers;
    this.pendingAcks = new PendingAcks(this.timers);
    const b = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.backoff = new ExponentialBackoff({ initialDelay: b.initialMs, maxDelay: b.maxMs, generator: decorrelatedJitterGenerator });
    const br = options.breaker ?? { threshold: 5, halfOpenAfterMs: 30_000 };
    this.breaker = deps.breaker ?? circuitBreaker(handleAll, { halfOpenAfter: br.halfOpenAfterMs, breaker: new ConsecutiveBreaker(br.threshold) });
    this.st = {
      state: 'offline',
      since: isoTime(deps.clock.now()),
      detail: 'not started',
      breaker: breakerState(this.breaker.state),
      relayId: null,
      lastSeq: 0,
      reconnects: 0,
      invalidFrames: 0,
      relayStorageFault: null,
    };
    this.breaker.onStateChange((s) => this.update({ breaker: breakerState(s) }));
  }

  status(): FeedStatus {
    return { ...this.st };
  }

  start(): void {
    if (this.life.kind === 'running') return;
    const life = { kind: 'running' as const, loop: null as Promise<void> | null, ws: null as WebSocket | null, wake: null as (() => void) | null };
    this.life = life;
    life.loop = this.run();
  }

  async stop(): Promise<void> {
    const life = this.life;
    this.life = { kind: 'stopped' };
    if (life.kind === 'running') {
      life.wake?.();
      life.ws?.close(1000, 'console stopping');
      await life.loop;
    }
    this.setState('offline', 'stopped');
  }

  /** Send this console's audit checkpoint to the relay (best effort: the next one follows). */
  sendCheckpoint(checkpoint: AuditCheckpoint): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.st.state !== 'connected') return false;
    ws.send(JSON.stringify({ type: 'checkpoint', checkpoint }));
    return true;
  }

  /** Send an ack; resolves when the relay has stored it (or already had it). */
  sendAck(ack: RelayAck): Promise<'stored' | 'duplicate'> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.st.state !== 'connected') {
      return Promise.reject(new Error('E_FEED_OFFLINE: not connected to the relay'));
    }
    return this.pendingAcks.wait(ack.id, (done) => ws.send(JSON.stringify({ type: 'ack', ack }), done));
  }

  private update(patch: Partial<FeedStatus>): void {
    this.st = { ...this.st, ...patch };
    this.statusChanged.emit(this.status());
  }

  private setState(state: FeedState, detail: string): void {
    if (this.st.state === state && this.st.detail === detail) return;
    this.update({ state, detail, since: this.st.state === state ? this.st.since : isoTime(this.deps.clock.now()) });
  }

  /** The relays to try, in order (`--relay-url a,b`): one is used at a time; a lost or refused link moves to the next. */
  private readonly urls: string[];
  private urlIndex = 0;
  /** connections refused in a row since the last link, across the list */
  private refusedInRow = 0;
  /** the relay this client is on (or trying) */
  get url(): string {
    return this.urls[this.urlIndex % this.urls.length]!;
  }
  private nextUrl(): void {
    if (this.urls.length > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timers = this.timers;
      const done = () => {
        timers.clearTimeout(t);
        resolve();
      };
      const t = timers.setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let delay: IBackoff<unknown> | undefined;
    while (!this.stopped) {
      this.setState(this.st.reconnects === 0 && !delay ? 'connecting' : 'reconnecting', `connecting to ${this.url}`);
      try {
        await this.breaker.execute(() => this.connectOnce());
        delay = undefined; // the link was up: start backing off from the beginning next time
      } catch (err) {
        if (this.stopped) break;
        // several relays: a refused connection moves to the next in the list at once; only when every one
        // has refused since the last link does the backoff wait
        if (!(err instanceof BrokenCircuitError) && this.urls.length > 1) {
          this.nextUrl();
          if (++this.refusedInRow < this.urls.length) {
            this.connectFailed.emit((err as Error).message);
            this.setState('reconnecting', `${(err as Error).message}; trying ${this.url}`);
            continue;
          }
          this.refusedInRow = 0;
        }
        if (err instanceof BrokenCircuitError) {
          this.setState('offline', 'relay unreachable: circuit open, retrying later');
        } else {
          this.connectFailed.emit((err as Error).message);
          this.setState('reconnecting', (err as Error).message);
        }
        delay = delay ? delay.next(undefined) : this.backoff.next();
        await this.sleep(err instanceof BrokenCircuitError ? Math.max(delay.duration, 1000) : delay.duration);
        continue;
      }
      if (this.stopped) break;
      this.refusedInRow = 0; // the link was up: the same relay is tried first again
      this.update({ reconnects: this.st.reconnects + 1 });
      delay = this.backoff.next();
      this.setState('reconnecting', 'link lost; reconnecting');
      await this.sleep(delay.duration);
    }
  }

  /** milliseconds one alert took to store and apply, lately (sizes the slices) */
  private perAlertMs = 0.25;

  /**
   * Store (and apply) one page in slices, yielding between them: of about
   * SLICE_MS each, or SLICE_BEHIND_MS while a storm's pages wait (each slice is
   * a commit, and a commit's flush to disk costs milliseconds: in a storm,
   * fewer and longer). Each slice moves the cursor past what it stored, so a
   * link lost midway resumes after the last slice. False when the link closed first.
   */
  private async applyPage(items: unknown[], closed: () => boolean, behind: () => boolean): Promise<boolean> {
    const relayId = this.st.relayId;
    if (!relayId) return false;
    for (let i = 0; i < items.length; ) {
      if (closed()) return false;
      const n = Math.max(16, Math.min(500, Math.floor((behind() ? SLICE_BEHIND_MS : SLICE_MS) / this.perAlertMs)));
      const part = i === 0 && items.length <= n ? items : items.slice(i, i + n);
      const t0 = performance.now();
      const page = this.deps.receive ? this.deps.receive(relayId, part) : this.deps.store.storeReceived(relayId, part);
      this.perAlertMs = Math.max(0.005, 0.7 * this.perAlertMs + 0.3 * ((performance.now() - t0) / part.length));
      this.st = { ...this.st, lastSeq: Math.max(this.st.lastSeq, page.lastSeq) };
      if (!this.deps.receive && page.fresh.length > 0) this.alerts.emit(page.fresh);
      i += part.length;
      if (i < items.length) await yieldToIo();
    }
    return true;
  }

  /**
   * One connection's life. Resolves when an established link closes (a success
   * for the breaker); throws when the link could not be established.
   */
  private connectOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let established = false;
      let lastPong = true;
      let heartbeat: TimerHandle | undefined;
      /** the relay offered flow control and we took it: say when we have taken each page */
      let flow = false;
      /**
       * What must be applied in order — pages of alerts, other consoles'
       * actions — one frame at a time, a page in slices with the event loop
       * free between them (a SEV1 sent ahead is paged in between, the window
       * answers). A new page is said taken while at most PAGE_WINDOW wait, so
       * the relay reads the next while this one is applied.
       */
      const ordered: OrderedFrame[] = [];
      let owed = 0;
      let draining = false;
      let closed = false;
      // `received`: the page is taken, and everything up to seq is stored and applied (a SEV1 further on is sent ahead)
      const sayTaken = () => {
        if (flow && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'received', seq: this.st.lastSeq }));
      };
      const take = (f: OrderedFrame) => {
        ordered.push(f);
        if (f.type === 'alerts') {
          if (ordered.length <= PAGE_WINDOW) sayTaken();
          else owed++;
        }
        // a relay without flow control is held back by the socket itself
        if (ordered.length > PAUSE_AFTER && !ws.isPaused) ws.pause();
        drain();
      };
      const drain = () => {
        if (draining) return;
        draining = true;
        void (async () => {
          try {
            while (ordered.length > 0 && !closed) {
              const f = ordered[0]!;
              if (f.type === 'alerts') {
                // behind: pages of alerts wait behind this one, more than a few slices' worth (a storm, not a busy minute)
                const behind = () => ordered.reduce((n, o, i) => n + (i > 0 && o.type === 'alerts' ? o.alerts.length : 0), 0) >= BEHIND_ALERTS;
                if (!(await this.applyPage(f.alerts, () => closed, behind))) break;
              } else {
                const relayId = this.st.relayId;
                if (relayId && f.acks.length) {
                  // apply, then move the cursor: a crash in between re-applies, which is idempotent
                  for (const a of f.acks) this.acks.emit(a);
                  this.deps.store.setAckCursor(relayId, f.acks.at(-1)!.seq);
                }
              }
              ordered.shift();
              if (owed > 0 && ordered.length >= PAGE_WINDOW) {
                owed--;
                sayTaken();
              }
              if (ws.isPaused && ordered.length <= PAUSE_AFTER / 2) ws.resume();
            }
          } catch (err) {
            // A fault storing what arrived (disk full, I/O error) never crashes the console: the cursor
            // did not move past what was stored, so dropping the link makes the relay send the rest again.
            const code = storageFaultCode(err) ?? 'E_FEED_STORE';
            this.deps.logger.log('error', 'E_FEED_STORAGE', `could not store what the relay sent (${code}); reconnecting to get it again`);
            ordered.length = 0;
            ws.terminate();
          } finally {
            draining = false;
          }
        })();
      };
      const ws = new WebSocket(this.url, [RELAY_SUBPROTOCOL], {
        headers: { Authorization: `Bearer ${this.options.token}` },
        handshakeTimeout: this.options.connectTimeoutMs ?? 5000,
        maxPayload: this.options.maxPayload ?? FEED_MAX_PAYLOAD,
      });
      this.ws = ws;
      const finish = (err?: Error) => {
        closed = true; // what is still queued is sent again from the cursor on the next link
        if (heartbeat) this.timers.clearInterval(heartbeat);
        if (this.ws === ws) this.ws = null;
        if (established) resolve();
        else reject(err ?? new ConnectFailed('the relay closed the connection before it was established'));
      };
      ws.on('unexpected-response', (_req, res) => {
        const reason = res.statusCode === 401 ? "E_FEED_AUTH: the relay refused this console's token (check the relay's consoles list)" : `E_FEED_HTTP: the relay answered ${res.statusCode}`;
        ws.terminate();
        finish(new ConnectFailed(reason));
      });
      ws.on('error', (err: Error & { code?: string }) => {
        if (!established) return finish(new ConnectFailed(`E_FEED_CONNECT: ${err.code ?? err.message}`));
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          this.deps.logger.log('error', 'E_FEED_FRAME_TOO_LARGE', `the relay sent a frame larger than this console reads (${this.options.maxPayload ?? FEED_MAX_PAYLOAD} bytes); lower the relay's maxPageBytes`);
        } else {
          this.deps.logger.log('warn', 'W_FEED_LINK', `link error: ${err.code ?? 'unknown'}`);
        }
      });
      ws.on('pong', () => (lastPong = true));
      ws.on('close', () => finish());
      ws.on('open', () => {
        heartbeat = this.timers.setInterval(() => {
          if (!lastPong) {
            this.deps.logger.log('warn', 'W_FEED_HEARTBEAT', 'no pong from the relay within the ping interval; dropping the link');
            ws.terminate();
            return;
          }
          lastPong = false;
          ws.ping();
        }, this.pingMs);
      });
      ws.on('message', (data) => {
        try {
          onMessage(data);
        } catch (err) {
          // A fault storing what arrived (disk full, I/O error) never crashes the console: the cursor
          // did not move, so dropping the link makes the relay send it again after a reconnect.
          const code = storageFaultCode(err) ?? 'E_FEED_STORE';
          this.deps.logger.log('error', 'E_FEED_STORAGE', `could not store what the relay sent (${code}); reconnecting to get it again`);
          ws.terminate();
        }
      });
      const onMessage = (data: WebSocket.RawData) => {
        lastPong = true; // any traffic proves the link
        let frame: ServerFrame;
        try {
          const parsed = ServerFrameSchema.safeParse(JSON.parse(data.toString()));
          if (!parsed.success) throw new Error(describeIssues(parsed.error).slice(0, 300));
          frame = parsed.data;
        } catch (err) {
          this.update({ invalidFrames: this.st.invalidFrames + 1 });
          this.deps.logger.log('warn', 'W_FEED_FRAME', `invalid frame from the relay ignored: ${errorText(err)}`);
          return;
        }
        switch (frame.type) {
          case 'hello': {
            established = true;
            const since = this.deps.store.cursor(frame.relayId);
            this.update({ relayId: frame.relayId, lastSeq: since });
            this.setState('connected', `relay ${frame.relayId.slice(0, 8)} at ${this.url} as ${frame.consoleId}`);
            flow = false;
            ws.send(JSON.stringify({ type: 'subscribe', since, acksSince: this.deps.store.ackCursor(frame.relayId) }));
            if (frame.checkpoint) this.checkpoint.emit(frame.checkpoint);
            break;
          }
          case 'alerts':
            if (!this.st.relayId) return;
            take(frame);
            break;
          case 'features':
            if (frame.flow && !flow) {
              flow = true;
              ws.send(JSON.stringify({ type: 'flow' }));
            }
            break;
          case 'priority': {
            // never stored from here (the cursor moves only in order): only what validates is paged early
            const valid = frame.alerts.flatMap((a) => {
              const r = parseAlert(a);
              return r.success && r.data.status === 'firing' && r.data.severity === 'SEV1' ? [r.data] : [];
            });
            if (valid.length) this.priority.emit(valid);
            break;
          }
          case 'ack.result':
            this.pendingAcks.answer(frame.id, frame.status);
            break;
          case 'acks':
            if (!this.st.relayId) return;
            take(frame); // after the alerts before them: an action finds the incident it is about
            break;
          case 'error':
            this.deps.logger.log('warn', 'W_FEED_RELAY_ERROR', `${frame.code}: ${frame.message}`);
            break;
          case 'relay.health':
            if (frame.storage === 'fault') this.deps.logger.log('error', 'E_RELAY_STORAGE', `the relay cannot store (${frame.code ?? 'unknown'}) since ${frame.since ?? '?'}: new alerts and acks wait at their senders`);
            this.update({ relayStorageFault: frame.storage === 'fault' ? { code: frame.code ?? 'unknown', since: frame.since ?? isoTime(this.deps.clock.now()) } : null });
            break;
        }
      };
    });
  }
}

type OrderedFrame = Extract<ServerFrame, { type: 'alerts' | 'acks' }>;

/** Pages said taken before the one being applied is done: the relay reads the next while this one is applied. */
const PAGE_WINDOW = 2;
/** Ordered frames held before the socket is paused (only a relay without flow control sends that many). */
const PAUSE_AFTER = 8;
/** How long one slice of a page may hold the event loop, aimed at (the slice size follows the measured cost). */
const SLICE_MS = 5;
/** …and while more pages wait (a SEV1 sent ahead still waits at most one slice). */
const SLICE_BEHIND_MS = 30;
/** Alerts waiting in later pages that make a console "behind". */
const BEHIND_ALERTS = 250;

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export function newAckId(): string {
  return randomUUID();
}
