// Handlers: the audit trail — list, verify (audited), export (attributed and audited).
import type { Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { OperatorSession } from '../operator/session.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { AuditLog } from './audit-log.js';

export function auditHandlers(s: () => { audit: AuditLog; operator: OperatorSession }, clock: Clock): HandlerSlice {
  return {
    'audit.list': unlocked(({ limit, ...filter }) => s().audit.list(filter, limit)),
    'audit.verify': unlocked(async ({ mode }) => {
      const { audit, operator } = s();
      const report = await audit.verifyAsync(mode);
      audit.append({
        operator: operator.actor(),
        action: 'audit.verified',
        subjectType: 'audit',
        subjectId: 'audit_log',
        details: { mode, ok: report.ok, checked: report.checked, ...(report.fault ? { fault: report.fault.kind, seq: report.fault.seq } : {}) },
      });
      return report;
    }),
    'audit.export': unlocked(({ format, since, until }) => {
      const { audit, operator } = s();
      if (!operator.operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in before exporting the audit trail: exports are attributed');
      const { content, records } = audit.export(format, { since, until });
      audit.append({
        operator: operator.actor(),
        action: 'audit.exported',
        subjectType: 'audit',
        subjectId: 'audit_log',
        details: { format, records, since: since ?? null, until: until ?? null },
      });
      const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
      return { filename: `audit-${stamp}.${format}`, mimeType: format === 'csv' ? 'text/csv' : 'application/x-ndjson', content, records };
    }),
  };
}
