// Contract slice: the KPI dashboard.
import { z } from 'zod';
import { KPI_MAX_RANGE_DAYS, type KpiDashboard } from '../domain/kpi.js';
import { IsoTime, request } from './define.js';

export const kpiRequests = {
  'kpi.dashboard': request<KpiDashboard>()(
    z
      .object({ from: IsoTime, to: IsoTime })
      .strict()
      .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'must be after from', path: ['to'] })
      .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= KPI_MAX_RANGE_DAYS * 86_400_000, { message: `the range must be at most ${KPI_MAX_RANGE_DAYS} days`, path: ['to'] }),
  ),
};
