// Contract slice: the relay feed (events only).
import { event } from './define.js';

export const feedEvents = {
  'alerts.received': event<{ count: number; lastSeq: number }>(),
};
