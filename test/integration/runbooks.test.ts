import { writeFileSync, copyFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import type { Alert } from '../../src/shared/domain/alert.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { resourcePath } from '../../src/main/platform/paths.js';
import { loadContactBook, loadRunbooks } from '../../src/main/runbooks/runbook-schema.js';
import { tempDir } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';
import { dispatch } from '../../src/main/core/dispatch.js';

let seq = 0;
function alert(key: string, severity: Alert['severity'], labels: Record<string, string> = {}): Alert {
  seq++;
  return { relayId: 'r', seq, key, source: 'native', status: 'firing', severity, summary: 'Model service down', service: 'model-service', labels, annotations: {}, links: [], startsAt: '2026-11-22T08:00:00Z', receivedAt: '2026-11-22T08:00:00Z' };
}

describe('shipped runbooks and contacts', () => {
  consoleTest('all validate against the schema', () => {
    const { runbooks, errors } = loadRunbooks([resourcePath('runbooks')]);
    expect(errors).toEqual([]);
    expect(runbooks.map((r) => r.id).sort()).toEqual([
      'daily-health-check', 'emergency-sev1', 'emergency-sev2', 'emergency-sev3', 'hipaa-compliance-incident', 'model-rollback-preparation', 'patient-safety-escalation', 'weekly-maintenance',
    ]);
    expect(runbooks.find((r) => r.id === 'daily-health-check')!.steps.map((s) => s.title.split('.')[0]).filter((x, i, a) => a.indexOf(x) === i)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const { book, error } = loadContactBook(resourcePath('contacts.example.yaml'));
    expect(error).toBeUndefined();
    expect(book!.groups.map((g) => g.name)).toEqual(['Critical Patient Safety', 'Technical Security', 'Compliance Regulatory']);
    expect(book!.levels.map((l) => [l.level, l.afterMinutes])).toEqual([[1, 15], [2, 30], [3, 60], [4, 120]]);
  });

  consoleTest('names the file, step and field of a broken runbook, and still loads the others', () => {
    const { dir, cleanup } = tempDir();
    try {
      copyFileSync(resourcePath('runbooks/emergency-sev3.yaml'), `${dir}/good.yaml`);
      writeFileSync(`${dir}/broken.yaml`, ['id: broken-one', 'title: Broken', 'steps:', '  - { id: first, kind: manual, title: Fine }', '  - id: second', '    kind: probe', '    title: No probe named', ''].join('\n'));
      const { runbooks, errors } = loadRunbooks([dir]);
      expect(runbooks.map((r) => r.id)).toEqual(['emergency-sev3']);
      expect(errors).toEqual([`E_RUNBOOK: ${dir}/broken.yaml: line 5: step "second": probe: a probe step names the probe that verifies it`]);
    } finally {
      cleanup();
    }
  });
});

describe('runbooks at work', () => {
  let oncall: OnCallConsole;
  consoleTest.beforeEach(({ oncall: started }) => {
    oncall = started;
    oncall.services().operator.signIn('rn.jones', 'Rita Jones');
  });
  const ingest = (a: Alert) => {
    oncall.services().feedStore.storePage('r', [a]);
    oncall.services().incidents.ingest([a]);
    return oncall.services().incidents.findOpen(a.key)!;
  };

  consoleTest('attaches runbooks by severity and category', () => {
    const sev1 = ingest(alert('a', 'SEV1'));
    expect(oncall.services().runbooks.runs({ incidentId: sev1.id }).map((r) => r.runbookId)).toEqual(['emergency-sev1']);
    const phi = ingest(alert('b', 'SEV1', { category: 'phi_violation' }));
    expect(oncall.services().runbooks.runs({ incidentId: phi.id }).map((r) => r.runbookId).sort()).toEqual(['emergency-sev1', 'hipaa-compliance-incident']);
    const sev3 = ingest(alert('c', 'SEV3'));
    expect(oncall.services().runbooks.runs({ incidentId: sev3.id }).map((r) => r.runbookId)).toEqual(['emergency-sev3']);
  });

  consoleTest('refuses to tick a probe step while its probe is not passing, ticks it when the probe passes, and allows an override with a reason', () => {
    const inc = ingest(alert('d', 'SEV1'));
    const rb = oncall.services().runbooks;
    const run = rb.runs({ incidentId: inc.id })[0]!;
    const op = oncall.status().operator;
    expect(() => rb.tick(run.id, 'assess-api', op)).toThrow(/E_PROBE_NOT_PASSING: probe "api-health" is not configured/);
    rb.onProbePassed('api-health', 'HTTP 200');
    const after = rb.get(run.id).steps.find((s) => s.id === 'assess-api')!;
    expect(after).toMatchObject({ status: 'done', by: 'system' });
    expect(after.note).toBe('verified by probe api-health: HTTP 200');
    expect(() => rb.override(run.id, 'assess-database', 'no', op)).toThrow(/at least 5 characters/);
    expect(rb.override(run.id, 'assess-database', 'DBA confirmed on the phone', op).steps.find((s) => s.id === 'assess-database')).toMatchObject({ status: 'overridden', by: 'rn.jones', note: 'DBA confirmed on the phone' });
  });

  consoleTest('continues past a probe step that cannot pass in this outage with one answer, audited, and refuses it on other steps', async () => {
    const inc = ingest(alert('e', 'SEV1'));
    const run = oncall.services().runbooks.runs({ incidentId: inc.id })[0]!;
    const call = (name: string, input: unknown) => dispatch(oncall.handlers, name, input, { transport: 'test' });
    const r = await call('runbooks.cannotVerify', { runId: run.id, stepId: 'assess-model' });
    expect(r.ok).toBe(true);
    const step = oncall.services().runbooks.get(run.id).steps.find((s) => s.id === 'assess-model')!;
    expect(step).toMatchObject({ status: 'overridden', by: 'rn.jones' });
    expect(step.note).toMatch(/^could not be verified \(probe .+ not passing\); continued$/);
    expect(oncall.services().audit.list({ action: 'runbook.step_unverified' }, 5).records).toHaveLength(1);
    const manual = run.steps.find((s) => s.kind === 'manual')!;
    const refused = await call('runbooks.cannotVerify', { runId: run.id, stepId: manual.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'E_STEP_NOT_PROBE' } });
  });

  consoleTest('records "contacted X" on the incident, attributed and audited', () => {
    const inc = ingest(alert('f', 'SEV1'));
    oncall.services().incidents.contacted(inc.id, 'On-Call Clinical Lead', oncall.status().operator);
    const detail = oncall.services().incidents.detail(inc.id);
    expect(detail.timeline.at(-1)).toMatchObject({ kind: 'contacted', actor: 'rn.jones', text: 'contacted On-Call Clinical Lead' });
    const rec = oncall.services().audit.list({ action: 'incident.contacted' }, 5).records[0]!;
    expect(rec).toMatchObject({ operator: 'rn.jones', subjectId: inc.id });
    expect(JSON.parse(rec.details)).toEqual({ contact: 'On-Call Clinical Lead' });
  });

  consoleTest('branches on decisions and completes when every applicable step is done', () => {
    const inc = ingest(alert('e', 'SEV3'));
    const rb = oncall.services().runbooks;
    const op = oncall.status().operator;
    const run = rb.runs({ incidentId: inc.id })[0]!;
    for (const s of ['assess-api', 'assess-database', 'assess-model', 'assess-cache']) rb.override(run.id, s, 'checked by hand', op);
    expect(() => rb.tick(run.id, 'escalate-if-impact', op)).toThrow(/answer "patient-impact" first/);
    expect(() => rb.answer(run.id, 'patient-impact', 'maybe', op)).toThrow(/answer one of yes \/ no/);
    rb.answer(run.id, 'patient-impact', 'no', op);
    expect(rb.get(run.id).steps.find((s) => s.id === 'escalate-if-impact')!.status).toBe('not_applicable');
    rb.tick(run.id, 'ticket', op);
    const done = rb.tick(run.id, 'tracking', op);
    expect(done.state).toBe('completed');
    const actions = oncall.services().audit.list({ operator: 'rn.jones' }, 50).records.map((r) => r.action);
    expect(actions).toContain('runbook.completed');
    expect(actions.filter((a) => a === 'runbook.step_overridden')).toHaveLength(4);
  });
});

describe('runbooks offline', () => {
  // a relay nobody answers at (the discard port): the console starts offline
  consoleTest.override({ consoleArgv: ['--relay-url', 'ws://127.0.0.1:9/v1/stream', '--relay-token', 'x'.repeat(40)] });

  consoleTest('starts, progresses, survives a restart and completes with the relay and network down', async ({ oncall: first, boot }) => {
    let oncall = first;
    expect(oncall.status().feed.state).not.toBe('connected');
    oncall.services().operator.signIn('eng.lee', 'Sam Lee');
    let rb = oncall.services().runbooks;
    const run = rb.start('weekly-maintenance', null, oncall.status().operator);
    const op = () => oncall.status().operator;
    rb.override(run.id, 'db-health-before', 'database checked from the console host', op());
    rb.tick(run.id, 'db-maintenance', op(), 'VACUUM took 4 min');
    await oncall.stop();

    oncall = await boot();
    oncall.services().operator.signIn('eng.lee', 'Sam Lee');
    rb = oncall.services().runbooks;
    const resumed = rb.get(run.id);
    expect(resumed.steps.filter((s) => s.status !== 'pending').map((s) => s.id)).toEqual(['db-health-before', 'db-maintenance']);
    expect(resumed.steps.find((s) => s.id === 'db-maintenance')!.note).toBe('VACUUM took 4 min');
    for (const s of resumed.steps.filter((x) => x.status === 'pending')) {
      if (s.kind === 'probe') rb.override(run.id, s.id, 'verified by hand while offline', op());
      else rb.tick(run.id, s.id, op());
    }
    expect(rb.get(run.id).state).toBe('completed');
    expect(oncall.status().feed.state).not.toBe('connected');
  });
});
