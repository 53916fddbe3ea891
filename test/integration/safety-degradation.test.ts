import { writeFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { PROFILES } from '../../src/shared/domain/profile.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { ProbeHistory } from '../../src/main/probes/probe-history.js';
import { ProbeScheduler } from '../../src/main/probes/probe-scheduler.js';
import { SafetyAssessor } from '../../src/main/probes/safety-assessment.js';
import { silentLogger } from '../../src/main/platform/logger.js';
import type { FakeClock } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';
import { freePort } from '../support/servers.js';

describe('clinical safety assessment', () => {
  let oncall: OnCallConsole;
  let clock: FakeClock;
  consoleTest.beforeEach(({ oncall: started, clock: fake }) => {
    oncall = started;
    clock = fake;
  });

  consoleTest('computes the seed indicators and opens a SEV1 on a critical violation, resolving it on recovery', async () => {
    let accuracy = 0.87;
    const s = oncall.services();
    const history = new ProbeHistory(s.db, 60);
    const scheduler = new ProbeScheduler(
      [
        { id: 'api', name: 'API', kind: 'http', url: 'http://127.0.0.1:9/health', expectStatus: 200, insecure: false, slowMs: 2000, timeout: 100, critical: true, severity: 'SEV1' },
        { id: 'metrics', name: 'Metrics', kind: 'metrics', url: 'http://127.0.0.1:9/metrics', thresholds: [], timeout: 100, critical: false, severity: 'SEV1' },
      ],
      {
        clock, profile: PROFILES.critical_care, history, incidents: s.incidents, feedStore: s.feedStore, logger: silentLogger,
        runner: async (p) => (p.kind === 'metrics' ? { state: 'up', latencyMs: 4, detail: 'ok', values: { model_accuracy_score: accuracy, active_clinical_sessions: 50, clinical_sessions_at_risk: 2 } } : { state: 'up', latencyMs: 120, detail: 'HTTP 200' }),
      },
    );
    const assessor = new SafetyAssessor({ scheduler, history, incidents: s.incidents, feedStore: s.feedStore, clock });
    for (let i = 0; i < 5; i++) {
      await scheduler.runOnce('api');
      await scheduler.runOnce('metrics');
    }
    const a = assessor.assess();
    const byName = Object.fromEntries(a.indicators.map((i) => [i.name, i]));
    expect(byName.system_availability).toMatchObject({ value: 1, level: 'ok' });
    expect(byName.response_time_health).toMatchObject({ value: 1, level: 'ok' });
    expect(byName.accuracy_trend).toMatchObject({ value: 0.87, level: 'critical', critical: 0.9, warning: 0.92 });
    expect(byName.clinical_session_risk).toMatchObject({ value: 0.04, level: 'ok' });
    expect(a.level).toBe('critical');
    const incident = s.incidents.findOpen('local:safety:accuracy_trend');
    expect(incident).toMatchObject({ severity: 'SEV1', source: 'local', service: 'clinical-safety' });
    expect(incident!.summary).toBe('Clinical safety: accuracy_trend 0.87 below the critical threshold 0.9');
    expect(s.runbooks.runs({ incidentId: incident!.id }).map((r) => r.runbookId).sort()).toEqual(['emergency-sev1', 'patient-safety-escalation']);

    accuracy = 0.95;
    await scheduler.runOnce('metrics');
    expect(assessor.assess().indicators.find((i) => i.name === 'accuracy_trend')!.level).toBe('ok');
    expect(s.incidents.get(incident!.id).state).toBe('resolved');
  });
});

describe('degradation level', () => {
  consoleTest('is degraded when the feed is down and emergency when a critical probe also fails', async ({ dir, boot }) => {
    const deadPort = await freePort();
    writeFileSync(`${dir}/probes.yaml`, `probes:\n  - { id: db, name: Database, kind: tcp, host: 127.0.0.1, port: ${deadPort}, critical: true, interval: 3600000, timeout: 200, retries: 0 }\n`);
    const oncall = await boot({}, ['--relay-url', `ws://127.0.0.1:${deadPort}/v1/stream`, '--relay-token', 'x'.repeat(40), '--probes', `${dir}/probes.yaml`, '--profile', 'critical_care']);
    expect(oncall.status().feed.state).not.toBe('connected');
    expect(oncall.status().degradation).toBe('degraded');
    await oncall.services().probes.runOnce('db');
    expect(oncall.status().probes).toMatchObject({ total: 1, down: 1, criticalDown: 1, profile: 'critical_care' });
    expect(oncall.status().degradation).toBe('emergency');
  });

  consoleTest('is normal in local mode (no relay configured)', ({ oncall }) => {
    expect(oncall.status().degradation).toBe('normal');
    expect(oncall.status().degradationReasons).toEqual([]);
  });

  consoleTest('is not normal while a SEV1 waits for acknowledgement, says why, and is an emergency when the checks fail too', async ({ dir, boot }) => {
    const deadPort = await freePort();
    writeFileSync(`${dir}/probes.yaml`, `probes:\n  - { id: api, name: API, kind: tcp, host: 127.0.0.1, port: ${deadPort}, interval: 3600000, timeout: 200, retries: 0 }\n  - { id: cache, name: Cache, kind: tcp, host: 127.0.0.1, port: ${deadPort}, interval: 3600000, timeout: 200, retries: 0 }\n`);
    const oncall = await boot({}, ['--probes', `${dir}/probes.yaml`]);
    const s = oncall.services();
    const sev1 = { relayId: 'r', seq: 1, key: 'api-down', source: 'native' as const, status: 'firing' as const, severity: 'SEV1' as const, summary: 'Inference API down', service: 'api', labels: {}, annotations: {}, links: [], startsAt: new Date().toISOString(), receivedAt: new Date().toISOString() };
    s.feedStore.storePage('r', [sev1]);
    s.incidents.ingest([sev1]);
    expect(oncall.status().degradation).toBe('degraded');
    expect(oncall.status().degradationReasons).toEqual(['1 SEV1 incident not acknowledged']);
    await s.probes.runOnce('api');
    await s.probes.runOnce('cache');
    expect(oncall.status().degradation).toBe('emergency');
    expect(oncall.status().degradationReasons).toEqual(['2 of 2 health checks failing', '1 SEV1 incident not acknowledged']);
    s.operator.signIn('rn.jones', 'Rita Jones');
    s.incidents.acknowledge(s.incidents.findOpen('api-down')!.id, s.operator.operator);
    expect(oncall.status().degradation).toBe('degraded');
    expect(oncall.status().degradationReasons).toEqual(['2 of 2 health checks failing']);
  });
});
