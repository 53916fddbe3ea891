// Handlers: the shift hand-off report (attributed and audited).
import type { Clock } from '../../shared/clock.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { ConsoleError } from '../../shared/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { OperatorSession } from '../operator/session.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { RunbookService } from '../runbooks/runbook-service.js';
import type { Db } from '../store/database.js';
import { buildHandoff, handoffHtml } from './handoff.js';
import type { ScheduleService } from '../schedules/schedule-service.js';

/** The hand-off report covers this much by default: one long shift. */
const DEFAULT_SHIFT_MS = 12 * 3_600_000;

export function reportHandlers(
  s: () => { db: Db; incidents: IncidentEngine; runbooks: RunbookService; audit: AuditLog; operator: OperatorSession; schedules: ScheduleService },
  status: () => ConsoleStatus,
  clock: Clock,
): HandlerSlice {
  return {
    'report.handoff': unlocked(({ since, summary, todos }) => {
      const { db, incidents, runbooks, audit, operator, schedules } = s();
      const who = operator.operator;
      if (!who) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in before preparing a hand-off: the report is attributed');
      const now = clock.now();
      const sinceMs = since ? Date.parse(since) : now - DEFAULT_SHIFT_MS;
      if (sinceMs > now) throw new ConsoleError('E_INPUT', 'input', 'since: must not be in the future');
      const onCall = (from: number, to: number) => schedules.roles().map((role) => ({ role, segments: schedules.timeline(role, from, to).map(({ start, end, person }) => ({ start, end, person })) }));
      const report = buildHandoff({ db, incidents, runbooks, status, phiLevel: audit.phiLevel, onCall }, sinceMs, now, `${who.displayName} (${who.userId})`, { summary, todos });
      audit.append({
        operator: who.userId,
        action: 'report.handoff',
        subjectType: 'console',
        subjectId: 'handoff',
        details: { id: report.id, since: report.since, openIncidents: report.openIncidents.length, runbooks: report.runbooksInProgress.length, pendingSync: report.pendingSync.length, todos: report.todos.length },
      });
      const stamp = report.generatedAt.replace(/[:.]/g, '-');
      return { report, filename: `handoff-${stamp}.html`, mimeType: 'text/html', html: handoffHtml(report) };
    }),
    'report.handoffAccept': unlocked(({ id, userId, pin }) => {
      const { audit, operator } = s();
      const who = operator.operator;
      if (!who) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'the outgoing operator must be signed in to hand off');
      const prepared = audit.list({ action: 'report.handoff', operator: who.userId }, 50).records.find((r) => (JSON.parse(r.details) as { id?: string }).id === id);
      if (!prepared) throw new ConsoleError('E_HANDOFF_UNKNOWN', 'input', `id: no hand-off ${id} prepared by ${who.userId}`);
      const receiver = operator.confirm(userId, pin);
      const at = new Date(clock.now()).toISOString();
      audit.append({ operator: receiver.userId, action: 'report.handoff_accepted', subjectType: 'console', subjectId: 'handoff', details: { id, from: who.userId, to: receiver.userId, preparedSeq: prepared.seq } });
      return { id, acceptedBy: `${receiver.displayName} (${receiver.userId})`, at };
    }),
  };
}
