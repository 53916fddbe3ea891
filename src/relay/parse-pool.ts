// Request bodies parsed, checked and serialised on worker threads, so the
// relay's own thread only answers HTTP, commits and streams. A body's parse
// costs about as much as its storing: on one thread a storm waits for both.
// A worker that dies fails only the requests it held (503: every sender
// retries those) and is started again; with no worker (none configured, or
// its script missing) bodies are parsed on the relay's thread.
import type { Worker } from 'node:worker_threads';
import type { AlertSource } from '../shared/domain/alert.js';
import { errorText } from '../shared/safe-text.js';
import { HttpError } from './http-guard.js';
import { parseDelivery, type Delivery, type IngestLimits } from './ingest.js';
import type { RelayLog } from './log.js';
import type { NewAlert, SeverityPolicy } from './normalize.js';
import { RETRY_AFTER_S } from './storage-health.js';
import { startWorker, workerScript, type WorkerScript } from './threads.js';

/** A stored alert a PagerDuty event without payload takes its text from (looked up before parsing). */
export interface Previous {
  key: string;
  alert: NewAlert;
}

export interface ParseRequest {
  id: number;
  source: AlertSource;
  raw: Uint8Array;
  previous?: Previous;
  receivedAt: string;
}

export type ParseReply =
  | { id: number; delivery: Delivery }
  | { id: number; refused: { status: number; code: string; message: string; headers: Record<string, string> } }
  | { id: number; fault: string };

export interface DeliveryParserOptions {
  /** threads; 0: every body parsed on the relay's thread */
  workers: number;
  policy: SeverityPolicy;
  limits: IngestLimits;
  log: RelayLog;
}

interface Slot {
  worker: Worker | null;
  /** its script has loaded: until then bodies are parsed here (a restarted relay answers at once) */
  ready: boolean;
  inflight: Map<number, { resolve: (d: Delivery) => void; reject: (e: Error) => void }>;
}

export class DeliveryParser {
  private readonly slots: Slot[];
  private readonly entry: WorkerScript | null;
  private nextId = 1;
  private closed = false;
  /** said once: parsing is on the relay's thread */
  private toldInThread = false;

  constructor(private readonly options: DeliveryParserOptions) {
    this.entry = options.workers > 0 ? workerScript('parse-worker') : null;
    this.slots = this.entry ? Array.from({ length: options.workers }, () => ({ worker: null, ready: false, inflight: new Map() })) : [];
    if (options.workers > 0 && !this.entry) this.inThread('the parsing worker script is missing');
    for (const s of this.slots) this.start(s);
  }

  /** Workers running and ready now (tests). */
  get running(): number {
    return this.slots.filter((s) => s.worker !== null && s.ready).length;
  }

  /** Requests the workers hold now. */
  get inFlight(): number {
    return this.slots.reduce((n, s) => n + s.inflight.size, 0);
  }

  parse(source: AlertSource, raw: Buffer, previous: Previous | undefined, receivedAt: string): Promise<Delivery> {
    const slot = this.pick();
    if (!slot?.worker) {
      try {
        return Promise.resolve(this.parseHere(source, raw, previous, receivedAt));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    const worker = slot.worker;
    const id = this.nextId++;
    // a copy of only the body's bytes (a pooled Buffer shares a larger block), handed over without a second copy
    const bytes = new Uint8Array(raw);
    return new Promise<Delivery>((resolve, reject) => {
      slot.inflight.set(id, { resolve, reject });
      const request: ParseRequest = { id, source, raw: bytes, receivedAt, ...(previous ? { previous } : {}) };
      worker.postMessage(request, [bytes.buffer]);
    });
  }

  /** End the workers; requests they hold are refused (the relay answers them 503 while stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
  }

  /** Tests: end one worker as a crash would, its requests still in flight. */
  async crashOne(): Promise<void> {
    const s = this.slots.find((x) => x.worker !== null);
    await s?.worker?.terminate();
  }

  private parseHere(source: AlertSource, raw: Buffer, previous: Previous | undefined, receivedAt: string): Delivery {
    return parseDelivery(source, raw, this.options.policy, (k) => (previous && previous.key === k ? previous.alert : undefined), receivedAt, this.options.limits);
  }

  /** The least busy ready worker (one that died is started again); null: parse here. */
  private pick(): Slot | null {
    let best: Slot | null = null;
    for (const s of this.slots) {
      if (!s.worker && !this.closed) this.start(s);
      if (s.worker && s.ready && (!best || s.inflight.size < best.inflight.size)) best = s;
    }
    return best;
  }

  private start(slot: Slot): void {
    try {
      const worker = startWorker(this.entry!, { policy: this.options.policy, limits: this.options.limits });
      worker.on('message', (m: ParseReply | 'ready') => {
        if (m === 'ready') return void (slot.ready = slot.worker === worker);
        const waiting = slot.inflight.get(m.id);
        if (!waiting) return;
        slot.inflight.delete(m.id);
        if ('delivery' in m) waiting.resolve(m.delivery);
        else if ('refused' in m) waiting.reject(new HttpError(m.refused.status, m.refused.code, m.refused.message, m.refused.headers));
        else waiting.reject(new Error(`parsing failed: ${m.fault}`));
      });
      const lost = (why: string) => {
        if (slot.worker !== worker) return;
        slot.worker = null;
        slot.ready = false;
        const held = [...slot.inflight.values()];
        slot.inflight.clear();
        if (!this.closed) this.options.log('warn', 'W_RELAY_PARSER', `a parsing worker ended (${why}): ${held.length} request(s) answered 503 to be retried; started again at the next request`);
        for (const w of held) w.reject(new HttpError(503, 'E_INTERNAL', 'the relay lost the request while parsing it; retry', { 'Retry-After': String(RETRY_AFTER_S) }));
      };
      worker.on('error', (err) => lost(errorText(err, 200)));
      worker.on('exit', (code) => lost(`exit ${code}`));
      slot.worker = worker;
      slot.ready = false;
    } catch (err) {
      slot.worker = null;
      this.inThread(`a parsing worker could not start: ${errorText(err, 200)}`);
    }
  }

  private inThread(why: string): void {
    if (this.toldInThread) return;
    this.toldInThread = true;
    this.options.log('warn', 'W_RELAY_PARSER', `${why}: request bodies are parsed on the relay's thread`);
  }
}
