// Durable group commit: alerts arriving together are committed in one
// transaction (a retried delivery answered from its first storing), then
// every sender is answered and the consoles are sent what is new.
import type { AlertSource } from '../shared/domain/alert.js';
import { errorText } from '../shared/safe-text.js';
import { storageFaultCode } from '../shared/storage-fault.js';
import { HttpError } from './http-guard.js';
import type { RelayLog } from './log.js';
import type { RelayMetrics } from './metrics.js';
import type { IngestedAlert } from './ingest.js';
import { RETRY_AFTER_S, type StorageHealth } from './storage-health.js';
import type { AppendRequest, AppendResult } from './storage.js';
import type { RelayStorage } from './storage.js';

interface Pending {
  alerts: IngestedAlert[];
  receivedAt: string;
  atMs: number;
  digest?: string;
  resolve: (result: AppendResult) => void;
  reject: (err: Error) => void;
}

export interface GroupCommitDeps {
  store: RelayStorage;
  metrics: RelayMetrics;
  health: StorageHealth;
  log: RelayLog;
  /** the watchdog's marks, stored with each commit */
  marks: () => Record<string, string>;
  /** false once the relay is stopping */
  open: () => boolean;
  overloaded: (source: AlertSource, message: string, retryAfterS: number) => HttpError;
  /** after a commit: tell the consoles */
  committed: () => void;
  /** commits on a thread of their own when it is ready (null: this thread commits) */
  writer?: { append(batch: readonly AppendRequest[], meta: Record<string, string>): Promise<{ results: AppendResult[]; lastSeq: number }> | null } | null;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private flushScheduled = false;
  /** commits run one after another (a database answering asynchronously must not interleave two) */
  private chain: Promise<void> = Promise.resolve();
  /** a commit is queued behind the running one and will take whatever is pending then */
  private waiting = false;
  /** commits handed to the writer thread and not yet answered (each settles, never rejects) */
  private readonly handedOff = new Set<Promise<void>>();

  constructor(private readonly deps: GroupCommitDeps) {}

  /** Alerts arriving together are committed in one transaction, then every sender is answered. */
  enqueue(alerts: IngestedAlert[], receivedAt: string, atMs: number, digest: string | undefined, source: AlertSource): Promise<AppendResult> {
    if (!this.deps.open()) return Promise.reject(this.deps.overloaded(source, 'the relay is stopping; retry', 1));
    return new Promise((resolve, reject) => {
      this.pending.push({ alerts, receivedAt, atMs, ...(digest ? { digest } : {}), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.take());
      }
    });
  }

  /** Commit what is pending (after any commit in progress); resolves when it is answered, and every commit handed to the writer thread before it. */
  flush(): Promise<void> {
    this.take();
    return this.chain.then(() => Promise.all([...this.handedOff]).then(() => undefined));
  }

  /** What is pending is taken by the next commit (queued behind any in progress). */
  private take(): void {
    this.flushScheduled = false;
    if (!this.waiting) {
      // the batch is taken when the commit before it has finished, or has been handed to the writer thread: everything that arrived meanwhile goes in one transaction
      this.waiting = true;
      this.chain = this.chain.then(() => {
        this.waiting = false;
        const batch = this.pending;
        this.pending = [];
        if (!batch.length) return;
        const { answered, handedOff } = this.commit(batch);
        if (!handedOff) return answered;
        // the writer queues it behind the commits it holds (and adds to them what reaches it meanwhile): the next batch need not wait for this one's answer
        this.handedOff.add(answered);
        void answered.finally(() => this.handedOff.delete(answered));
      });
    }
  }

  /** Commit one batch: on the writer thread when it is ready (handed off: the answer comes later), else here. Answered never rejects. */
  private commit(batch: Pending[]): { answered: Promise<void>; handedOff: boolean } {
    // two identical deliveries in one group commit: the second is the first's duplicate
    const firstOf = new Map<string, number>();
    const unique: Pending[] = [];
    const sameAs: (number | null)[] = batch.map((p) => {
      if (p.digest && firstOf.has(p.digest)) return firstOf.get(p.digest)!;
      if (p.digest) firstOf.set(p.digest, unique.length);
      unique.push(p);
      return null;
    });
    const end = this.deps.metrics.commit.startTimer();
    const marks = this.deps.marks();
    let elsewhere: ReturnType<NonNullable<GroupCommitDeps['writer']>['append']> = null;
    try {
      elsewhere = this.deps.writer?.append(unique, marks) ?? null;
    } catch (err) {
      elsewhere = Promise.reject(err as Error);
    }
    const answered = this.answer(batch, unique, sameAs, marks, end, elsewhere).catch((err: unknown) => {
      this.deps.log('error', 'E_RELAY_INTERNAL', `after an ingest commit: ${errorText(err, 300)}`);
    });
    return { answered, handedOff: elsewhere !== null };
  }

  private async answer(batch: Pending[], unique: Pending[], sameAs: (number | null)[], marks: Record<string, string>, end: () => void, elsewhere: Promise<{ results: AppendResult[]; lastSeq: number }> | null): Promise<void> {
    let results: AppendResult[];
    let lastSeq: number | null = null;
    try {
      if (elsewhere) ({ results, lastSeq } = await elsewhere);
      else results = await this.deps.store.append(unique, marks);
      this.deps.health.recovered();
    } catch (err) {
      const e = storageFaultCode(err) ? this.deps.health.failed('ingest', err) : err;
      if (!(e instanceof HttpError)) this.deps.log('error', 'E_RELAY_INTERNAL', `ingest commit failed: ${errorText(err, 300)}`);
      for (const p of batch) p.reject(e instanceof HttpError ? e : new HttpError(503, 'E_INTERNAL', 'the relay failed to store the alerts; retry', { 'Retry-After': String(RETRY_AFTER_S) }));
      return;
    } finally {
      end();
    }
    let stored = 0;
    let k = 0;
    batch.forEach((p, i) => {
      const same = sameAs[i];
      if (same !== null && same !== undefined) return p.resolve({ seqs: results[same]!.seqs, duplicate: true });
      const r = results[k++]!;
      if (!r.duplicate) {
        stored += r.seqs.length;
        countBySource(p.alerts, (source, n) => this.deps.metrics.received.inc({ source }, n));
      }
      p.resolve(r);
    });
    if (stored) this.deps.metrics.lastSeq.set(lastSeq ?? (await this.deps.store.lastSeq()));
    this.deps.committed();
  }
}

/** Alerts of one request counted per source (all of one source but a Watchdog's resolution): one metric update each. */
function countBySource(alerts: readonly IngestedAlert[], add: (source: AlertSource, n: number) => void): void {
  const counts = new Map<AlertSource, number>();
  for (const a of alerts) counts.set(a.source, (counts.get(a.source) ?? 0) + 1);
  for (const [source, n] of counts) add(source, n);
}
