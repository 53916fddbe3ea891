// Shared test fixtures (vitest `test.extend`): a temp data folder, a fake
// clock, a started console (stopped and removed after the test), the pages it
// raised, a signed-in operator, and an alert builder — instead of the same
// set-up copied into every file. Override the console's deps for a describe
// with `consoleTest.scoped({ consoleDeps: { … } })`.
import { test as base } from 'vitest';
import type { ConsoleDeps, OnCallConsole } from '../../src/main/core/console.js';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { PageEvent } from '../../src/shared/domain/incident.js';
import type { Operator } from '../../src/shared/domain/operator.js';
import { FakeClock, tempDir, testConsole } from '../helpers.js';
import { alertBuilder } from './alerts.js';

export interface ConsoleFixtures {
  dir: string;
  clock: FakeClock;
  consoleDeps: ConsoleDeps;
  pages: PageEvent[];
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
  // eslint-disable-next-line no-empty-pattern
  pages: async ({}, use) => use([]),
  oncall: async ({ dir, clock, consoleDeps, pages }, use) => {
    const c = testConsole(dir, { clock, ...consoleDeps });
    c.events.on((name, payload) => {
      if (name === 'page') pages.push(payload as PageEvent);
    });
    await c.start();
    await use(c);
    await c.stop();
  },
  operator: async ({ oncall }, use) => use(oncall.services().operator.signIn('rn.jones', 'Rita Jones')),
  // eslint-disable-next-line no-empty-pattern
  alert: async ({}, use) => use(alertBuilder('relay-1', { startsAt: '2026-11-22T08:00:00.000Z', receivedAt: '2026-11-22T08:00:00.000Z' })),
});
