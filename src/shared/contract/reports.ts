// Contract slice: the shift hand-off report.
import { z } from 'zod';
import type { HandoffReport } from '../domain/report.js';
import { IsoTime, request } from './define.js';

export const reportRequests = {
  /** the shift hand-off report; since defaults to 12 hours ago */
  'report.handoff': request<{ report: HandoffReport; filename: string; mimeType: string; html: string }>()(z.object({ since: IsoTime.optional() }).strict()),
};
