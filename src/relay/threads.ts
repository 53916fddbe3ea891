// Worker threads of the relay, from source and from the build alike: the
// worker's script sits beside this module (name.ts from source, compiled by
// tsx as it loads; name.cjs beside the bundle). Each worker says 'ready' once
// its script has loaded; until then its pool does the work on the relay's thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';
import { errorText } from '../shared/safe-text.js';

/** The evaluated bootstrap: the worker's own script, compiled on load from source. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.entry);
`;

export interface WorkerScript {
  entry: string;
  tsx?: string;
}

/** The worker script `name` beside this module, or null when it is missing (then the work stays on the relay's thread). */
export function workerScript(name: string): WorkerScript | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const entry = join(dirname(here), `${name}.ts`);
    try {
      return existsSync(entry) ? { entry, tsx: createRequire(import.meta.url).resolve('tsx/cjs/api') } : null;
    } catch {
      return null; // no tsx
    }
  }
  const entry = join(dirname(here), `${name}.cjs`);
  return existsSync(entry) ? { entry } : null;
}

/** Start the script with its data (unreferenced: it never keeps the relay's process alive by itself). */
export function startWorker(script: WorkerScript, data: Record<string, unknown>): Worker {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...script, ...data } });
  worker.unref();
  return worker;
}

export interface WorkerLinkHooks {
  /** the worker ended (crashed, killed, out of memory; or closed) holding `held` messages: the error each of them is rejected with */
  lost(why: string, held: number, closing: boolean): Error;
  /** a worker could not even be started (the work stays on the relay's thread) */
  failedToStart(why: string): void;
  /** something the worker says of itself (never about a message): a part of it that failed, say */
  note?(text: string): void;
}

/**
 * One worker thread spoken to by messages with ids: each message's reply
 * resolves its promise; a worker that dies rejects what it held and is started
 * again at the next call. `call` answers null while no worker is ready, and the
 * caller does the work itself.
 */
export class WorkerLink<Reply extends { id: number }> {
  private worker: Worker | null = null;
  private ready = false;
  private closed = false;
  private nextId = 1;
  private readonly inflight = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly script: WorkerScript,
    private readonly data: Record<string, unknown>,
    private readonly hooks: WorkerLinkHooks,
  ) {
    this.start();
  }

  /** Started and ready to take messages. */
  get running(): boolean {
    return this.worker !== null && this.ready;
  }

  /** Messages it holds now. */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** A worker that died is started again (it takes messages once ready). */
  revive(): void {
    if (!this.worker && !this.closed) this.start();
  }

  /** Send `message(id)` (its `transfer` handed over, not copied); null while no worker is ready. */
  call(message: (id: number) => unknown, transfer: Transferable[] = []): Promise<Reply> | null {
    this.revive();
    const worker = this.worker;
    if (!worker || !this.ready) return null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inflight.set(id, { resolve, reject });
      worker.postMessage(message(id), transfer);
    });
  }

  /** End the worker: `stop` is posted for it to finish cleanly (ended after `waitMs` if it does not), or it is ended at once. */
  async close(stop?: unknown, waitMs = 2000): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    if (stop === undefined) return void (await worker.terminate());
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage(stop);
    const force = setTimeout(() => void worker.terminate(), waitMs);
    await exited;
    clearTimeout(force);
  }

  /** Tests: end the worker as a crash would, messages perhaps in flight. */
  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): void {
    try {
      const worker = startWorker(this.script, this.data);
      worker.on('message', (m: Reply | 'ready' | { note: string }) => {
        if (m === 'ready') return void (this.ready = this.worker === worker);
        if ('note' in m) return void this.hooks.note?.(String(m.note));
        const waiting = this.inflight.get(m.id);
        if (!waiting) return;
        this.inflight.delete(m.id);
        waiting.resolve(m);
      });
      const lost = (why: string) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.ready = false;
        const held = [...this.inflight.values()];
        this.inflight.clear();
        const error = this.hooks.lost(why, held.length, this.closed);
        for (const w of held) w.reject(error);
      };
      worker.on('error', (err) => lost(errorText(err, 200)));
      worker.on('exit', (code) => lost(`exit ${code}`));
      this.worker = worker;
      this.ready = false;
    } catch (err) {
      this.worker = null;
      this.hooks.failedToStart(errorText(err, 200));
    }
  }
}
