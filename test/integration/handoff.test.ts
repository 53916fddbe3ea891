import { describe, expect } from 'vitest';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { RequestResults } from '../../src/shared/contract.js';
import { FakeClock } from '../helpers.js';
import { consoleTest as baseConsoleTest } from '../support/fixtures.js';
import { playScenario, SCENARIO_START } from '../support/kpi-scenario.js';

const MIN = 60_000;

const consoleTest = baseConsoleTest.override({
  // eslint-disable-next-line no-empty-pattern
  clock: async ({}, use) => use(new FakeClock(SCENARIO_START)),
});

describe('shift hand-off report', () => {
  let clock: FakeClock;
  let oncall: OnCallConsole;
  const ctx = { transport: 'test' } as const;

  consoleTest.beforeEach(({ oncall: started, clock: fake }) => {
    oncall = started;
    clock = fake;
  });

  consoleTest('lists open incidents, what was done, runbooks in progress and pending sync; PHI masked, text escaped, audited', async () => {
    const s = oncall.services();
    s.operator.signIn('rn.jones', 'Rita Jones');
    playScenario(
      oncall,
      clock,
      [
        { key: 'old', severity: 'SEV3', openAtMin: 0, ackAfterMin: 5, resolveAfterMin: 10 }, // before the shift: not open, not listed as done
        { key: 'api', severity: 'SEV1', openAtMin: 700, ackAfterMin: 3, summary: 'API <script>alert(1)</script> down' },
        { key: 'lat', severity: 'SEV2', openAtMin: 720 },
      ],
      760,
    );
    const api = s.incidents.findOpen('api')!;
    s.incidents.note(api.id, 'Called patient John Smith at 555-123-4567 about the delay', s.operator.operator);
    const daily = s.runbooks.catalogue().find((r) => r.id === 'daily-health-check')!;
    const run = s.runbooks.start(daily.id, null, s.operator.operator);
    const manual = daily.steps.find((x) => x.kind === 'manual')!;
    const ticked = s.runbooks.tick(run.id, manual.id, s.operator.operator);
    const next = ticked.steps.find((x) => x.id === ticked.nextStepId)!;

    const since = new Date(SCENARIO_START + 600 * MIN).toISOString();
    const reply = await dispatch(oncall.handlers, 'report.handoff', { since }, ctx);
    expect(reply.ok).toBe(true);
    const { report, html, filename, mimeType } = (reply as { ok: true; result: RequestResults['report.handoff'] }).result;

    expect(filename).toMatch(/^handoff-.*\.html$/);
    expect(mimeType).toBe('text/html');
    expect(report.since).toBe(since);
    expect(report.preparedBy).toBe('Rita Jones (rn.jones)');
    expect(report.openIncidents.map((i) => [i.id, i.severity, i.state])).toEqual([
      [s.incidents.findOpen('lat')!.id, 'SEV2', 'triggered'],
      [api.id, 'SEV1', 'acknowledged'],
    ]);
    // the emergency runbooks attached to each incident, and the daily check started by hand
    // (the SEV3 runbook attached to "old" is left out: that incident closed with none of it done)
    expect(report.runbooksInProgress.map((r) => r.incidentId).sort()).toEqual([api.id, s.incidents.findOpen('lat')!.id, null].sort());
    expect(report.runbooksInProgress.find((r) => r.runId === run.id)).toMatchObject({ title: daily.title, incidentId: null, done: 1, total: ticked.steps.filter((x) => x.status !== 'not_applicable').length, nextStep: next.title });
    expect(next.id).not.toBe(manual.id);
    // the ack and the note on "api" never reached a relay; "old" was before the shift but is still unsynced
    expect(report.pendingSync.map((p) => `${p.action} ${p.incidentId}`)).toEqual(expect.arrayContaining([`acknowledge ${api.id}`, `note ${api.id}`]));
    const actions = report.actions.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['incident.acknowledged', 'incident.noted', 'runbook.started']));
    expect(report.actions.every((a) => a.at >= since)).toBe(true);
    expect(report.actions.some((a) => a.subject.includes(s.db.prepare("SELECT id FROM incident WHERE key = 'old'").pluck().get() as string))).toBe(false);

    // PHI: neither the name nor the phone number anywhere in the report or the page
    const everything = JSON.stringify(report) + html;
    expect(everything).not.toContain('John Smith');
    expect(everything).not.toContain('555-123-4567');
    // alert text is text: escaped in the page, never markup
    expect(html).not.toContain('<script>');
    expect(html).toContain('API &lt;script&gt;alert(1)&lt;/script&gt; down');
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'\"");

    const last = s.audit.list({ action: 'report.handoff' }, 1).records[0];
    expect(last).toMatchObject({ operator: 'rn.jones', subjectId: 'handoff' });
    expect(JSON.parse(last!.details)).toMatchObject({ openIncidents: 2, runbooks: report.runbooksInProgress.length });
  });

  consoleTest('is refused before sign-in and for a start in the future, changing nothing', async () => {
    const before = oncall.services().audit.stats();
    const anon = await dispatch(oncall.handlers, 'report.handoff', {}, ctx);
    expect(anon).toMatchObject({ ok: false, error: { code: 'E_NOT_SIGNED_IN' } });
    oncall.services().operator.signIn('rn.jones', 'Rita Jones');
    const signedIn = oncall.services().audit.stats();
    const future = await dispatch(oncall.handlers, 'report.handoff', { since: new Date(clock.now() + 3_600_000).toISOString() }, ctx);
    expect(!future.ok && future.error.message).toContain('since: must not be in the future');
    const bad = await dispatch(oncall.handlers, 'report.handoff', { since: 'last night' }, ctx);
    expect(!bad.ok && bad.error.message).toContain('since: must be an ISO-8601 date-time');
    expect(oncall.services().audit.stats()).toEqual(signedIn);
    expect(signedIn.records).toBeGreaterThan(before.records); // sign-in itself is audited
  });
});
