// Handlers: the contact and escalation matrix as loaded (or why it is not).
import type { ContactBook } from '../../shared/domain/runbook.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';

export function contactHandlers(contacts: () => { book?: ContactBook; error?: string }): HandlerSlice {
  return {
    'contacts.list': unlocked(() => ({ book: contacts().book ?? null, error: contacts().error ?? null })),
  };
}
