// Slice: the contact and escalation matrix.
import type { ContactBook } from '../../shared/domain/runbook.js';
import { message, type SliceCreator } from './slice.js';

export interface ContactsSlice {
  contacts: { book: ContactBook | null; error: string | null; loaded: boolean };
  loadContacts(): Promise<void>;
}

export const createContactsSlice: SliceCreator<ContactsSlice, { lastError: string | null }> = (set, _get, client) => ({
  contacts: { book: null, error: null, loaded: false },
  async loadContacts() {
    try {
      const { book, error } = await client.request('contacts.list', {});
      set({ contacts: { book, error, loaded: true } });
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
});
