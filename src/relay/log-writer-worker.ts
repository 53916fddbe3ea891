// The body of the relay's log writer thread (log-writer.ts): group commits
// in, their sequence numbers out, after the fsync. Its own connection to the
// relay's SQLite file; the relay's thread keeps its own for everything else.
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '../shared/safe-text.js';
import { unpackAlerts } from './packed.js';
import { RelayStore } from './store.js';
import type { WriterReply, WriterRequest } from './log-writer.js';

const store = new RelayStore(workerData.file as string);

parentPort!.on('message', (m: WriterRequest | 'stop') => {
  if (m === 'stop') {
    store.db.close(); // no checkpoint here: the relay's own connection does it as it closes
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    const results = store.append(m.batch.map((r) => ({ ...r, alerts: unpackAlerts(r.alerts) })), m.meta);
    reply = { id: m.id, results, lastSeq: store.lastSeq() };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { id: m.id, fault: { message: errorText(err, 300), ...(typeof code === 'string' ? { code } : {}) } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready');
