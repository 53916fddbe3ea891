import type { Logger } from '../platform/logger.js';
import type { FeedClient } from '../feed/feed-client.js';
import type { IncidentEngine } from './incident-engine.js';
import { errorText } from '../../shared/safe-text.js';

/** Sends committed actions to the relay, oldest first, once each; the relay's answer marks them synced. */
export class OutboxSync {
  private running = false;
  private again = false;

  constructor(
    private readonly engine: IncidentEngine,
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
        for (const row of this.engine.pendingOutbox()) {
          if (this.feed.status().state !== 'connected') return;
          try {
            const result = await this.feed.sendAck(row.payload);
            this.engine.markSynced(row.id, result);
          } catch (err) {
            this.logger.log('info', 'I_OUTBOX_WAIT', `outbox row kept for later: ${errorText(err).split(':')[0]}`);
            return;
          }
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }
}
