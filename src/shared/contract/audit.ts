// Contract slice: the audit trail — list, verify, export.
import { z } from 'zod';
import { AuditExportFormatSchema, type AuditRecord, type AuditVerifyReport } from '../domain/audit.js';
import { event, IsoTime, request } from './define.js';

export interface AuditListResult {
  records: AuditRecord[];
  /** number of records matching the filter */
  total: number;
}

export interface AuditExportResult {
  filename: string;
  mimeType: string;
  content: string;
  records: number;
}

export const auditRequests = {
  'audit.list': request<AuditListResult>()(
    z
      .object({
        limit: z.number().int().min(1).max(1000).default(200),
        /** page backwards: only records with seq < beforeSeq */
        beforeSeq: z.number().int().positive().optional(),
        operator: z.string().max(64).optional(),
        action: z.string().max(64).optional(),
        since: IsoTime.optional(),
        until: IsoTime.optional(),
      })
      .strict(),
  ),
  'audit.verify': request<AuditVerifyReport>()(z.object({ mode: z.enum(['full', 'incremental']).default('full') }).strict()),
  'audit.export': request<AuditExportResult>()(z.object({ format: AuditExportFormatSchema, since: IsoTime.optional(), until: IsoTime.optional() }).strict()),
};

export const auditEvents = {
  'audit.appended': event<{ lastSeq: number }>(),
};
