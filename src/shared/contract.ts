// The one contract between the console's main process and its renderer.
// Every request the renderer may make is listed here with its input schema and
// result type; every event main pushes is listed with its payload type.
// Electron IPC and the browser-mode bridge are two transports over this table.
import { z } from 'zod';
import { DisplayNameSchema, OperatorIdSchema, OperatorRoleSchema, PinSchema, type Operator, type RegisteredOperator } from './domain/operator.js';
import { AuditExportFormatSchema, type AuditRecord, type AuditVerifyReport } from './domain/audit.js';
import type { ConsoleStatus } from './domain/status.js';
import { SeveritySchema } from './domain/alert.js';
import type { Incident, IncidentDetail, PageEvent } from './domain/incident.js';
import type { ProbeResult, ProbeView, SafetyAssessment } from './domain/probe.js';
import type { ContactBook, Runbook, RunbookRun } from './domain/runbook.js';
import type { ConsoleErrorShape } from './errors.js';
import { KPI_MAX_RANGE_DAYS, type KpiDashboard } from './domain/kpi.js';
import type { HandoffReport } from './domain/report.js';

const IsoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-11-22T08:00:00Z' });
const Empty = z.object({}).strict();
const IncidentId = z.string().regex(/^MAI-\d{8}-\d{6}(-\d{1,4})?$/, 'must be an incident id like MAI-20261122-080000');

