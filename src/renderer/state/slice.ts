// How the renderer store is built: one slice per domain, each a function of
// the store's set/get and the contract client; the store joins them.
import type { StoreApi } from 'zustand';
import type { ContractClient } from '../../shared/contract.js';
import { ConsoleError } from '../../shared/errors.js';
import type { ConsoleStore } from './model.js';

export type Set = StoreApi<ConsoleStore>['setState'];
export type Get = StoreApi<ConsoleStore>['getState'];
export type SliceCreator<T> = (set: Set, get: Get, client: ContractClient) => T;

/** The line shown in the error bar; null for a locked console (the lock screen already says so). */
export function message(err: unknown): string | null {
  if (err instanceof ConsoleError) return err.code === 'E_LOCKED' ? null : err.message;
  return 'the console could not be reached';
}

export function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Run an action: true when it went through (the error bar cleared), false with the error shown. */
export async function attempt(set: Set, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    set({ lastError: null });
    return true;
  } catch (err) {
    set({ lastError: message(err) });
    return false;
  }
}
