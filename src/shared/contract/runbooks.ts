// Contract slice: runbooks and their runs.
import { z } from 'zod';
import type { Runbook, RunbookRun } from '../domain/runbook.js';
import { Empty, event, IncidentId, request } from './define.js';

const Step = { runId: z.uuid(), stepId: z.string().max(64) };

export const runbookRequests = {
  'runbooks.catalogue': request<{ runbooks: Runbook[]; errors: string[] }>()(Empty),
  // newest first; `total` says how many there are beyond the ones sent ("… and 312 more")
  'runbooks.runs': request<{ runs: RunbookRun[]; total: number }>()(z.object({ incidentId: IncidentId.optional(), state: z.enum(['active', 'completed', 'all']).default('all'), limit: z.number().int().min(1).max(5000).default(200) }).strict()),
  'runbooks.start': request<RunbookRun>()(z.object({ runbookId: z.string().max(64), incidentId: IncidentId.optional() }).strict()),
  'runbooks.tick': request<RunbookRun>()(z.object({ ...Step, note: z.string().max(2000).optional() }).strict()),
  'runbooks.override': request<RunbookRun>()(z.object({ ...Step, reason: z.string().trim().min(5, 'give a reason of at least 5 characters').max(2000) }).strict()),
  /** a probe-verified step that cannot pass in this outage: continue, audited */
  'runbooks.cannotVerify': request<RunbookRun>()(z.object(Step).strict()),
  'runbooks.answer': request<RunbookRun>()(z.object({ ...Step, answer: z.string().max(40) }).strict()),
};

export const runbookEvents = {
  'runbooks.changed': event<{ runIds: string[] }>(),
};
