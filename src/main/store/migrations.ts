// Ordered, append-only list of schema migrations. Never edit a shipped step;
// add a new one. Each runs in its own transaction and bumps user_version.

import { FIRST_WAVE, type Migration } from './migrations-first-wave.js';
import { SECOND_WAVE } from './migrations-second-wave.js';

export type { Migration } from './migrations-first-wave.js';

/** Every step, in order. */
export const MIGRATIONS: Migration[] = [...FIRST_WAVE, ...SECOND_WAVE];
