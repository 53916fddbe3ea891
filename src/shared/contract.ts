// The one contract between the console's main process and its renderer, and
// its one merge point. Each domain declares its requests (input schema and
// result) and events in src/shared/contract/<domain>.ts; they are joined here,
// and a name two domains declare is refused at load. Electron IPC and the
// browser-mode bridge are two transports over this table.
import type { z } from 'zod';
import type { ConsoleErrorShape } from './errors.js';
import { mergeSlices, type EventSpec, type RequestSpec } from './contract/define.js';
import { consoleEvents, consoleRequests } from './contract/console.js';
import { operatorRequests } from './contract/operator.js';
import { auditEvents, auditRequests } from './contract/audit.js';
import { incidentEvents, incidentRequests } from './contract/incidents.js';
import { feedEvents } from './contract/feed.js';
import { probeEvents, probeRequests } from './contract/probes.js';
import { runbookEvents, runbookRequests } from './contract/runbooks.js';
import { contactRequests } from './contract/contacts.js';
import { scheduleEvents, scheduleRequests } from './contract/schedules.js';
import { kpiRequests } from './contract/kpi.js';
import { reportRequests } from './contract/reports.js';

export type { AuditExportResult, AuditListResult } from './contract/audit.js';
export type { OnCallBoard } from './contract/schedules.js';

/** Every request of every domain. */
export const requests = mergeSlices(consoleRequests, operatorRequests, auditRequests, incidentRequests, probeRequests, runbookRequests, contactRequests, scheduleRequests, kpiRequests, reportRequests);
/** Every event of every domain. */
export const events = mergeSlices(consoleEvents, auditEvents, incidentEvents, feedEvents, probeEvents, runbookEvents, scheduleEvents);

type Requests = typeof requests;
export type RequestName = keyof Requests;

/** Each request's input schema, by name (what main validates with). */
export const requestSchemas = Object.fromEntries(Object.entries(requests).map(([name, spec]) => [name, (spec as RequestSpec<z.ZodType, unknown>).input])) as {
  [N in RequestName]: Requests[N]['input'];
};
export type RequestResults = { [N in RequestName]: Requests[N] extends RequestSpec<z.ZodType, infer R> ? R : never };
export type RequestInput<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
export type ParsedInput<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;
export type RequestResult<N extends RequestName> = RequestResults[N];

export const REQUEST_NAMES = Object.keys(requests) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

/** Events main pushes to the renderer, after the change they describe has committed. */
export type EventPayloads = { [E in keyof typeof events]: (typeof events)[E] extends EventSpec<infer P> ? P : never };
export type EventName = keyof EventPayloads;
/** Derived from the declarations, never kept equal by hand. */
export const EVENT_NAMES = Object.keys(events) as EventName[];

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
