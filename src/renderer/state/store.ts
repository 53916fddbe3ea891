// The renderer store: one slice per domain, joined here. Views select the
// smallest piece they need (state/context.tsx).
import { create } from 'zustand';
import type { ContractClient } from '../../shared/contract.js';
import { createAuditSlice, type AuditSlice } from './audit.js';
import { createContactsSlice, type ContactsSlice } from './contacts.js';
import { createHealthSlice, type HealthSlice } from './health.js';
import { createIncidentsSlice, type IncidentsSlice } from './incidents.js';
import { createPagingSlice, type PagingSlice, type Tone } from './paging.js';
import { createRunbooksSlice, type RunbooksSlice } from './runbooks.js';
import { createSessionSlice, type SessionSlice } from './session.js';
import { createUndoSlice, type UndoSlice } from './undo.js';
import type { Set, SliceCreator } from './slice.js';

export { VIEWS, type View } from './session.js';
export type { AuditFilterState } from './audit.js';
export type { IncidentAction, IncidentFilterState } from './incidents.js';
export { compareIncidents } from '../../shared/domain/incident-query.js';

/** The merge point of the renderer: one line per slice here, and one per slice holding details in reset(). */
export type ConsoleStore = {
  client: ContractClient;
  /** Drop every incident, alert text, runbook run, audit record and page held: after sign-out, lock or a change of operator. */
  reset(): void;
} & SessionSlice & IncidentsSlice & RunbooksSlice & ContactsSlice & HealthSlice & PagingSlice & AuditSlice & UndoSlice;

/** `tone`: how a page sounds (the WebAudio tone in the app; silent in tests). */
export function createConsoleStore(client: ContractClient, tone: Tone = () => undefined) {
  return create<ConsoleStore>((set, get) => {
    // Each slice is typed against its own state and what it declares it needs; the whole store
    // satisfies every such view (a slice writing another's nested state spreads what is there).
    const slice = <T, N>(make: SliceCreator<T, N>): T => make(set as unknown as Set<T & N>, get as unknown as () => T & N, client);
    return {
      client,
      ...slice(createSessionSlice),
      ...slice(createIncidentsSlice),
      ...slice(createRunbooksSlice),
      ...slice(createContactsSlice),
      ...slice(createHealthSlice),
      ...slice(createPagingSlice(tone)),
      ...slice(createAuditSlice),
      ...slice(createUndoSlice),
      /** after sign-out, lock or a change of operator: every slice that holds details drops them */
      reset() {
        get().resetIncidents();
        get().resetRunbooks();
        get().resetAudit();
        get().dismissBanner();
      },
    };
  });
}

export type ConsoleStoreHook = ReturnType<typeof createConsoleStore>;
