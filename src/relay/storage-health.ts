// The relay's storage health: a write that fails for a storage reason (disk
// full, I/O error, read-only) is shown in /healthz and /metrics, told to every
// console, and answered with 503 + Retry-After until a write succeeds.
import type { Clock } from '../shared/clock.js';
import { isoTime } from '../shared/clock.js';
import type { ServerFrame } from '../shared/relay-protocol.js';
import { errorText } from '../shared/safe-text.js';
import { storageFaultCode } from '../shared/storage-fault.js';
import { createHash } from 'node:crypto';
import { HttpError } from './http-guard.js';
import type { RelayStorage } from './storage.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayLog } from './log.js';

/** Seconds a sender is asked to wait after a storage fault or overload. */
export const RETRY_AFTER_S = 5;

/** A storage fault seen on a write; cleared by the next write that succeeds. */
export interface StorageFault {
  code: string;
  message: string;
  since: string;
}

export class StorageHealth {
  private current: StorageFault | null = null;

  constructor(private readonly deps: { metrics: RelayMetrics; clock: Clock; log: RelayLog; broadcast: () => void }) {}

  get fault(): StorageFault | null {
    return this.current;
  }

  /** A write failed: a storage fault is shown in /healthz and /metrics and answered with 503; anything else is logged. */
  failed(op: string, err: unknown): HttpError {
    const code = storageFaultCode(err) ?? 'E_STORE';
    this.deps.metrics.storageErrors.inc({ op, code });
    if (!this.current) {
      this.current = { code, message: (err as Error).message.slice(0, 200), since: isoTime(this.deps.clock.now()) };
      this.deps.metrics.storageFault.set(1);
      this.deps.log('error', 'E_RELAY_STORAGE', `${op}: ${code}: ${errorText(err, 200)}; answering 503 until a write succeeds`);
      this.deps.broadcast();
    }
    return new HttpError(503, 'E_RELAY_STORAGE', `the relay cannot store right now (${code}); retry`, { 'Retry-After': String(RETRY_AFTER_S) });
  }

  recovered(): void {
    if (!this.current) return;
    this.deps.log('info', 'I_RELAY_STORAGE_OK', `storage writable again after ${this.current.code} since ${this.current.since}`);
    this.current = null;
    this.deps.metrics.storageFault.set(0);
    this.deps.broadcast();
  }

  frame(): ServerFrame {
    const f = this.current;
    return f ? { type: 'relay.health', storage: 'fault', code: f.code.slice(0, 64), since: f.since } : { type: 'relay.health', storage: 'ok' };
  }
}

/** Count a refused input (its size and digest, never its content); counting never turns bad input into a crash. */
export function quarantineRaw(store: RelayStorage, health: StorageHealth, nowMs: number, channel: string, reason: string, raw: Buffer | string): void {
  const buf = typeof raw === 'string' ? Buffer.from(raw) : raw;
  const failed = (err: unknown) => void health.failed('quarantine', err);
  try {
    const done = store.quarantine(channel, reason, buf.length, createHash('sha256').update(buf).digest('hex'), isoTime(nowMs));
    if (done instanceof Promise) done.catch(failed);
  } catch (err) {
    failed(err);
  }
}
