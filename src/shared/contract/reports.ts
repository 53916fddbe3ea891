// Contract slice: the shift hand-off report.
import { z } from 'zod';
import type { HandoffReport } from '../domain/report.js';
import { OperatorIdSchema } from '../domain/operator.js';
import { IsoTime, request } from './define.js';

export const reportRequests = {
  /** the shift hand-off report; since defaults to 12 hours ago; the outgoing clinician's own summary and to-dos */
  'report.handoff': request<{ report: HandoffReport; filename: string; mimeType: string; html: string }>()(
    z
      .object({
        since: IsoTime.optional(),
        summary: z.string().max(4000, 'at most 4,000 characters').default(''),
        todos: z.array(z.string().trim().min(1).max(300, 'each at most 300 characters')).max(50, 'at most 50 to-dos').default([]),
      })
      .strict(),
  ),
  /** the receiving operator signs the hand-off with their own PIN (audited); the session stays the outgoing operator's */
  'report.handoffAccept': request<{ id: string; acceptedBy: string; at: string }>()(
    z.object({ id: z.uuid(), userId: OperatorIdSchema, pin: z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits').optional() }).strict(),
  ),
};
