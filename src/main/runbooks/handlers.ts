// Handlers: the runbook catalogue and runs, each step attributed to the operator.
import type { OperatorSession } from '../operator/session.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { RunbookService } from './runbook-service.js';

export function runbookHandlers(s: () => { runbooks: RunbookService; runbookErrors: string[]; operator: OperatorSession }): HandlerSlice {
  const who = () => s().operator.operator;
  return {
    'runbooks.catalogue': unlocked(() => ({ runbooks: s().runbooks.catalogue(), errors: s().runbookErrors })),
    'runbooks.runs': unlocked(({ incidentId, state, limit }) => s().runbooks.runsPage({ incidentId, state, limit })),
    'runbooks.start': unlocked(({ runbookId, incidentId }) => s().runbooks.start(runbookId, incidentId ?? null, who())),
    'runbooks.tick': unlocked(({ runId, stepId, note }) => s().runbooks.tick(runId, stepId, who(), note)),
    'runbooks.override': unlocked(({ runId, stepId, reason }) => s().runbooks.override(runId, stepId, reason, who())),
    'runbooks.cannotVerify': unlocked(({ runId, stepId }) => s().runbooks.cannotVerify(runId, stepId, who())),
    'runbooks.answer': unlocked(({ runId, stepId, answer }) => s().runbooks.answer(runId, stepId, answer, who())),
  };
}
