// Request bodies parsed, checked and serialised on worker threads, so the
// relay's own thread only answers HTTP, commits and streams. A body's parse
// costs about as much as its storing: on one thread a storm waits for both.
// A worker that dies fails only the requests it held (503: every sender
// retries those) and is started again; with no worker ready (none configured,
// its script missing, still loading) bodies are parsed on the relay's thread.
import type { AlertSource } from '../shared/domain/alert.js';
import { HttpError } from './http-guard.js';
import { lookupOf, parseDelivery, type Delivery, type IngestLimits, type Previous } from './ingest.js';
import { unpackIngested, type PackedIngested } from './packed.js';
import type { RelayLog } from './log.js';
import type { SeverityPolicy } from './normalize.js';
import { RETRY_AFTER_S } from './storage-health.js';
import { WorkerLink, workerScript } from './threads.js';

export interface ParseRequest {
  id: number;
  source: AlertSource;
  raw: Uint8Array;
  previous?: Previous;
  receivedAt: string;
}

export type ParseReply =
  | { id: number; delivery: Omit<Delivery, 'alerts'> & { alerts: PackedIngested } }
  | { id: number; refused: { status: number; code: string; message: string; headers: Record<string, string> } }
  | { id: number; fault: string };

export interface DeliveryParserOptions {
  /** threads; 0: every body parsed on the relay's thread */
  workers: number;
  policy: SeverityPolicy;
  limits: IngestLimits;
  log: RelayLog;
}

export class DeliveryParser {
  private readonly links: WorkerLink<ParseReply>[] = [];
  /** said once: parsing is on the relay's thread */
  private toldInThread = false;

  constructor(private readonly options: DeliveryParserOptions) {
    const script = options.workers > 0 ? workerScript('parse-worker') : null;
    if (options.workers > 0 && !script) this.inThread('the parsing worker script is missing');
    if (!script) return;
    for (let i = 0; i < options.workers; i++) {
      this.links.push(
        new WorkerLink<ParseReply>(script, { policy: options.policy, limits: options.limits }, {
          lost: (why, held, closing) => {
            if (!closing) options.log('warn', 'W_RELAY_PARSER', `a parsing worker ended (${why}): ${held} request(s) answered 503 to be retried; started again at the next request`);
            return new HttpError(503, 'E_INTERNAL', 'the relay lost the request while parsing it; retry', { 'Retry-After': String(RETRY_AFTER_S) });
          },
          failedToStart: (why) => this.inThread(`a parsing worker could not start: ${why}`),
        }),
      );
    }
  }

  /** Workers running and ready now (tests). */
  get running(): number {
    return this.links.filter((l) => l.running).length;
  }

  /** Requests the workers hold now. */
  get inFlight(): number {
    return this.links.reduce((n, l) => n + l.inFlight, 0);
  }

  async parse(source: AlertSource, raw: Buffer, previous: Previous | undefined, receivedAt: string): Promise<Delivery> {
    // the least busy ready worker; any that died is started again now, and takes its share once ready
    let link: WorkerLink<ParseReply> | null = null;
    for (const l of this.links) {
      l.revive();
      if (l.running && (!link || l.inFlight < link.inFlight)) link = l;
    }
    if (!link) return parseDelivery(source, raw, this.options.policy, lookupOf(previous), receivedAt, this.options.limits);
    // a copy of only the body's bytes (a pooled Buffer shares a larger block), handed over without a second copy
    const bytes = new Uint8Array(raw);
    const m = await link.call((id) => ({ id, source, raw: bytes, receivedAt, ...(previous ? { previous } : {}) }) satisfies ParseRequest, [bytes.buffer])!;
    if ('delivery' in m) return { ...m.delivery, alerts: unpackIngested(m.delivery.alerts) };
    if ('refused' in m) throw new HttpError(m.refused.status, m.refused.code, m.refused.message, m.refused.headers);
    throw new Error(`parsing failed: ${m.fault}`);
  }

  /** End the workers; requests they hold are refused (the relay answers them 503 while stopping). */
  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.close()));
  }

  /** Tests: end one worker as a crash would, its requests still in flight. */
  async crashOne(): Promise<void> {
    await this.links.find((l) => l.running)?.crash();
  }

  private inThread(why: string): void {
    if (this.toldInThread) return;
    this.toldInThread = true;
    this.options.log('warn', 'W_RELAY_PARSER', `${why}: request bodies are parsed on the relay's thread`);
  }
}
