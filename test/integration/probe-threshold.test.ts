import { describe, expect } from 'vitest';
import type { PageEvent } from '../../src/shared/domain/incident.js';
import { PROFILES, type ProfileName } from '../../src/shared/domain/profile.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { ProbeHistory } from '../../src/main/probes/probe-history.js';
import { ProbeScheduler } from '../../src/main/probes/probe-scheduler.js';
import { silentLogger } from '../../src/main/platform/logger.js';
import type { Outcome } from '../../src/main/probes/probe-kinds.js';
import { FakeClock } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';

describe('probe failure thresholds (fake clock, scripted target)', () => {
  let clock: FakeClock;
  let oncall: OnCallConsole;
  const pages: PageEvent[] = [];
  let next: Outcome['state'] = 'up';

  consoleTest.beforeEach(({ oncall: started, clock: fake }) => {
    oncall = started;
    clock = fake;
    pages.length = 0;
    oncall.events.on((n, p) => n === 'page' && pages.push(p as PageEvent));
  });

  function scheduler(profile: ProfileName) {
    const s = oncall.services();
    return new ProbeScheduler([{ id: 'api', name: 'API', kind: 'tcp', host: '127.0.0.1', port: 1, timeout: 100, critical: true, severity: 'SEV1', interval: 20, retries: 0 }], {
      clock,
      profile: PROFILES[profile],
      history: new ProbeHistory(s.db, 10),
      incidents: s.incidents,
      feedStore: s.feedStore,
      logger: silentLogger,
      runner: async () => ({ state: next, latencyMs: next === 'down' ? null : 3, detail: next === 'down' ? 'ECONNREFUSED' : 'ok' }),
    });
  }
  const openIncident = () => oncall.services().incidents.findOpen('local:probe:api');
  async function run(p: ProbeScheduler, state: Outcome['state']) {
    next = state;
    clock.advance(15_000);
    await p.runOnce('api');
  }

  consoleTest('critical care (threshold 2) opens the incident on the second consecutive failure', async () => {
    const p = scheduler('critical_care');
    await run(p, 'down');
    expect(openIncident()).toBeNull();
    await run(p, 'down');
    expect(openIncident()).toMatchObject({ severity: 'SEV1', source: 'local', state: 'triggered' });
    expect(pages).toHaveLength(1);
  });

  consoleTest('routine clinic (threshold 5) opens it on the fifth', async () => {
    const p = scheduler('routine_clinic');
    for (let i = 1; i <= 4; i++) {
      await run(p, 'down');
      expect(openIncident(), `after failure ${i}`).toBeNull();
      await new Promise((r) => setTimeout(r, 25)); // let the breaker half-open (its wait is the 20 ms interval)
    }
    await run(p, 'down');
    expect(openIncident()).not.toBeNull();
  });

  consoleTest('a success resets the count, recovery resolves, and a flapping target pages once per incident', async () => {
    const p = scheduler('critical_care');
    await run(p, 'down');
    await run(p, 'up');
    await run(p, 'down');
    expect(openIncident()).toBeNull(); // never two in a row
    await run(p, 'down');
    const first = openIncident()!;
    await run(p, 'down');
    await new Promise((r) => setTimeout(r, 25));
    await run(p, 'down');
    expect(pages).toHaveLength(1); // still the same incident: no new page
    await new Promise((r) => setTimeout(r, 25));
    await run(p, 'up');
    expect(oncall.services().incidents.get(first.id).state).toBe('resolved');
    expect(openIncident()).toBeNull();
    await run(p, 'down');
    await run(p, 'down');
    expect(openIncident()!.id).not.toBe(first.id);
    expect(pages).toHaveLength(2); // one page per incident
  });

  consoleTest('never runs one probe twice at the same time', async () => {
    const s = oncall.services();
    let release: () => void = () => undefined;
    const slow = new ProbeScheduler([{ id: 'slow', name: 'Slow', kind: 'tcp', host: '127.0.0.1', port: 1, timeout: 100, critical: false, severity: 'SEV3', retries: 0 }], {
      clock, profile: PROFILES.critical_care, history: new ProbeHistory(s.db, 10), incidents: s.incidents, feedStore: s.feedStore, logger: silentLogger,
      runner: () => new Promise((r) => (release = () => r({ state: 'up', latencyMs: 1, detail: 'ok' }))),
    });
    const first = slow.runOnce('slow');
    expect(await slow.runOnce('slow')).toBeNull(); // skipped while the first is in flight
    release();
    expect((await first)?.state).toBe('up');
  });

  consoleTest('reads workstation CPU, memory and disk', async () => {
    const { runProbe } = await import('../../src/main/probes/probe-kinds.js');
    const r = await runProbe({ id: 'ws', name: 'Workstation', kind: 'system', cpuWarn: 80, memoryWarn: 85, diskWarn: 80, diskPath: '/', timeout: 1000, critical: false, severity: 'SEV3' });
    expect(['up', 'warning']).toContain(r.state);
    for (const k of ['cpu_percent', 'memory_percent', 'disk_percent']) {
      expect(r.values?.[k]).toBeGreaterThanOrEqual(0);
      expect(r.values?.[k]).toBeLessThanOrEqual(100);
    }
    const strict = await runProbe({ id: 'ws', name: 'Workstation', kind: 'system', cpuWarn: 100, memoryWarn: 1, diskWarn: 100, diskPath: '/', timeout: 1000, critical: false, severity: 'SEV3' });
    expect(strict.state).toBe('warning');
    expect(strict.detail).toMatch(/above threshold: memory \d/);
  });

  consoleTest('keeps a bounded history per probe', async () => {
    const p = scheduler('critical_care');
    for (let i = 0; i < 25; i++) await run(p, 'up');
    p.stop(); // writes the batched results
    const history = new ProbeHistory(oncall.services().db, 10);
    expect(history.count('api')).toBe(10);
    expect(history.recent('api')).toHaveLength(10);
  });
});
