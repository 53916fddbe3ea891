// Checkpoints the database's write-ahead log on a second core. SQLite copies
// the log back into the database file once it passes 1,000 pages, inside
// whichever commit crosses the mark and on that commit's thread: in a storm,
// a tenth of the console's time, spent on the thread that pages. A worker with
// its own connection does it instead, PASSIVE (it never waits for a writer
// and no writer waits for it), every few hundred milliseconds, and again at
// once while it is behind. A log is reused from its start only once every
// frame in it is copied, and under a writer that hardly pauses a PASSIVE round
// always leaves the frames committed while it ran: when the log is long and
// that tail short, the console's connection copies the tail itself between
// two transactions (a moment), and its next transaction starts the log again.
// The console's own connection keeps a far mark as the safety net: with the
// worker stalled or gone the log still never grows past it, and if the worker
// fails the mark goes back to SQLite's own.
//
// Durability is SQLite's: a checkpoint only copies committed pages, syncs the
// database file before the log may be reused (synchronous = FULL), and one cut
// short by a crash is finished by the next connection to open the file.
import { Worker } from 'node:worker_threads';
import { sqliteModulePath, type WritableDb } from './database.js';

/** SQLite's own mark (pages): where the log is checkpointed by the committing connection when no worker does it. */
export const OWN_CHECKPOINT_PAGES = 1000;
/** The mark while the worker checkpoints: only reached when it stalls (40 MB of log at 4 KiB pages). */
export const SAFETY_CHECKPOINT_PAGES = 10_000;

/** How many frames left uncopied by a round the console's connection copies itself, so the log starts again. */
export const RESTART_TAIL_PAGES = 512;

export interface CheckpointRound {
  /** frames in the log */
  log: number;
  /** frames of it copied into the database file */
  checkpointed: number;
  /** 1: a reader or writer kept the checkpoint from finishing (it goes on next round) */
  busy: number;
  /** the tail copied by the console's connection, every frame: its next transaction writes the log from its start */
  restarted?: boolean;
}

export interface WalCheckpointerOptions {
  intervalMs?: number;
  /** the worker failed or could not start: SQLite's own checkpoints are back */
  onFault?: (message: string) => void;
  /** every round's figures (tests, benches) */
  onRound?: (round: CheckpointRound) => void;
}

const WORKER_SOURCE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.sqlite);
  const db = new Database(workerData.file, { fileMustExist: true });
  // never wait for a lock: a checkpoint that cannot go on now goes on next round
  db.pragma('busy_timeout = 0');
  db.pragma('synchronous = FULL');
  const checkpoint = (mode) => {
    const r = db.pragma('wal_checkpoint(' + mode + ')')[0];
    return { log: r.log, checkpointed: r.checkpointed, busy: r.busy };
  };
  let timer = null;
  let stopped = false;
  const round = () => {
    const r = checkpoint('PASSIVE');
    parentPort.postMessage({ round: r });
    return r;
  };
  const next = () => {
    if (stopped) return;
    let r;
    try {
      r = round();
    } catch (err) {
      // SQLITE_BUSY (a writer is recovering the log, say): the next round tries again; anything else is reported
      if (!err || err.code !== 'SQLITE_BUSY') throw err;
    }
    // behind (frames left to copy): again soon; caught up: at the interval
    timer = setTimeout(next, r && r.log > r.checkpointed ? 5 : workerData.intervalMs);
  };
  timer = setTimeout(next, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    stopped = true;
    clearTimeout(timer);
    try { checkpoint('PASSIVE'); } catch {}
    db.close();
    parentPort.close();
  });
  parentPort.postMessage({ ready: true });
`;

export class WalCheckpointer {
  private worker: Worker | null = null;
  private stopping: Promise<void> | null = null;
  private ready = false;

  constructor(
    private readonly db: WritableDb,
    private readonly file: string,
    private readonly options: WalCheckpointerOptions = {},
  ) {}

  /** Whether the worker is checkpointing now (false before it is ready, after a fault and after stop). */
  get running(): boolean {
    return this.worker !== null && this.ready;
  }

  start(): void {
    if (this.worker || this.db.pragma('journal_mode', { simple: true }) !== 'wal') return;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file: this.file, sqlite: sqliteModulePath(), intervalMs: this.options.intervalMs ?? 200 },
      });
    } catch (err) {
      this.fault(`the log checkpointer could not start (${(err as Error).message.slice(0, 200)})`);
      return;
    }
    this.worker = worker;
    worker.on('message', (m: { ready?: true; round?: CheckpointRound }) => {
      if (m.ready && this.worker === worker && this.db.open) {
        this.ready = true;
        this.db.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
      }
      if (m.round) this.options.onRound?.(this.afterRound(m.round));
    });
    worker.on('error', (err) => {
      if (this.worker === worker && !this.stopping) this.fault(`the log checkpointer failed (${err.message.slice(0, 200)})`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.stopping) this.fault(`the log checkpointer stopped (exit ${code})`);
    });
    worker.unref(); // never what keeps a process alive
  }

  /** Stop the worker (after one last round); SQLite's own checkpoints are back. */
  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => void worker.terminate().finally(done), 2000);
      worker.once('exit', done);
      worker.postMessage('stop');
    }).finally(() => {
      this.worker = null;
      this.ready = false;
      this.stopping = null;
      this.restoreOwn();
    });
    return this.stopping;
  }

  /** After a round of the worker's: the tail copied here, if the log is long and the tail short, so the log starts again. */
  private afterRound(r: CheckpointRound): CheckpointRound {
    if (r.log < OWN_CHECKPOINT_PAGES || r.log - r.checkpointed > RESTART_TAIL_PAGES || !this.db.open || this.db.inTransaction) return r;
    try {
      const t = (this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0]!;
      return { log: t.log, checkpointed: t.checkpointed, busy: t.busy, restarted: t.busy === 0 && t.log === t.checkpointed };
    } catch {
      return r; // busy (the worker's round holds the checkpoint lock): the next round's report tries again
    }
  }

  private fault(message: string): void {
    this.worker = null;
    this.ready = false;
    this.restoreOwn();
    this.options.onFault?.(message);
  }

  private restoreOwn(): void {
    try {
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${OWN_CHECKPOINT_PAGES}`);
    } catch {
      // the connection is closing: nothing is left to checkpoint from it
    }
  }
}
