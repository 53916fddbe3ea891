// Slice: status, sign-in, lock, navigation — and the reset that drops every
// detail when the operator signs out or the console locks.
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { attempt, message, type SliceCreator } from './slice.js';

export const VIEWS = ['incidents', 'health', 'runbooks', 'contacts', 'dashboard', 'handoff', 'audit', 'status'] as const;

export type View = (typeof VIEWS)[number];

export interface SessionSlice {
  status: ConsoleStatus | null;
  lastError: string | null;
  setStatus(status: ConsoleStatus): void;
  refreshStatus(): Promise<void>;
  signIn(userId: string, displayName: string, pin?: string): Promise<boolean>;
  unlock(userId: string, pin?: string): Promise<boolean>;
  signOut(): Promise<void>;
  view: View;
  setView(view: View): void;
  clearError(): void;
  lock(): Promise<void>;
  /** May details be shown (and kept)? Only to a signed-in operator of an unlocked console. */
  canRead(): boolean;
}

const readable = (s: ConsoleStatus | null) => Boolean(s?.operator) && !s?.locked;

export const createSessionSlice: SliceCreator<SessionSlice, { reset(): void; dismissBanner(): void; flushResolve(): Promise<void> }> = (set, get, client) => ({
  status: null,
  lastError: null,
  setStatus(status) {
    const before = get().status;
    // an answer and an event travel apart: a status the console made before the one shown is not news
    if (before && before.instance === status.instance && status.serial <= before.serial) return;
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
      get().dismissBanner();
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
      await get().flushResolve();
      await client.request('operator.signOut', {});
      get().reset();
      await get().refreshStatus();
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  view: 'incidents',
  setView: (view) => set({ view }),
  clearError: () => set({ lastError: null }),
  async lock() {
    try {
      await get().flushResolve();
      await client.request('operator.lock', {});
      await get().refreshStatus();
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  canRead: () => readable(get().status),
});
