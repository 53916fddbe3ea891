// Slice: resolve with undo. A resolve from this window is held for a few
// seconds with an Undo before it is sent: nothing is recorded (audit,
// relay) until the time is up, so an undone resolve never happened. Signing
// out or locking sends what is held at once — it was the operator's act.
import type { SliceCreator } from './slice.js';

export const UNDO_MS = 5000;

export interface UndoSlice {
  /** the resolve waiting for its undo window (null: none) */
  pendingResolve: { id: string; until: number } | null;
  /** resolve after the undo window; a second resolve sends the first at once */
  resolveWithUndo(id: string): void;
  /** cancel the waiting resolve: nothing is sent */
  undoResolve(): void;
  /** send the waiting resolve now (sign-out, lock, another resolve) */
  flushResolve(): Promise<void>;
}

type Needs = { incidentAction(action: 'resolve', id: string): Promise<boolean> };

export const createUndoSlice: SliceCreator<UndoSlice, Needs> = (set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return {
    pendingResolve: null,
    resolveWithUndo(id) {
      void get().flushResolve();
      set({ pendingResolve: { id, until: Date.now() + UNDO_MS } });
      timer = setTimeout(() => void get().flushResolve(), UNDO_MS);
    },
    undoResolve() {
      clear();
      set({ pendingResolve: null });
    },
    async flushResolve() {
      const p = get().pendingResolve;
      clear();
      if (!p) return;
      set({ pendingResolve: null });
      await get().incidentAction('resolve', p.id);
    },
  };
};
