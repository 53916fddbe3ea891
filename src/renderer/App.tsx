import { useEffect, useRef } from 'react';
import { useConsole } from './state/context.js';
import { VIEWS, type View } from './state/store.js';
import { StatusBar } from './views/StatusBar.js';
import { SignIn } from './views/SignIn.js';
import { AuditView } from './views/AuditView.js';
import { IncidentsView } from './views/IncidentsView.js';
import { HealthView } from './views/HealthView.js';
import { RunbooksView } from './views/RunbooksView.js';
import { ContactsView } from './views/ContactsView.js';
import { LockScreen } from './views/LockScreen.js';
import { StatusView } from './views/StatusView.js';
import { AlarmBar } from './views/AlarmBar.js';
import { isTyping } from './views/keyboard.js';
import { PipelineNotice } from './views/PipelineNotice.js';
import { DashboardView } from './views/DashboardView.js';
import { HandoffView } from './views/HandoffView.js';
import { Announcer } from './views/Announcer.js';
import { KeyHelp } from './views/KeyHelp.js';

const LABELS: Record<View, string> = {
  incidents: 'Incidents',
  health: 'Health',
  runbooks: 'Runbooks',
  contacts: 'Contacts',
  dashboard: 'Dashboard',
  handoff: 'Hand-off',
  audit: 'Audit',
  status: 'Status',
};

function Nav() {
  const view = useConsole((s) => s.view);
  const setView = useConsole((s) => s.setView);
  return (
    <nav className="nav" aria-label="Sections">
      {VIEWS.map((v, i) => (
        <button
          key={v}
          type="button"
          className={v === view ? 'nav-item active' : 'nav-item'}
          aria-current={v === view ? 'page' : undefined}
          title={`${LABELS[v]} (Alt+${i + 1})`}
          onClick={() => setView(v)}
        >
          {LABELS[v]}
        </button>
      ))}
    </nav>
  );
}

function CurrentView() {
  const view = useConsole((s) => s.view);
  switch (view) {
    case 'audit':
      return <AuditView />;
    case 'incidents':
      return <IncidentsView />;
    case 'health':
      return <HealthView />;
    case 'runbooks':
      return <RunbooksView />;
    case 'status':
      return <StatusView />;
    case 'contacts':
      return <ContactsView />;
    case 'dashboard':
      return <DashboardView />;
    case 'handoff':
      return <HandoffView />;
  }
}

export function App() {
  const signedIn = useConsole((s) => s.status?.operator != null);
  const loaded = useConsole((s) => s.status !== null);
  const error = useConsole((s) => s.lastError);
  const setView = useConsole((s) => s.setView);
  const unacked = useConsole((s) => s.status?.incidents.unacknowledged ?? 0);
  const locked = useConsole((s) => s.status?.locked ?? false);

  // The title is what the taskbar shows: the unacknowledged count, no details.
  useEffect(() => {
    document.title = unacked > 0 ? `(${unacked}) Medical AI On-Call` : 'Medical AI On-Call Console';
  }, [unacked]);

  const alarmId = useConsole((s) => s.status?.alarm?.incidentId ?? null);
  const select = useConsole((s) => s.selectIncident);
  // g: go to the oldest of the worst unacknowledged incidents (the alarm bar's)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'g' || e.altKey || e.ctrlKey || e.metaKey || isTyping(e) || !alarmId || locked) return;
      e.preventDefault();
      setView('incidents');
      void select(alarmId);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [alarmId, locked, setView, select]);

  // Ctrl+L: lock now (a shared workstation, someone walks away)
  const lockNow = useConsole((s) => s.lock);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey && (e.key === 'l' || e.key === 'L')) || !signedIn || locked) return;
      e.preventDefault();
      void lockNow();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lockNow, signedIn, locked]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const v = VIEWS[Number(e.key) - 1];
      if (v) {
        e.preventDefault();
        setView(v);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  // after sign-in the keyboard starts in the work, not on the sign-in button that is gone
  const wasSignedIn = useRef(signedIn);
  useEffect(() => {
    if (signedIn && !wasSignedIn.current) document.getElementById('main')?.focus();
    wasSignedIn.current = signedIn;
  }, [signedIn]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <Announcer />
      {signedIn && !locked && <KeyHelp />}
      <StatusBar />
      <PipelineNotice />
      <AlarmBar />
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      {!loaded ? (
        <main className="content">
          <p className="muted">Connecting to the console…</p>
        </main>
      ) : !signedIn ? (
        <SignIn />
      ) : locked ? (
        <LockScreen />
      ) : (
        <div className="body">
          <Nav />
          <main className="content" id="main" tabIndex={-1}>
            <CurrentView />
          </main>
        </div>
      )}
    </div>
  );
}
