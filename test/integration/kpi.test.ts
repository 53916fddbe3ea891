import { describe, expect } from 'vitest';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { dispatch } from '../../src/main/core/dispatch.js';
import { ProbeHistory } from '../../src/main/probes/probe-history.js';
import type { KpiDashboard } from '../../src/shared/domain/kpi.js';
import { FakeClock } from '../helpers.js';
import { consoleTest as baseConsoleTest } from '../support/fixtures.js';
import { playScenario, SCENARIO_START, type ScenarioIncident } from '../support/kpi-scenario.js';

const MIN = 60_000;

/** A week of incidents with hand-picked timings (minutes from opening). */
const SCENARIO: ScenarioIncident[] = [
  { key: 'api-down', severity: 'SEV1', category: 'service_unavailable', openAtMin: 0, ackAfterMin: 4, resolveAfterMin: 50 },
  { key: 'accuracy', severity: 'SEV1', category: 'model_degradation', openAtMin: 60, ackAfterMin: 20, resolveAfterMin: 140 }, // ack late (target 15)
  { key: 'latency-1', severity: 'SEV2', category: 'performance_degradation', openAtMin: 1440, ackAfterMin: 10, resolveAfterMin: 30 },
  { key: 'latency-2', severity: 'SEV2', category: 'performance_degradation', openAtMin: 1500, ackAfterMin: 31 }, // late, still open
  { key: 'latency-3', severity: 'SEV2', category: 'performance_degradation', openAtMin: 1600, sourceResolveAfterMin: 12 }, // nobody acked: source resolved early
  { key: 'disk', severity: 'SEV3', category: 'resource_exhaustion', openAtMin: 2900, ackAfterMin: 90, resolveAfterMin: 600 },
  { key: 'cert', severity: 'SEV3', openAtMin: 4400 }, // never acked, no category, past its 120 min target by the end
];
const END_MIN = 7 * 1440;

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

const consoleTest = baseConsoleTest.override({
  // eslint-disable-next-line no-empty-pattern
  clock: async ({}, use) => use(new FakeClock(SCENARIO_START)),
});

