// Shared test fixtures (vitest `test.extend`): a temp data folder, a fake
// clock, a started console (stopped and removed after the test), a way to
// restart it on the same folder, the pages it raised, a signed-in operator,
// an alert builder, and a relay on loopback — instead of the same set-up
// copied into every file. Override the console's deps for a describe with
// `consoleTest.override({ consoleDeps: { … } })`, the relay's config with
// `relayTest.override({ relayConfig: { … } })`.
import { writeFileSync } from 'node:fs';
import { test as base } from 'vitest';
import type { ConsoleDeps, OnCallConsole } from '../../src/main/core/console.js';
import type { Relay } from '../../src/relay/server.js';
import type { RelayConfigInput } from '../../src/relay/config.js';
import type { FeedOptions } from '../../src/main/feed/feed-client.js';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { PageEvent } from '../../src/shared/domain/incident.js';
import type { Operator } from '../../src/shared/domain/operator.js';
import { FakeClock, tempDir, testConsole } from '../helpers.js';
import { alertBuilder } from './alerts.js';
import { startAlertmanager, type AlertmanagerProcess } from './alertmanager.js';
import { startRelay, TestConsoleFeed, TOKENS } from './relay-fixture.js';

export interface ConsoleFixtures {
  dir: string;
  clock: FakeClock;
  consoleDeps: ConsoleDeps;
  /** extra command-line flags for every console the test boots */
  consoleArgv: string[];
  pages: PageEvent[];
  /**
   * Start a console on the test's data folder (with the test's clock, deps
   * and page capture); each one started is stopped after the test. Calling it
   * again after `stop()` is a restart on the same database.
   */
  boot: (deps?: ConsoleDeps, argv?: string[]) => Promise<OnCallConsole>;
  oncall: OnCallConsole;
  operator: Operator;
  alert: (key: string, over?: Partial<Alert>) => Alert;
}

export const consoleTest = base.extend<ConsoleFixtures>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const { dir, cleanup } = tempDir();
    await use(dir);
    cleanup();
  },
  // eslint-disable-next-line no-empty-pattern
  clock: async ({}, use) => use(new FakeClock()),
  consoleDeps: [{}, { injected: false }],
  consoleArgv: [[], { injected: false }],
  // eslint-disable-next-line no-empty-pattern
  pages: async ({}, use) => use([]),
  boot: async ({ dir, clock, consoleDeps, consoleArgv, pages }, use) => {
    const started: OnCallConsole[] = [];
    await use(async (deps = {}, argv = []) => {
      const c = testConsole(dir, { clock, ...consoleDeps, ...deps }, [...consoleArgv, ...argv]);
      c.events.on((name, payload) => {
        if (name === 'page') pages.push(payload as PageEvent);
      });
      started.push(c);
      await c.start();
      return c;
    });
    // stop() is idempotent: consoles the test stopped itself are skipped
    for (const c of started.reverse()) await c.stop();
  },
  oncall: async ({ boot }, use) => use(await boot()),
  operator: async ({ oncall }, use) => use(oncall.services().operator.signIn('rn.jones', 'Rita Jones')),
  // eslint-disable-next-line no-empty-pattern
  alert: async ({}, use) => use(alertBuilder('relay-1', { startsAt: '2026-11-22T08:00:00.000Z', receivedAt: '2026-11-22T08:00:00.000Z' })),
});

export interface RelayFixtures {
  /** overrides of the relay's config (data folder, listen address and the two ward tokens are set) */
  relayConfig: Partial<RelayConfigInput>;
  /** a relay on 127.0.0.1, its data in `<dir>/relay`, stopped after the test */
  relay: Relay;
  /** a console feed (own database under `<dir>/<name>`) pointed at the relay; closed after the test */
  feed: (name: string, token?: string, options?: Partial<FeedOptions>) => TestConsoleFeed;
  /**
   * A started console on `<dir>/<name>` subscribed to the relay (ward A's
   * token unless given), on the real clock with a 200 ms tick; stopped after
   * the test. Its pages are not captured: pass a sink in `deps`.
   */
  relayConsole: (name: string, options?: { token?: string; argv?: string[]; deps?: ConsoleDeps }) => Promise<OnCallConsole>;
  /**
   * A real Prometheus Alertmanager (Debian's) whose receiver posts to the
   * relay; `route` is the YAML of the route block's children. Stopped after
   * the test; starting it again on the same port keeps its data folder.
   */
  alertmanager: (route: string, port?: number) => Promise<AlertmanagerProcess>;
}

export const relayTest = consoleTest.extend<RelayFixtures>({
  relayConfig: [{}, { injected: false }],
  relay: async ({ dir, relayConfig }, use) => {
    const relay = await startRelay(`${dir}/relay`, relayConfig);
    await use(relay);
    await relay.close();
  },
  feed: async ({ dir, relay }, use) => {
    const feeds: TestConsoleFeed[] = [];
    await use((name, token = TOKENS.wardA, options = {}) => {
      const f = new TestConsoleFeed(`${dir}/${name}`, { url: relay.streamUrl, token, pingIntervalMs: 200, backoff: { initialMs: 20, maxMs: 200 }, ...options });
      feeds.push(f);
      return f;
    });
    for (const f of feeds) await f.close();
  },
  relayConsole: async ({ dir, relay }, use) => {
    const started: OnCallConsole[] = [];
    await use(async (name, { token = TOKENS.wardA, argv = [], deps = {} } = {}) => {
      const tokenFile = `${dir}/${name}.token`;
      writeFileSync(tokenFile, token, { mode: 0o600 });
      const c = testConsole(`${dir}/${name}`, { tickMs: 200, ...deps }, ['--relay-url', relay.streamUrl, '--relay-token-file', tokenFile, '--relay-ping-ms', '300', ...argv]);
      started.push(c);
      await c.start();
      return c;
    });
    for (const c of started.reverse()) await c.stop();
  },
  alertmanager: async ({ dir, relay }, use) => {
    const started: AlertmanagerProcess[] = [];
    await use(async (route, port) => {
      const am = await startAlertmanager(`${dir}/alertmanager`, `${relay.url}/v1/alertmanager`, route, port);
      started.push(am);
      return am;
    });
    for (const am of started.reverse()) await am.stop();
  },
});
