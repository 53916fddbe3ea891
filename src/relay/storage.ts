// What the relay needs of its durable log, whichever database holds it: the
// embedded SQLite file (store.ts, the default: synchronous answers) or a
// shared PostgreSQL for several relays (pg-store.ts: answers are promises).
// Callers await every answer, so both fit.
import type { AuditCheckpoint, RelayAck } from '../shared/relay-protocol.js';
import type { NewAlert } from './normalize.js';

export type MaybePromise<T> = T | Promise<T>;

/** A write-back to a source that a console's action asks for. */
export interface WriteBackJob {
  target: 'alertmanager' | 'pagerduty';
  op: 'silence' | 'expire' | 'acknowledge' | 'resolve';
  /** the incident key (Alertmanager) or the dedup key (PagerDuty) */
  subject: string;
  payload: Record<string, unknown>;
}

export interface StoredWriteBack extends WriteBackJob {
  id: number;
  ackId: string;
  attempts: number;
}

export interface StoredSilence {
  silenceId: string;
  incidentKey: string;
  amUrl: string;
  alertKeys: string[];
  /** the silence as posted (matchers, createdBy, comment), for extending it */
  body: string;
  endsAtMs: number;
}

/** An alert to store: its key and its JSON (the normalised alert, serialised once). */
export interface EncodedAlert {
  key: string;
  json: string;
}

export interface AppendRequest {
  alerts: readonly EncodedAlert[];
  receivedAt: string;
  /** the delivery's identity (sha-256 of source and body, or of an Idempotency-Key); none for synthetic alerts */
  digest?: string;
  atMs: number;
}

export interface AppendResult {
  seqs: number[];
  duplicate: boolean;
}


export interface RelayStorage {
  readonly kind: 'sqlite' | 'postgresql';
  /** the relay's identity (shared by every relay on one PostgreSQL): consoles keep their cursors by it */
  readonly relayId: string;
  /** What a stored action asks of the sources (set by the write-back). */
  planWriteBack: ((ack: RelayAck) => WriteBackJob[]) | null;
  /** Open connections and create tables (PostgreSQL); SQLite is open once constructed. */
  open?(): Promise<void>;
  /** rows or actions committed by another relay on the same database: call `fn` */
  onForeignCommit?(fn: () => void): void;
  /** the database's own state, for /healthz */
  databaseHealth?(): Promise<{ state: 'ok' | 'down'; detail?: string }>;

  append(batch: AppendRequest[], meta?: Record<string, string>): MaybePromise<AppendResult[]>;
  meta(name: string): MaybePromise<string | undefined>;
  purgeDeliveries(beforeMs: number): MaybePromise<number>;
  pageAfter(seq: number, limit: number, maxBytes: number): MaybePromise<{ lastSeq: number; json: string[]; bytes: number }>;
  latestByKey(key: string): MaybePromise<NewAlert | undefined>;
  lastSeq(): MaybePromise<number>;
  storeAck(ack: RelayAck, consoleId: string, at: string): MaybePromise<'stored' | 'duplicate'>;
  acksAfter(seq: number, exceptConsole: string, limit: number): MaybePromise<{ seq: number; ack: RelayAck; consoleId: string; receivedAt: string }[]>;
  storeCheckpoint(consoleId: string, checkpoint: AuditCheckpoint, at: string): MaybePromise<void>;
  checkpoint(consoleId: string): MaybePromise<AuditCheckpoint | undefined>;
  quarantine(channel: string, reason: string, bytes: number, sha256: string, at: string): MaybePromise<void>;
  purgeOlderThan(cutoffIso: string): MaybePromise<number>;
  dueWriteBacks(nowMs: number, limit: number): MaybePromise<StoredWriteBack[]>;
  finishWriteBack(id: number, state: 'done' | 'failed', nowMs: number, error?: string): MaybePromise<void>;
  retryWriteBack(id: number, nextAtMs: number, error: string): MaybePromise<void>;
  rememberRoute(dedupKey: string, routingKey: string, atMs: number): MaybePromise<void>;
  routingKey(dedupKey: string): MaybePromise<string | undefined>;
  putSilence(s: StoredSilence): MaybePromise<void>;
  endSilence(silenceId: string, state: 'expired' | 'lapsed' | 'replaced'): MaybePromise<void>;
  activeSilences(incidentKey?: string): MaybePromise<StoredSilence[]>;
  close(): MaybePromise<void>;
}