export const requestSchemas = {
  'console.status': Empty,
  'operator.signIn': z
    .object({ userId: OperatorIdSchema, displayName: DisplayNameSchema, pin: z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits').optional() })
    .strict(),
  'operator.unlock': z.object({ userId: OperatorIdSchema, pin: z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits').optional() }).strict(),
  'operator.lock': Empty,
  /** the person is at the workstation (input seen); throttled by the renderer */
  'operator.activity': Empty,
  'operator.signOut': Empty,
  /** the operator registry (admins only) */
  'operators.list': Empty,
  'operators.add': z.object({ userId: OperatorIdSchema, displayName: DisplayNameSchema, role: OperatorRoleSchema, pin: PinSchema }).strict(),
  'operators.resetPin': z.object({ userId: OperatorIdSchema, pin: PinSchema }).strict(),
  'audit.list': z
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
  'incidents.list': z
    .object({
      state: z.enum(['open', 'triggered', 'acknowledged', 'resolved', 'all']).default('open'),
      severity: SeveritySchema.optional(),
      search: z.string().max(100).optional(),
      limit: z.number().int().min(1).max(20_000).default(10_000),
    })
    .strict(),
  'incidents.get': z.object({ id: IncidentId }).strict(),
  'incidents.byIds': z.object({ ids: z.array(IncidentId).min(1).max(500) }).strict(),
  'incidents.acknowledge': z.object({ id: IncidentId }).strict(),
  'incidents.resolve': z.object({ id: IncidentId }).strict(),
  'incidents.note': z.object({ id: IncidentId, text: z.string().trim().min(1, 'must not be empty').max(2000) }).strict(),
  'incidents.reassign': z.object({ id: IncidentId, to: z.string().trim().min(1).max(80) }).strict(),
  'incidents.snooze': z.object({ id: IncidentId, minutes: z.number().int().min(1).max(120, 'at most 120 minutes') }).strict(),
  'incidents.escalate': z.object({ id: IncidentId }).strict(),
  'probes.list': Empty,
  'probes.run': z.object({ id: z.string().max(64) }).strict(),
  'runbooks.catalogue': Empty,
  'runbooks.runs': z.object({ incidentId: IncidentId.optional(), state: z.enum(['active', 'completed', 'all']).default('all') }).strict(),
  'runbooks.start': z.object({ runbookId: z.string().max(64), incidentId: IncidentId.optional() }).strict(),
  'runbooks.tick': z.object({ runId: z.uuid(), stepId: z.string().max(64), note: z.string().max(2000).optional() }).strict(),
  'runbooks.override': z.object({ runId: z.uuid(), stepId: z.string().max(64), reason: z.string().trim().min(5, 'give a reason of at least 5 characters').max(2000) }).strict(),
  'runbooks.answer': z.object({ runId: z.uuid(), stepId: z.string().max(64), answer: z.string().max(40) }).strict(),
  'contacts.list': Empty,
  'incidents.contacted': z.object({ id: IncidentId, contact: z.string().trim().min(1).max(120) }).strict(),
  'kpi.dashboard': z
    .object({ from: IsoTime, to: IsoTime })
    .strict()
    .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'must be after from', path: ['to'] })
    .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= KPI_MAX_RANGE_DAYS * 86_400_000, { message: `the range must be at most ${KPI_MAX_RANGE_DAYS} days`, path: ['to'] }),
  /** the shift hand-off report; since defaults to 12 hours ago */
  'report.handoff': z.object({ since: IsoTime.optional() }).strict(),
  'audit.verify': z.object({ mode: z.enum(['full', 'incremental']).default('full') }).strict(),
  'audit.export': z
    .object({ format: AuditExportFormatSchema, since: IsoTime.optional(), until: IsoTime.optional() })
    .strict(),
} as const;

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

export interface RequestResults {
  'console.status': ConsoleStatus;
  'operator.signIn': Operator;
  'operator.signOut': { signedOut: boolean };
  'operator.unlock': Operator;
  'operator.lock': { locked: boolean };
  'operator.activity': { locked: boolean };
  'operators.list': { operators: RegisteredOperator[] };
  'operators.add': RegisteredOperator;
  'operators.resetPin': RegisteredOperator;
  'audit.list': AuditListResult;
  'runbooks.catalogue': { runbooks: Runbook[]; errors: string[] };
  'runbooks.runs': { runs: RunbookRun[] };
  'runbooks.start': RunbookRun;
  'runbooks.tick': RunbookRun;
  'runbooks.override': RunbookRun;
  'runbooks.answer': RunbookRun;
  'contacts.list': { book: ContactBook | null; error: string | null };
  'incidents.contacted': Incident;
  'probes.list': { probes: ProbeView[]; errors: string[]; safety: SafetyAssessment | null; profile: string };
  'probes.run': ProbeResult;
  'incidents.list': { incidents: Incident[] };
  'incidents.get': IncidentDetail;
  'incidents.byIds': { incidents: Incident[] };
  'incidents.acknowledge': Incident;
  'incidents.resolve': Incident;
  'incidents.note': Incident;
  'incidents.reassign': Incident;
  'incidents.snooze': Incident;
  'incidents.escalate': Incident;
  'audit.verify': AuditVerifyReport;
  'audit.export': AuditExportResult;
  'kpi.dashboard': KpiDashboard;
  'report.handoff': { report: HandoffReport; filename: string; mimeType: string; html: string };
}

export type RequestName = keyof typeof requestSchemas;
export type RequestInput<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
export type ParsedInput<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;
export type RequestResult<N extends RequestName> = RequestResults[N];

export const REQUEST_NAMES = Object.keys(requestSchemas) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

/** Events main pushes to the renderer, after the change they describe has committed. */
export interface EventPayloads {
  'status.changed': ConsoleStatus;
  'audit.appended': { lastSeq: number };
  'alerts.received': { count: number; lastSeq: number };
  'incidents.changed': { ids: string[] };
  page: PageEvent;
  'incident.focus': { id: string };
  'probes.changed': { ids: string[] };
  'runbooks.changed': { runIds: string[] };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: EventName[] = ['status.changed', 'audit.appended', 'alerts.received', 'incidents.changed', 'page', 'incident.focus', 'probes.changed', 'runbooks.changed'];

/** What travels back over either transport. */
export type Reply<T> = { ok: true; result: T } | { ok: false; error: ConsoleErrorShape };

/** The renderer's view of the contract, implemented by each transport. */
export interface ContractClient {
  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestResult<N>>;
  onEvent(listener: <E extends EventName>(name: E, payload: EventPayloads[E]) => void): () => void;
}

/** Turn a schema failure into one line naming each field and its problem. */
/** A field path as a person writes it: `alerts[3].labels.severity`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(input)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`).join('; ');
}

export { IPC_REQUEST_CHANNEL, IPC_EVENT_CHANNEL } from './ipc-channels.js';
