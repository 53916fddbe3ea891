// Keys of the alerts that say the alerting pipeline itself is silent.

/** The relay's dead man's switch: no Watchdog alert within its timeout. */
export const WATCHDOG_KEY = 'pipeline:watchdog';
/** The console's own feed from the relay has been down past the set time. */
export const FEED_SILENCE_KEY = 'pipeline:feed';
