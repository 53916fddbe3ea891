// Handlers: the KPI dashboard.
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { KpiService } from './kpi-service.js';

export function kpiHandlers(kpis: () => KpiService): HandlerSlice {
  return {
    'kpi.dashboard': unlocked(({ from, to }) => kpis().dashboard(from, to)),
  };
}
