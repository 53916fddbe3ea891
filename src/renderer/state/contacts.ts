// Slice: the contact and escalation matrix.
import { message, type SliceCreator } from './slice.js';
import type { ContactsSlice } from './model.js';


export const createContactsSlice: SliceCreator<ContactsSlice> = (set, _get, client) => ({
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
