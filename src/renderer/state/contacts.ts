// Slice: the contact and escalation matrix, and who is on call per role.
import type { OnCallBoard } from '../../shared/contract.js';
import type { ContactBook } from '../../shared/domain/runbook.js';
import { attempt, message, type SliceCreator } from './slice.js';

export interface OverrideForm {
  role: string;
  person: string;
  start: string;
  end: string;
  reason: string;
}

export interface ContactsSlice {
  contacts: { book: ContactBook | null; error: string | null; loaded: boolean };
  /** who is on call now and the next days, per role (null until loaded) */
  onCall: OnCallBoard | null;
  loadContacts(): Promise<void>;
  loadOnCall(): Promise<void>;
  /** an override from this console; true when it went through */
  addOverride(form: OverrideForm): Promise<boolean>;
}

export const createContactsSlice: SliceCreator<ContactsSlice, { lastError: string | null }> = (set, get, client) => ({
  contacts: { book: null, error: null, loaded: false },
  onCall: null,
  async loadContacts() {
    try {
      const { book, error } = await client.request('contacts.list', {});
      set({ contacts: { book, error, loaded: true } });
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  async loadOnCall() {
    try {
      set({ onCall: await client.request('schedules.board', { days: 7 }) });
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  async addOverride(form) {
    const ok = await attempt(set, () => client.request('schedules.addOverride', form));
    if (ok) await get().loadOnCall();
    return ok;
  },
});
