// What the feed client is given (options, dependencies) and what it reports (status).
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Timers } from '../platform/timers.js';
import type { FeedStore, ReceivedPage } from './feed-store.js';

/** What the status bar shows of the link (the shared shape), and the client's own counters. */
export type FeedStatus = Pick<ConsoleStatus['feed'], 'state' | 'since' | 'detail' | 'breaker' | 'relayId' | 'lastSeq' | 'relayStorageFault'> & {
  reconnects: number;
  invalidFrames: number;
};

export interface FeedOptions {
  url: string;
  token: string;
  /** client pings this often; no pong by the next ping = dead link (detected within 2× this) */
  pingIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  breaker?: { threshold: number; halfOpenAfterMs: number };
  connectTimeoutMs?: number;
  maxPayload?: number;
}

export interface FeedDeps {
  store: FeedStore;
  clock: Clock;
  logger: Logger;
  /** store a received page (default: the feed store alone, then the `alerts` event) */
  receive?: (relayId: string, items: unknown[]) => ReceivedPage;
  /** the breaker to use (from the resilience registry); default: its own */
  breaker?: CircuitBreakerPolicy;
  /** timers for backoff, heartbeat and ack timeouts (default: the system's) */
  timers?: Timers;
}
