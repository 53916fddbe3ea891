// Slice: status, sign-in, lock, navigation — and the reset that drops every
// detail when the operator signs out or the console locks.
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { attempt, message, type SliceCreator } from './slice.js';
import type { SessionSlice } from './model.js';



const readable = (s: ConsoleStatus | null) => Boolean(s?.operator) && !s?.locked;

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get, client) => ({
  status: null,
  lastError: null,
  setStatus(status) {
    const before = get().status;
    set({ status });
    // locked, signed out, or another operator: nothing of the previous session stays in memory
    if ((readable(before) && !readable(status)) || (before?.operator?.userId ?? null) !== (status.operator?.userId ?? null)) get().reset();
  },
  async refreshStatus() {
    try {
      get().setStatus(await client.request('console.status', {}));
      set({ lastError: null });
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  unlock: (userId, pin) =>
    attempt(set, async () => {
      await client.request('operator.unlock', { userId, ...(pin ? { pin } : {}) });
      set({ banner: null });
      await get().refreshStatus();
    }),
  signIn: (userId, displayName, pin) =>
    attempt(set, async () => {
      await client.request('operator.signIn', { userId, displayName, ...(pin ? { pin } : {}) });
      get().reset();
      await get().refreshStatus();
    }),
  async signOut() {
    try {
      await client.request('operator.signOut', {});
      get().reset();
      await get().refreshStatus();
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  view: 'incidents',
  setView: (view) => set({ view }),
  canRead: () => readable(get().status),
  reset() {
    get().resetIncidents();
    get().resetRunbooks();
    get().resetAudit();
    set({ banner: null });
  },
});
