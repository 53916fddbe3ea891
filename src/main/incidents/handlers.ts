// Handlers: the incident list, one incident, and what a person does to it.
import type { OperatorSession } from '../operator/session.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { IncidentEngine } from './incident-engine.js';

export function incidentHandlers(s: () => { incidents: IncidentEngine; operator: OperatorSession }): HandlerSlice {
  const who = () => s().operator.operator;
  /** after an action: the incident as it now is, with its timeline */
  const detail = (i: { id: string }) => s().incidents.detail(i.id);
  return {
    'incidents.list': unlocked(({ state, severity, search, limit }) => ({ incidents: s().incidents.list({ state, severity, search, limit }), asOf: s().incidents.repo.changesTold })),
    'incidents.get': unlocked(({ id }) => s().incidents.detail(id)),
    'incidents.byIds': unlocked(({ ids }) => ({ incidents: s().incidents.byIds(ids) })),
    'incidents.acknowledge': unlocked(({ id }) => detail(s().incidents.acknowledge(id, who()))),
    'incidents.resolve': unlocked(({ id }) => detail(s().incidents.resolve(id, who()))),
    'incidents.note': unlocked(({ id, text }) => detail(s().incidents.note(id, text, who()))),
    'incidents.reassign': unlocked(({ id, to }) => detail(s().incidents.reassign(id, to, who()))),
    'incidents.snooze': unlocked(({ id, minutes, until, reason }) => detail(s().incidents.snooze(id, minutes ?? until!, who(), reason))),
    'incidents.acknowledgeMany': unlocked(({ ids }) => s().incidents.acknowledgeMany(ids, who())),
    'incidents.merge': unlocked(({ into, from }) => detail(s().incidents.merge(into, from, who()))),
    'incidents.split': unlocked(({ id, alertKey }) => detail(s().incidents.split(id, alertKey, who()))),
    'incidents.alertAction': unlocked(({ id, alertKey, action }) => detail(s().incidents.alertAction(id, alertKey, action, who()))),
    'incidents.escalate': unlocked(({ id }) => detail(s().incidents.escalate(id, who()))),
    'incidents.contacted': unlocked(({ id, contact }) => detail(s().incidents.contacted(id, contact, who()))),
  };
}