describe('KPI dashboard over the local database', () => {
  let clock: FakeClock;
  let oncall: OnCallConsole;

  consoleTest.beforeEach(({ oncall: started, clock: fake }) => {
    oncall = started;
    clock = fake;
    oncall.services().operator.signIn('rn.jones', 'Rita Jones');
  });

  consoleTest('computes MTTA, MTTR and acks within target by severity as defined, and counts per day by severity and category', () => {
    playScenario(oncall, clock, SCENARIO, END_MIN);
    const from = new Date(SCENARIO_START).toISOString();
    const to = new Date(SCENARIO_START + END_MIN * MIN).toISOString();
    const d: KpiDashboard = oncall.services().kpis.dashboard(from, to);

    // figures worked out by hand from the table above, not from the code
    expect(d.response.SEV1).toMatchObject({ opened: 2, acknowledged: 2, resolved: 2, mttaMs: mean([4, 20])! * MIN, mttrMs: mean([50, 140])! * MIN, targetEligible: 2, ackedWithinTarget: 1, withinTargetShare: 0.5, targetMinutes: 15 });
    expect(d.response.SEV2).toMatchObject({ opened: 3, acknowledged: 2, resolved: 2, mttaMs: mean([10, 31])! * MIN, mttrMs: mean([30, 12])! * MIN, targetEligible: 2, ackedWithinTarget: 1, withinTargetShare: 0.5 });
    expect(d.response.SEV3).toMatchObject({ opened: 2, acknowledged: 1, resolved: 1, mttaMs: 90 * MIN, mttrMs: 600 * MIN, targetEligible: 2, ackedWithinTarget: 1, withinTargetShare: 0.5 });
    expect(d.overall).toMatchObject({ opened: 7, acknowledged: 5, resolved: 5, mttaMs: mean([4, 20, 10, 31, 90])! * MIN, targetEligible: 6, ackedWithinTarget: 3 });

    expect(d.bucket).toBe('day');
    expect(d.series.bucketStarts).toHaveLength(7);
    expect(d.series.bySeverity.SEV1).toEqual([2, 0, 0, 0, 0, 0, 0]);
    expect(d.series.bySeverity.SEV2).toEqual([0, 3, 0, 0, 0, 0, 0]);
    expect(d.series.bySeverity.SEV3).toEqual([0, 0, 1, 1, 0, 0, 0]);
    expect(d.series.byCategory[0]).toEqual({ category: 'performance_degradation', counts: [0, 3, 0, 0, 0, 0, 0] });
    expect(d.series.byCategory.find((c) => c.category === 'uncategorised')?.counts).toEqual([0, 0, 0, 1, 0, 0, 0]);

    // a narrower range takes only the incidents opened inside it, by the hour
    const day2 = oncall.services().kpis.dashboard(new Date(SCENARIO_START + 1440 * MIN).toISOString(), new Date(SCENARIO_START + 2880 * MIN).toISOString());
    expect(day2.bucket).toBe('hour');
    expect(day2.series.bucketStarts).toHaveLength(24);
    expect(day2.overall.opened).toBe(3);
    expect(day2.response.SEV1.opened).toBe(0);
    expect(day2.response.SEV1.mttaMs).toBeNull();
  });

  consoleTest('reports probe availability and nearest-rank latency percentiles from the history kept', () => {
    const history = new ProbeHistory(oncall.services().db, 500);
    const at = (i: number) => new Date(SCENARIO_START + i * 1000).toISOString();
    // latencies 1..100 ms answered, 10 failed runs, 5 warnings (answered, 200 ms)
    for (let i = 1; i <= 100; i++) history.record({ probeId: 'api', at: at(i), state: 'up', latencyMs: i, detail: 'ok' });
    for (let i = 0; i < 10; i++) history.record({ probeId: 'api', at: at(200 + i), state: 'down', latencyMs: null, detail: 'refused' });
    for (let i = 0; i < 5; i++) history.record({ probeId: 'api', at: at(300 + i), state: 'warning', latencyMs: 200, detail: 'slow' });
    history.flush();
    const d = oncall.services().kpis.dashboard(new Date(SCENARIO_START).toISOString(), new Date(SCENARIO_START + 3_600_000).toISOString());
    const api = d.probes.find((p) => p.id === 'api');
    expect(api).toMatchObject({ samples: 115, up: 100, warning: 5, down: 10, availability: 105 / 115 });
    // 105 answered: 1..100 and five of 200. Nearest rank: p50 = 53rd = 53, p95 = 100th = 100, p99 = 104th = 200
    expect(api?.latency).toEqual({ p50: 53, p95: 100, p99: 200, max: 200 });
  });

  consoleTest('refuses a backwards or oversized range, naming the field, and changes nothing', async () => {
    const before = oncall.services().audit.stats();
    const backwards = await dispatch(oncall.handlers, 'kpi.dashboard', { from: '2026-11-22T10:00:00Z', to: '2026-11-22T09:00:00Z' }, { transport: 'test' });
    expect(backwards).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    expect(!backwards.ok && backwards.error.message).toContain('to: must be after from');
    const huge = await dispatch(oncall.handlers, 'kpi.dashboard', { from: '2020-01-01T00:00:00Z', to: '2026-11-22T09:00:00Z' }, { transport: 'test' });
    expect(!huge.ok && huge.error.message).toContain('at most 400 days');
    const notDate = await dispatch(oncall.handlers, 'kpi.dashboard', { from: 'yesterday', to: '2026-11-22T09:00:00Z' }, { transport: 'test' });
    expect(!notDate.ok && notDate.error.message).toContain('from: must be an ISO-8601 date-time');
    expect(oncall.services().audit.stats()).toEqual(before);
  });
});
