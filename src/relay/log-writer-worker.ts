// The body of the relay's log writer thread (log-writer.ts): group commits
// in, their sequence numbers out, after the fsync. Its own connection to the
// relay's SQLite file; the relay's thread keeps its own for everything else.
//
// The relay's thread hands each group over as soon as it is parsed, without
// waiting for the one before it to be answered. Whatever reached this thread
// while it was committing is committed next, in one transaction (one fsync),
// and each group is answered with its own sequence numbers: the thread goes
// from one commit to the next without waiting for a round trip.
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '../shared/safe-text.js';
import { LogCheckpointer } from './log-checkpointer.js';
import { unpackAlerts } from './packed.js';
import { RelayStore } from './store.js';
import type { WriterReply, WriterRequest } from './log-writer.js';

/** Alerts in one transaction at most: a larger backlog is committed in several, one after another. */
const MAX_ALERTS_PER_COMMIT = 8192;

const store = new RelayStore(workerData.file as string);
// the log copied back into the database file on a thread of its own, not inside the commits senders wait for
const checkpointer = new LogCheckpointer(store.db, workerData.file as string, (note) => parentPort!.postMessage({ note }), { flushFd: workerData.flushFd as number | null });
const queue: WriterRequest[] = [];
let scheduled = false;

/** Commit what has reached this thread: groups in the order they came, as many as fit in one transaction. */
function commitQueued(): void {
  scheduled = false;
  while (queue.length) {
    let alerts = count(queue[0]!);
    let n = 1;
    while (n < queue.length) {
      const next = count(queue[n]!);
      if (alerts + next > MAX_ALERTS_PER_COMMIT) break;
      alerts += next;
      n++;
    }
    commit(queue.splice(0, n));
  }
}

function count(m: WriterRequest): number {
  return m.batch.reduce((sum, r) => sum + r.alerts.keys.length, 0);
}

function commit(taken: WriterRequest[]): void {
  checkpointer.betweenCommits();
  let replies: WriterReply[];
  try {
    const results = store.append(
      taken.flatMap((m) => m.batch.map((r) => ({ ...r, alerts: unpackAlerts(r.alerts) }))),
      Object.assign({}, ...taken.map((m) => m.meta)) as Record<string, string>,
    );
    const lastSeq = store.lastSeq();
    let k = 0;
    replies = taken.map((m) => ({ id: m.id, results: results.slice(k, (k += m.batch.length)), lastSeq }));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const fault = { message: errorText(err, 300), ...(typeof code === 'string' ? { code } : {}) };
    replies = taken.map((m) => ({ id: m.id, fault }));
  }
  for (const reply of replies) parentPort!.postMessage(reply);
}

parentPort!.on('message', (m: WriterRequest | 'stop') => {
  if (m === 'stop') {
    commitQueued(); // (the relay waits for its commits before it stops: nothing should be left)
    void checkpointer.stop().finally(() => {
      store.db.close(); // no checkpoint here: the relay's own connection does it as it closes
      parentPort!.close();
    });
    return;
  }
  queue.push(m);
  // after every message already waiting has been read: they go in the same transaction
  if (!scheduled) {
    scheduled = true;
    setImmediate(commitQueued);
  }
});
parentPort!.postMessage('ready');
