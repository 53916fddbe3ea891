import type { Logger } from '../platform/logger.js';
import type { FeedClient } from '../feed/feed-client.js';
import type { RelayAck } from '../../shared/relay-protocol.js';
import { errorText } from '../../shared/safe-text.js';

/** Where committed actions wait for the relay: incident actions, on-call overrides. */
export interface OutboxSource {
  pendingOutbox(): { id: string; payload: RelayAck }[];
  markSynced(id: string, result: 'stored' | 'duplicate'): void;
}

/** Sends committed actions to the relay, oldest first per source, once each; the relay's answer marks them synced. */
export class OutboxSync {
  private running = false;
  private again = false;

  constructor(
    private readonly sources: readonly OutboxSource[],
    private readonly feed: FeedClient | null,
    private readonly logger: Logger,
  ) {}

  /** Safe to call often: one drain at a time, re-run if asked meanwhile. */
  async drain(): Promise<void> {
    if (!this.feed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        for (const source of this.sources) {
          for (const row of source.pendingOutbox()) {
            if (this.feed.status().state !== 'connected') return;
            try {
              const result = await this.feed.sendAck(row.payload);
              source.markSynced(row.id, result);
            } catch (err) {
              this.logger.log('info', 'I_OUTBOX_WAIT', `outbox row kept for later: ${errorText(err).split(':')[0]}`);
              return;
            }
          }
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }
}
