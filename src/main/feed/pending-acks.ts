// Actions sent to the relay, waiting for its answer: stored or duplicate
// resolves; unavailable (the relay's storage is failing), no answer within
// 10 s, or a failed send rejects — and the outbox keeps the row for later.
import type { TimerHandle, Timers } from '../platform/timers.js';

export type AckStatus = 'stored' | 'duplicate' | 'unavailable';

export class PendingAcks {
  private readonly waiting = new Map<string, (status: AckStatus) => void>();

  constructor(
    private readonly timers: Timers,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Send with `send` and wait for the relay's answer to `id`. */
  wait(id: string, send: (done: (err?: Error) => void) => void): Promise<'stored' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | null = null;
      const settle = () => {
        if (timer) this.timers.clearTimeout(timer);
        this.waiting.delete(id);
      };
      timer = this.timers.setTimeout(() => {
        settle();
        reject(new Error('E_FEED_ACK_TIMEOUT: the relay did not answer the ack'));
      }, this.timeoutMs);
      this.waiting.set(id, (s) => {
        settle();
        if (s === 'unavailable') reject(new Error('E_FEED_ACK_UNAVAILABLE: the relay could not store the action now (its storage is failing); kept for retry'));
        else resolve(s);
      });
      send((err) => {
        if (err) {
          settle();
          reject(err);
        }
      });
    });
  }

  /** The relay's answer for one action. */
  answer(id: string, status: AckStatus): void {
    this.waiting.get(id)?.(status);
  }
}
