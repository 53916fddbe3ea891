// The body of a parsing thread (started by parse-pool.ts): each request body
// in, its normalised alerts out, or the HTTP error that refuses it. Nothing
// here touches the log: it only parses, checks and serialises.
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '../shared/safe-text.js';
import { HttpError } from './http-guard.js';
import { lookupOf, parseDelivery, type IngestLimits } from './ingest.js';
import { packIngested } from './packed.js';
import type { SeverityPolicy } from './normalize.js';
import type { ParseReply, ParseRequest } from './parse-pool.js';

const { policy, limits } = workerData as { policy: SeverityPolicy; limits: IngestLimits };

parentPort!.on('message', (m: ParseRequest) => {
  let reply: ParseReply;
  try {
    const raw = Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength);
    const delivery = parseDelivery(m.source, raw, policy, lookupOf(m.previous), m.receivedAt, limits);
    reply = { id: m.id, delivery: { ...delivery, alerts: packIngested(delivery.alerts) } };
  } catch (err) {
    reply = err instanceof HttpError ? { id: m.id, refused: { status: err.status, code: err.code, message: err.message, headers: err.headers } } : { id: m.id, fault: errorText(err, 300) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready');
