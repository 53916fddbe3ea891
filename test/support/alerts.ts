import type { Alert } from '../../src/shared/domain/alert.js';

/** Normalised alerts as a relay would send them, numbered in order per builder. */
export function alertBuilder(relayId: string, defaults: Partial<Alert> = {}): (key: string, over?: Partial<Alert>) => Alert {
  let seq = 0;
  return (key, over = {}) => {
    seq++;
    const now = new Date().toISOString();
    return {
      relayId, seq, key, source: 'native', status: 'firing', severity: 'SEV2',
      summary: `Model service degraded (${key})`, service: 'model-service', labels: {}, annotations: {}, links: [],
      startsAt: now, receivedAt: now, ...defaults, ...over,
    };
  };
}
