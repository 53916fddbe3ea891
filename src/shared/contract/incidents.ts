// Contract slice: incidents — the list, one incident, and what a person does to it; pages.
import { z } from 'zod';
import { SeveritySchema } from '../domain/alert.js';
import type { Incident, IncidentDetail, PageEvent } from '../domain/incident.js';
import { event, IncidentId, request } from './define.js';

/** The longest snooze: a week. */
export const MAX_SNOOZE_MINUTES = 7 * 24 * 60;

const ById = z.object({ id: IncidentId }).strict();

export const incidentRequests = {
  /** asOf: the incident changes told of when the list was read (see Incident.asOf), also when it is empty */
  'incidents.list': request<{ incidents: Incident[]; asOf: number }>()(
    z
      .object({
        state: z.enum(['open', 'triggered', 'acknowledged', 'resolved', 'all']).default('open'),
        severity: SeveritySchema.optional(),
        search: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(20_000).default(10_000),
      })
      .strict(),
  ),
  'incidents.get': request<IncidentDetail>()(ById),
  'incidents.byIds': request<{ incidents: Incident[] }>()(z.object({ ids: z.array(IncidentId).min(1).max(500) }).strict()),
  // what a person does answers the incident as it now is, timeline included: the renderer needs no reload
  'incidents.acknowledge': request<IncidentDetail>()(ById),
  'incidents.resolve': request<IncidentDetail>()(ById),
  'incidents.note': request<IncidentDetail>()(z.object({ id: IncidentId, text: z.string().trim().min(1, 'must not be empty').max(2000) }).strict()),
  'incidents.reassign': request<IncidentDetail>()(z.object({ id: IncidentId, to: z.string().trim().min(1).max(80) }).strict()),
  // presets 15 min, 1 h, 4 h, or until a time (at most a week); the reason is in the timeline and the audit trail
  'incidents.snooze': request<IncidentDetail>()(
    z
      .object({
        id: IncidentId,
        minutes: z.number().int().min(1, 'at least 1 minute').max(MAX_SNOOZE_MINUTES, 'at most a week').optional(),
        until: z.iso.datetime({ offset: true }).optional(),
        reason: z.string().trim().min(1, 'must say why').max(200).optional(),
      })
      .strict()
      .refine((v) => (v.minutes === undefined) !== (v.until === undefined), { message: 'give minutes or until, not both', path: ['minutes'] }),
  ),
  /** acknowledge a selection (at most 500) in one transaction: what was acknowledged and what was left, with why */
  'incidents.acknowledgeMany': request<{ acknowledged: string[]; skipped: { id: string; reason: string }[] }>()(z.object({ ids: z.array(IncidentId).min(1).max(500) }).strict()),
  /** merge incidents into one (all open); answers the merged incident */
  'incidents.merge': request<IncidentDetail>()(z.object({ into: IncidentId, from: z.array(IncidentId).min(1).max(100) }).strict()),
  /** move one alert out of an incident into a new one; answers the new incident */
  'incidents.split': request<IncidentDetail>()(z.object({ id: IncidentId, alertKey: z.string().min(1).max(512) }).strict()),
  /** acknowledge or resolve one alert inside an incident */
  'incidents.alertAction': request<IncidentDetail>()(z.object({ id: IncidentId, alertKey: z.string().min(1).max(512), action: z.enum(['acknowledge', 'resolve']) }).strict()),
  'incidents.escalate': request<IncidentDetail>()(ById),
  'incidents.contacted': request<IncidentDetail>()(z.object({ id: IncidentId, contact: z.string().trim().min(1).max(120) }).strict()),
};

export const incidentEvents = {
  /** the changed incidents themselves ride along (up to 100) when an operator is signed in and the console unlocked */
  'incidents.changed': event<{ ids: string[]; incidents?: Incident[] }>(),
  page: event<PageEvent>(),
  'incident.focus': event<{ id: string }>(),
};
