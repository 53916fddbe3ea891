import { createContext, useContext, type ReactNode } from 'react';
import type { ConsoleStore, ConsoleStoreHook } from './store.js';

const StoreContext = createContext<ConsoleStoreHook | null>(null);

export function StoreProvider({ store, children }: { store: ConsoleStoreHook; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** Select the smallest piece of state a component needs. */
export function useConsole<T>(selector: (s: ConsoleStore) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useConsole outside StoreProvider');
  return store(selector);
}
