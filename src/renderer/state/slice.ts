// How the renderer store is built: one slice per domain, each a function of
// the store's set/get and the contract client; the store joins them.
import type { ContractClient } from '../../shared/contract.js';
import { ConsoleError } from '../../shared/errors.js';

/**
 * A slice sees its own state and only what it declares it needs of the
 * others (`Needs`, structurally): no slice imports another, or the store.
 */
export type Set<S> = (partial: Partial<S> | ((s: S) => Partial<S>)) => void;
export type SliceCreator<T, Needs = object> = (set: Set<T & Needs>, get: () => T & Needs, client: ContractClient) => T;

/**
 * The line shown in the error bar, in words first and the code last ("Wrong
 * PIN (E_PIN)"); null for a locked console (the lock screen already says so).
 */
export function message(err: unknown): string | null {
  if (err instanceof ConsoleError) return err.code === 'E_LOCKED' ? null : readable(err.message, err.code);
  return 'The console could not be reached.';
}

/** "E_X: text" → "Text (E_X)". */
export function readable(text: string, code: string): string {
  const words = text.startsWith(`${code}: `) ? text.slice(code.length + 2) : text;
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} (${code})`;
}

export function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Run an action: true when it went through (the error bar cleared), false with the error shown. */
export async function attempt(set: Set<{ lastError: string | null }>, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    set({ lastError: null });
    return true;
  } catch (err) {
    set({ lastError: message(err) });
    return false;
  }
}
