// The relay's write-ahead log copied back into its database file on a thread
// of its own, started by the log writer's thread (log-writer-worker.ts). Left
// to SQLite, the commit that passes 1,000 pages of log copies them itself,
// and every sender waiting on that commit waits for the copy and its sync.
// Here a thread with its own connection copies PASSIVE (never waiting for the
// writer, never making it wait) every few hundred milliseconds, and again at
// once while it is behind. The log is written again from its start only once
// every frame in it has been copied: under a writer that hardly pauses, a
// round always leaves the frames committed while it ran, so when that tail is
// short the writer copies it itself between two commits (a moment), and its
// next commit starts the log again. The writer's own mark stays as the safety
// net (the log never grows past it), and goes back to SQLite's if the thread
// fails.
//
// SQLite syncs the database file only when a checkpoint reaches the log's end
// with no commit arriving while it copies (it compares with the log's live
// header). A round under a busy writer never does, even one whose figures say
// it copied every frame (they count the frames there were as it began), so
// its copies would wait in the page cache and the writer's tail copy, the one
// that reaches the end, would flush them all while senders wait (25-33 ms
// every dozen commits, measured; 10 MB of copies each time). The thread
// flushes the file itself after each megabyte it copies, through a descriptor
// the relay's thread opened and closes last (closing any descriptor of a file
// drops every POSIX lock this process holds on it, and SQLite's connections
// depend on theirs).
//
// Durability is SQLite's: a checkpoint copies only committed pages and syncs
// the database file before the log is reused (synchronous = FULL); one cut
// short by a crash is finished by the next connection to open the file. The
// extra flushes change nothing of that: they only do sooner, off the writer's
// path, what that sync would do.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's own mark (pages): the writer checkpoints there itself when no thread does it for it. */
const OWN_MARK_PAGES = 1000;
/** The writer's mark while the thread copies: reached only if it stalls (40 MB of log). */
const SAFETY_MARK_PAGES = 10_000;
/** A round's uncopied tail the writer copies itself (pages), so the log starts again. */
const TAIL_PAGES = 512;
/** Pages a round may leave copied into the database file and not yet flushed (1 MB of 4 KiB pages). */
export const FLUSH_PAGES = 256;

/** A round's figures (pages): frames in the log, of them copied into the database file, and of those flushed to disk. */
export interface CheckpointRound {
  log: number;
  checkpointed: number;
  flushed: number;
}

const SOURCE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.sqlite);
  const db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 0'); // a round that cannot go on now goes on at the next
  db.pragma('synchronous = FULL');
  const { fdatasyncSync } = require('node:fs');
  let timer = null;
  // frames of the log copied and flushed (a log started again was synced whole by the checkpoint that completed it;
  // a round reporting log === checkpointed was not necessarily synced: see the top of log-checkpointer.ts)
  let flushed = 0;
  const round = () => {
    let r = null;
    try {
      r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (r.checkpointed < flushed) flushed = 0;
      if (workerData.flushFd !== null && r.checkpointed - flushed >= workerData.flushPages) {
        fdatasyncSync(workerData.flushFd);
        flushed = r.checkpointed;
      }
      parentPort.postMessage({ round: { log: r.log, checkpointed: r.checkpointed, flushed } });
    } catch (err) {
      if (!err || err.code !== 'SQLITE_BUSY') throw err;
    }
    // behind: again soon; caught up: at the interval
    timer = setTimeout(round, r && r.log > r.checkpointed ? 5 : workerData.intervalMs);
  };
  timer = setTimeout(round, workerData.intervalMs);
  parentPort.on('message', () => {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  });
  parentPort.postMessage({ ready: true });
`;

export class LogCheckpointer {
  private worker: Worker | null = null;
  private tailDue = false;

  /**
   * `db`: the writer's connection; `fault` is told once if the thread fails (SQLite's own checkpoints are back);
   * `flushFd`: a descriptor of the database file to flush it through (null: no flushes but SQLite's), never
   * closed here; `round` hears each round's figures (tests).
   */
  constructor(
    private readonly db: Database.Database,
    file: string,
    private readonly fault: (message: string) => void,
    options: { flushFd?: number | null; intervalMs?: number; round?: (r: CheckpointRound) => void } = {},
  ) {
    let worker: Worker;
    try {
      const data = { file, sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: options.intervalMs ?? 200, flushFd: options.flushFd ?? null, flushPages: FLUSH_PAGES };
      worker = new Worker(SOURCE, { eval: true, workerData: data });
    } catch (err) {
      fault(`the log checkpointer could not start (${(err as Error).message.slice(0, 200)}): the writer checkpoints`);
      return;
    }
    this.worker = worker;
    worker.on('message', (m: { ready?: true; round?: CheckpointRound }) => {
      if (this.worker !== worker) return;
      if (m.ready) this.db.pragma(`wal_autocheckpoint = ${SAFETY_MARK_PAGES}`);
      if (m.round) options.round?.(m.round);
      if (m.round && m.round.log >= OWN_MARK_PAGES && m.round.log - m.round.checkpointed <= TAIL_PAGES) this.tailDue = true;
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.ownMark();
      this.fault(`the log checkpointer ended (${why}): the writer checkpoints`);
    };
    worker.on('error', (err) => lost(err.message.slice(0, 200)));
    worker.on('exit', (code) => lost(`exit ${code}`));
    worker.unref();
  }

  /** Between two of the writer's transactions: the short tail a round left is copied here, so the next commit writes the log from its start. */
  betweenCommits(): void {
    if (!this.tailDue || this.db.inTransaction) return;
    this.tailDue = false;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy (a round holds the checkpoint): the next round's report asks again
    }
  }

  /** End the thread (a round in progress finishes first); SQLite's own checkpoints are back. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const force = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(force);
    this.ownMark();
  }

  private ownMark(): void {
    try {
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${OWN_MARK_PAGES}`);
    } catch {
      // closing: nothing is left to checkpoint from it
    }
  }
}
