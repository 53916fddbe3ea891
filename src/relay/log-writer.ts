// The relay's SQLite log written on a thread of its own. A commit waits for
// its fsync; on the relay's thread that wait held up every request, answer and
// console frame behind it. Here the relay's thread goes on parsing, answering
// and streaming while a group commit is made durable; senders still hear 2xx
// only after it. Until the writer is ready (and after it dies, until it is
// started again) the relay's thread commits itself: one commit at a time
// either way (the group commit's chain).
import { closeSync, openSync } from 'node:fs';
import type { RelayLog } from './log.js';
import { packAlerts, type PackedAppend } from './packed.js';
import type { AppendRequest, AppendResult } from './storage.js';
import { WorkerLink, workerScript } from './threads.js';

export interface WriterRequest {
  id: number;
  batch: PackedAppend[];
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

export class LogWriter {
  private readonly link: WorkerLink<WriterReply> | null;
  /**
   * The database file opened once more, read only, for the writer's checkpointing thread to flush it through
   * (log-checkpointer.ts); the same descriptor for every writer started. Closed only by release(), after every
   * connection of this process to the file: closing any descriptor of a file drops all the POSIX locks the
   * process holds on it, and SQLite's connections depend on theirs (another process could take the file from
   * under them: switch its journal mode, delete its log).
   */
  private flushFd: number | null;

  constructor(file: string, log: RelayLog) {
    const script = workerScript('log-writer-worker');
    if (!script) log('warn', 'W_RELAY_WRITER', "the log writer's script is missing: the relay's thread commits");
    this.flushFd = script ? openForFlush(file) : null;
    this.link = script
      ? new WorkerLink<WriterReply>(script, { file, flushFd: this.flushFd }, {
          lost: (why, held, closing) => {
            if (!closing) log('warn', 'W_RELAY_WRITER', `the log writer ended (${why}) with ${held} commit(s) in flight (answered 503, to be retried); started again at the next commit`);
            return new Error(`the log writer ended (${why}) before answering`);
          },
          failedToStart: (why) => log('warn', 'W_RELAY_WRITER', `the log writer could not start (${why}): the relay's thread commits`),
          note: (text) => log('warn', 'W_RELAY_CHECKPOINT', text),
        })
      : null;
  }

  /** Ready to take a commit (tests). */
  get running(): boolean {
    return this.link?.running ?? false;
  }

  /** Commits it holds now (tests). */
  get inFlight(): number {
    return this.link?.inFlight ?? 0;
  }

  /** The batch committed on the writer's thread; null while no writer is ready (the caller commits it on its own thread). */
  append(batch: readonly AppendRequest[], meta: Record<string, string>): Promise<{ results: AppendResult[]; lastSeq: number }> | null {
    // only what is stored crosses, packed (built only when the writer is ready to take it)
    const plain = (): PackedAppend[] => batch.map((r) => ({ alerts: packAlerts(r.alerts), receivedAt: r.receivedAt, atMs: r.atMs, ...(r.digest ? { digest: r.digest } : {}) }));
    const reply = this.link?.call((id) => ({ id, batch: plain(), meta }) satisfies WriterRequest);
    return reply?.then((m) => {
      if ('results' in m) return m;
      throw new WriterFault(m.fault.message, m.fault.code);
    }) ?? null;
  }

  /** Let the writer close its connection (a commit in flight finishes first); ended after 2 s if it does not. */
  async close(): Promise<void> {
    await this.link?.close('stop');
  }

  /** The flushing descriptor closed: only once every connection of this process to the file is closed (see flushFd). */
  release(): void {
    if (this.flushFd === null) return;
    const fd = this.flushFd;
    this.flushFd = null;
    try {
      closeSync(fd);
    } catch {
      // already gone: nothing holds it
    }
  }

  /** Tests: end the writer as a crash would, a commit perhaps in flight. */
  async crash(): Promise<void> {
    await this.link?.crash();
  }
}

/** A read-only descriptor of the file, or null (then the checkpointing thread leaves the flushing to SQLite). */
function openForFlush(file: string): number | null {
  try {
    return openSync(file, 'r');
  } catch {
    return null;
  }
}
