// The clinical hand-off: the outgoing clinician's own summary and to-dos
// (PHI-masked like every free text), and a receiving operator who signs it
// with their own PIN — audited, refused for a wrong PIN, for oneself and for a
// hand-off nobody prepared. And the incident timeline tells the runbook's part.
import { describe, expect } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import type { RequestResults } from '../../src/shared/contract.js';
import { consoleTest } from '../support/fixtures.js';

const ctx = { transport: 'test' } as const;
async function call<N extends keyof RequestResults>(c: OnCallConsole, name: N, input: unknown): Promise<RequestResults[N]> {
  const r = await dispatch(c.handlers, name, input, ctx);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as RequestResults[N];
}

describe('clinical hand-off', () => {
  consoleTest('carries the summary and to-dos (masked), and is signed by the receiving operator with their PIN', async ({ oncall }) => {
    const s = oncall.services();
    s.operator.signIn('rn.admin', 'Night Admin');
    s.operator.add('rn.day', 'Dee Day', 'clinician', '5813');
    s.operator.add('rn.night', 'Nia Night', 'clinician', '2468');
    s.operator.signIn('rn.night', 'Nia Night', '2468');
    const { report, html } = await call(oncall, 'report.handoff', {
      summary: 'Sepsis model paused at 02:10; patient John Smith (MRN 12345678) flagged by hand.',
      todos: ['Call the model vendor at 08:00', 'Check ward 4 feed after the restart'],
    });
    expect(report.summary).toContain('Sepsis model paused at 02:10');
    expect(report.summary).not.toMatch(/John Smith|12345678/);
    expect(report.todos).toEqual(['Call the model vendor at 08:00', 'Check ward 4 feed after the restart']);
    expect(html).toContain('From the outgoing shift');
    expect(html).not.toContain('12345678');

    await expect(call(oncall, 'report.handoffAccept', { id: report.id, userId: 'rn.day', pin: '0000' })).rejects.toMatchObject({ code: 'E_PIN' });
    await expect(call(oncall, 'report.handoffAccept', { id: report.id, userId: 'rn.night', pin: '2468' })).rejects.toMatchObject({ code: 'E_HANDOFF_SELF' });
    await expect(call(oncall, 'report.handoffAccept', { id: '00000000-0000-4000-8000-000000000000', userId: 'rn.day', pin: '5813' })).rejects.toMatchObject({ code: 'E_HANDOFF_UNKNOWN' });
    await expect(call(oncall, 'report.handoffAccept', { id: report.id, userId: 'rn.nobody', pin: '5813' })).rejects.toMatchObject({ code: 'E_OPERATOR_UNKNOWN' });
    const ok = await call(oncall, 'report.handoffAccept', { id: report.id, userId: 'rn.day', pin: '5813' });
    expect(ok.acceptedBy).toBe('Dee Day (rn.day)');
    const rec = s.audit.list({ action: 'report.handoff_accepted' }, 5).records;
    expect(rec).toHaveLength(1);
    expect(rec[0]!.operator).toBe('rn.day');
    expect(JSON.parse(rec[0]!.details) as unknown).toMatchObject({ id: report.id, from: 'rn.night', to: 'rn.day' });
    expect(s.operator.operator?.userId).toBe('rn.night'); // the outgoing operator is still the one signed in
    expect(s.audit.list({ action: 'operator.pin_refused' }, 5).records).toHaveLength(1);
  });

  consoleTest("shows the runbook's answers, overrides and steps done in the incident timeline", async ({ oncall, operator, alert }) => {
    const s = oncall.services();
    const a = alert('api-down', { severity: 'SEV1', summary: 'Inference API down' });
    s.feedStore.storePage('relay-1', [a]);
    s.incidents.ingest([a]);
    const id = s.incidents.findOpen(a.key)!.id;
    const run = s.runbooks.runs({ incidentId: id, state: 'all' })[0]!;
    const manual = run.steps.find((x) => x.kind === 'manual')!;
    const probe = run.steps.find((x) => x.kind === 'probe')!;
    s.runbooks.tick(run.id, manual.id, operator, 'bridge opened');
    s.runbooks.override(run.id, probe.id, 'API checked by hand from the ward', operator);
    const timeline = s.incidents.detail(id).timeline;
    expect(timeline.find((t) => t.kind === 'runbook.done')).toMatchObject({ actor: 'rn.jones', text: `${run.title}: ${manual.id} done — bridge opened` });
    expect(timeline.find((t) => t.kind === 'runbook.overridden')?.text).toBe(`${run.title}: ${probe.id} overridden — API checked by hand from the ward`);
  });
});
