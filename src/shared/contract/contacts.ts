// Contract slice: the contact and escalation matrix.
import type { ContactBook } from '../domain/runbook.js';
import { Empty, request } from './define.js';

export const contactRequests = {
  'contacts.list': request<{ book: ContactBook | null; error: string | null }>()(Empty),
};
