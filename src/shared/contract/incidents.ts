// Contract slice: incidents — the list, one incident, and what a person does to it; pages.
import { z } from 'zod';
import { SeveritySchema } from '../domain/alert.js';
import type { Incident, IncidentDetail, PageEvent } from '../domain/incident.js';
import { event, IncidentId, request } from './define.js';

const ById = z.object({ id: IncidentId }).strict();

export const incidentRequests = {
  'incidents.list': request<{ incidents: Incident[] }>()(
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
  'incidents.snooze': request<IncidentDetail>()(z.object({ id: IncidentId, minutes: z.number().int().min(1).max(120, 'at most 120 minutes') }).strict()),
  'incidents.escalate': request<IncidentDetail>()(ById),
  'incidents.contacted': request<IncidentDetail>()(z.object({ id: IncidentId, contact: z.string().trim().min(1).max(120) }).strict()),
};

export const incidentEvents = {
  /** the changed incidents themselves ride along (up to 100) when an operator is signed in and the console unlocked */
  'incidents.changed': event<{ ids: string[]; incidents?: Incident[] }>(),
  page: event<PageEvent>(),
  'incident.focus': event<{ id: string }>(),
};
