import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { StoreProvider } from './state/context.js';
import { createConsoleStore, primeAudioOnFirstGesture } from './state/store.js';
import { createClient } from './transport.js';
import './styles.css';

primeAudioOnFirstGesture();
const client = createClient();

// The person is here: tell main (at most every 15 s), which locks after inactivity.
let lastPing = 0;
const activity = () => {
  const now = Date.now();
  if (now - lastPing < 15_000) return;
  lastPing = now;
  void client.request('operator.activity', {}).catch(() => undefined);
};
window.addEventListener('keydown', activity, { capture: true });
window.addEventListener('pointerdown', activity, { capture: true });
const store = createConsoleStore(client);

// Bursts of events are coalesced: at most one reload per kind every 250 ms.
function coalesce(fn: () => void, ms = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}
const reloadRunbooks = coalesce(() => void store.getState().refreshRunbooks());
const reloadHealth = coalesce(() => void store.getState().loadHealth(), 500);
const reloadAudit = coalesce(() => void store.getState().loadAudit(true));
// Changed incident ids gather here and are merged in one request per 250 ms.
let changedIds: string[] = [];
const refreshIncidents = coalesce(() => {
  const ids = changedIds;
  changedIds = [];
  void store.getState().refreshIncidents(ids);
});

// Details are served only to a signed-in, unlocked operator: events then trigger no detail reloads.
const canRead = () => {
  const s = store.getState().status;
  return Boolean(s?.operator) && !s?.locked;
};

// Events arrive after main committed the change they describe.
client.onEvent((name, payload) => {
  if (name === 'status.changed') store.getState().setStatus(payload as never);
  if (!canRead() && name !== 'page') return;
  if (name === 'audit.appended' && store.getState().view === 'audit') reloadAudit();
  if (name === 'incidents.changed') {
    changedIds.push(...(payload as { ids: string[] }).ids);
    refreshIncidents();
  }
  if (name === 'probes.changed' && store.getState().view === 'health') reloadHealth();
  if (name === 'runbooks.changed') reloadRunbooks();
  if (name === 'page') store.getState().onPage(payload as never);
  if (name === 'incident.focus') {
    store.getState().setView('incidents');
    void store.getState().selectIncident((payload as { id: string }).id);
    window.focus();
  }
});
void store.getState().refreshStatus();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
