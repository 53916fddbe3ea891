import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { StoreProvider } from './state/context.js';
import { createConsoleStore } from './state/store.js';
import { createClient } from './transport.js';
import './styles.css';

const client = createClient();
const store = createConsoleStore(client);

// Events arrive after main committed the change they describe.
client.onEvent((name, payload) => {
  if (name === 'status.changed') store.getState().setStatus(payload as never);
  if (name === 'audit.appended' && store.getState().view === 'audit') void store.getState().loadAudit(true);
});
void store.getState().refreshStatus();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
