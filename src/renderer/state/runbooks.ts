// Slice: the runbook catalogue, runs, and the runs of the selected incident.
import type { Runbook, RunbookRun } from '../../shared/domain/runbook.js';
import { attempt, message, type SliceCreator } from './slice.js';

export interface RunbooksSlice {
  runbooks: { catalogue: Runbook[]; errors: string[]; runs: RunbookRun[]; runsTotal: number; selectedRunId: string | null; incidentRuns: RunbookRun[] };
  loadRunbooks(): Promise<void>;
  selectRun(id: string): void;
  startRunbook(runbookId: string, incidentId?: string): Promise<void>;
  runbookAction(kind: 'tick' | 'override' | 'answer' | 'cannotVerify', runId: string, stepId: string, extra?: { note?: string; reason?: string; answer?: string }): Promise<boolean>;
  refreshRunbooks(): Promise<void>;
  resetRunbooks(): void;
}

const EMPTY: RunbooksSlice['runbooks'] = { catalogue: [], errors: [], runs: [], runsTotal: 0, selectedRunId: null, incidentRuns: [] };

export const createRunbooksSlice: SliceCreator<RunbooksSlice, { lastError: string | null; canRead(): boolean; incidents: { selectedId: string | null } }> = (set, get, client) => ({
  runbooks: EMPTY,
  async loadRunbooks() {
    try {
      const [{ runbooks: catalogue, errors }, { runs, total: runsTotal }] = await Promise.all([client.request('runbooks.catalogue', {}), client.request('runbooks.runs', { state: 'all' })]);
      // open on the selected incident's active run (the one the person is working), else the one already open
      const incidentId = get().incidents.selectedId;
      const ofIncident = incidentId ? runs.find((r) => r.incidentId === incidentId && r.state === 'active') : undefined;
      set((s) => ({ runbooks: { ...s.runbooks, catalogue, errors, runs, runsTotal, selectedRunId: ofIncident?.id ?? s.runbooks.selectedRunId ?? runs.find((r) => r.state === 'active')?.id ?? runs[0]?.id ?? null } }));
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  selectRun: (id) => set((s) => ({ runbooks: { ...s.runbooks, selectedRunId: id } })),
  async startRunbook(runbookId, incidentId) {
    try {
      const run = await client.request('runbooks.start', { runbookId, ...(incidentId ? { incidentId } : {}) });
      set((s) => ({ runbooks: { ...s.runbooks, selectedRunId: run.id } }));
      await get().refreshRunbooks();
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  runbookAction: (kind, runId, stepId, extra = {}) =>
    attempt(set, async () => {
      if (kind === 'tick') await client.request('runbooks.tick', { runId, stepId, ...(extra.note ? { note: extra.note } : {}) });
      else if (kind === 'override') await client.request('runbooks.override', { runId, stepId, reason: extra.reason ?? '' });
      else if (kind === 'cannotVerify') await client.request('runbooks.cannotVerify', { runId, stepId });
      else await client.request('runbooks.answer', { runId, stepId, answer: extra.answer ?? '' });
      await get().refreshRunbooks();
    }),
  async refreshRunbooks() {
    if (!get().canRead()) return;
    const incidentId = get().incidents.selectedId;
    try {
      const [{ runs, total: runsTotal }, incidentRuns] = await Promise.all([
        client.request('runbooks.runs', { state: 'all' }),
        incidentId ? client.request('runbooks.runs', { incidentId, state: 'all' }).then((r) => r.runs) : Promise.resolve([]),
      ]);
      set((s) => ({ runbooks: { ...s.runbooks, runs, runsTotal, incidentRuns } }));
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  resetRunbooks: () => set((s) => ({ runbooks: { ...EMPTY, catalogue: s.runbooks.catalogue, errors: s.runbooks.errors } })),
});
