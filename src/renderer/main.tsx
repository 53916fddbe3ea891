import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { StoreProvider } from './state/context.js';
import { beep, primeAudioOnFirstGesture } from './audio.js';
import { createConsoleStore } from './state/store.js';
import { createClient } from './transport.js';
import { wireEvents } from './state/events.js';
import './styles.css';
import { applyTheme, storedTheme } from './theme.js';

applyTheme(storedTheme());
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
const store = createConsoleStore(client, beep);

// Events arrive after main committed the change they describe.
wireEvents(client, store, () => window.focus());
void store.getState().refreshStatus();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
