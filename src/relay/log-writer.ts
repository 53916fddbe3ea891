// The relay's SQLite log written on a thread of its own. A commit waits for
// its fsync; on the relay's thread that wait held up every request, answer and
// console frame behind it. Here the relay's thread goes on parsing, answering
// and streaming while a group commit is made durable; senders still hear 2xx
// only after it. Until the writer is ready (and after it dies, until it is
// started again) the relay's thread commits itself: one commit at a time
// either way (the group commit's chain).
import type { Worker } from 'node:worker_threads';
import { errorText } from '../shared/safe-text.js';
import type { RelayLog } from './log.js';
import type { AppendRequest, AppendResult } from './storage.js';
import { startWorker, workerScript, type WorkerScript } from './threads.js';

export interface WriterRequest {
  id: number;
  batch: AppendRequest[];
  meta: Record<string, string>;
}

export type WriterReply = { id: number; results: AppendResult[]; lastSeq: number } | { id: number; fault: { message: string; code?: string } };

/** A storage error as the writer thread saw it: SQLite's code kept (SQLITE_FULL…), so the relay reports a storage fault. */
class WriterFault extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const STOP_WAIT_MS = 2000;

export class LogWriter {
  private worker: Worker | null = null;
  private ready = false;
  private closed = false;
  private nextId = 1;
  private readonly inflight = new Map<number, { resolve: (r: { results: AppendResult[]; lastSeq: number }) => void; reject: (e: Error) => void }>();
  private readonly script: WorkerScript | null;

  constructor(
    private readonly file: string,
    private readonly log: RelayLog,
  ) {
    this.script = workerScript('log-writer-worker');
    if (!this.script) log('warn', 'W_RELAY_WRITER', "the log writer's script is missing: the relay's thread commits");
    else this.start();
  }

  /** Commits it holds now (tests). */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** Ready to take a commit (tests). */
  get running(): boolean {
    return this.worker !== null && this.ready;
  }

  /** The batch committed on the writer's thread; null while no writer is ready (the caller commits it on its own thread). */
  append(batch: readonly AppendRequest[], meta: Record<string, string>): Promise<{ results: AppendResult[]; lastSeq: number }> | null {
    if (!this.worker && !this.closed && this.script) this.start();
    const worker = this.worker;
    if (!worker || !this.ready) return null;
    const id = this.nextId++;
    // only what is stored crosses: key and JSON of each alert
    const plain: AppendRequest[] = batch.map((r) => ({ alerts: r.alerts.map((a) => ({ key: a.key, json: a.json })), receivedAt: r.receivedAt, atMs: r.atMs, ...(r.digest ? { digest: r.digest } : {}) }));
    return new Promise((resolve, reject) => {
      this.inflight.set(id, { resolve, reject });
      worker.postMessage({ id, batch: plain, meta } satisfies WriterRequest);
    });
  }

  /** Let the writer close its connection (a commit in flight finishes first); ended after 2 s if it does not. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const force = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
    await exited;
    clearTimeout(force);
  }

  /** Tests: end the writer as a crash would, a commit perhaps in flight. */
  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): void {
    try {
      const worker = startWorker(this.script!, { file: this.file });
      worker.on('message', (m: WriterReply | 'ready') => {
        if (m === 'ready') return void (this.ready = this.worker === worker);
        const waiting = this.inflight.get(m.id);
        if (!waiting) return;
        this.inflight.delete(m.id);
        if ('results' in m) waiting.resolve(m);
        else waiting.reject(new WriterFault(m.fault.message, m.fault.code));
      });
      const lost = (why: string) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.ready = false;
        const held = [...this.inflight.values()];
        this.inflight.clear();
        if (!this.closed) this.log('warn', 'W_RELAY_WRITER', `the log writer ended (${why}) with ${held.length} commit(s) in flight (answered 503, to be retried); started again at the next commit`);
        for (const w of held) w.reject(new Error(`the log writer ended (${why}) before answering`));
      };
      worker.on('error', (err) => lost(errorText(err, 200)));
      worker.on('exit', (code) => lost(`exit ${code}`));
      this.worker = worker;
      this.ready = false;
    } catch (err) {
      this.worker = null;
      this.log('warn', 'W_RELAY_WRITER', `the log writer could not start (${errorText(err, 200)}): the relay's thread commits`);
    }
  }
}
