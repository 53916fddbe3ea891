// The one mapping of cockatiel's circuit states to what the console shows.
import { CircuitState } from 'cockatiel';
import type { BreakerState } from '../../shared/domain/taxonomy.js';

export type { BreakerState } from '../../shared/domain/taxonomy.js';

const NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export const breakerState = (state: CircuitState): BreakerState => NAMES[state];
