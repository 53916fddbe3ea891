// The merge point of the handler table: each domain registers its slice (with
// each request's access policy); a request registered twice or not at all is
// refused at start. Adding a request touches its domain's files and, for a new
// domain only, one line here.
import type { Clock } from '../../shared/clock.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { auditHandlers } from '../audit/handlers.js';
import { scheduleHandlers } from '../schedules/handlers.js';
import { contactHandlers } from '../contacts/handlers.js';
import { incidentHandlers } from '../incidents/handlers.js';
import { kpiHandlers } from '../kpi/handlers.js';
import { operatorHandlers } from '../operator/handlers.js';
import { mergeHandlers, type HandlerTable } from '../platform/handlers.js';
import { probeHandlers } from '../probes/handlers.js';
import { reportHandlers } from '../reports/handlers.js';
import { runbookHandlers } from '../runbooks/handlers.js';
import { statusHandlers } from '../status/handlers.js';
import type { RunningServices } from './services.js';

interface HandlerDeps {
  services: () => RunningServices;
  status: () => ConsoleStatus;
  clock: Clock;
}

/** The contract's handler table; both transports bind exactly this. */
export function createHandlers({ services, status, clock }: HandlerDeps): HandlerTable {
  return mergeHandlers(
    [
      statusHandlers(status),
      operatorHandlers(() => services().operator),
      incidentHandlers(services),
      probeHandlers(services),
      runbookHandlers(services),
      contactHandlers(() => services().contacts),
      scheduleHandlers(services, clock),
      auditHandlers(services, clock),
      kpiHandlers(() => services().kpis),
      reportHandlers(services, status, clock),
    ],
    { requireUnlocked: () => services().operator.requireUnlocked() },
  );
}
