// The renderer store: one slice per domain, joined here. Views select the
// smallest piece they need (state/context.tsx).
import { create } from 'zustand';
import type { ContractClient } from '../../shared/contract.js';
import { createAuditSlice } from './audit.js';
import { createContactsSlice } from './contacts.js';
import { createHealthSlice } from './health.js';
import { createIncidentsSlice } from './incidents.js';
import type { ConsoleStore, Tone } from './model.js';
import { createPagingSlice } from './paging.js';
import { createRunbooksSlice } from './runbooks.js';
import { createSessionSlice } from './session.js';

export { VIEWS, type AuditFilterState, type ConsoleStore, type IncidentAction, type IncidentFilterState, type View } from './model.js';
export { compareIncidents } from '../../shared/domain/incident-query.js';

/** `tone`: how a page sounds (the WebAudio tone in the app; silent in tests). */
export function createConsoleStore(client: ContractClient, tone: Tone = () => undefined) {
  return create<ConsoleStore>((set, get) => ({
    client,
    ...createSessionSlice(set, get, client),
    ...createIncidentsSlice(set, get, client),
    ...createRunbooksSlice(set, get, client),
    ...createContactsSlice(set, get, client),
    ...createHealthSlice(set, get, client),
    ...createPagingSlice(tone)(set, get, client),
    ...createAuditSlice(set, get, client),
  }));
}

export type ConsoleStoreHook = ReturnType<typeof createConsoleStore>;
