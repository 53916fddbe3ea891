import type { ConsoleStatus } from '../../shared/domain/status.js';
import { useEffect, useState } from 'react';
import { applyTheme, storedTheme, THEMES, type ThemeChoice } from '../theme.js';
import { useConsole } from '../state/context.js';
import type { FeedState } from '../../shared/domain/status.js';

const FEED_LABEL: Record<FeedState, string> = {
  not_configured: 'Feed: local only',
  connecting: 'Feed: connecting',
  connected: 'Feed: connected',
  reconnecting: 'Feed: reconnecting',
  offline: 'Feed: offline',
};

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <time className="clock" dateTime={now.toISOString()}>
      {now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}
    </time>
  );
}

/** What was verified and when, never "verified" for a check that covered nothing. */
function auditText(a: ConsoleStatus['audit'] | undefined): string {
  if (!a) return 'Audit: …';
  const v = a.lastVerification;
  if (v && !v.ok && v.fault) return `Audit: fault at #${v.fault.seq} (${v.fault.kind.replace('_', ' ')})`;
  if (a.segment != null) return `Audit: fault segment ${a.segment}`;
  if (a.verifying) return 'Audit: verifying…';
  if (v) return `Audit ✓ #${v.toSeq}`;
  return 'Audit: not verified yet';
}

export function StatusBar() {
  const feed = useConsole((s) => s.status?.feed);
  const degradation = useConsole((s) => s.status?.degradation);
  const reasons = useConsole((s) => s.status?.degradationReasons);
  const operator = useConsole((s) => s.status?.operator);
  const mode = useConsole((s) => s.status?.mode);
  const electronRuntime = useConsole((s) => s.status?.electronRuntime);
  const audit = useConsole((s) => s.status?.audit);
  const signOut = useConsole((s) => s.signOut);
  const locked = useConsole((s) => s.status?.locked ?? false);
  const lock = useConsole((s) => s.lock);
  const incidents = useConsole((s) => s.status?.incidents);
  const probes = useConsole((s) => s.status?.probes);

  return (
    <header className="status-bar" role="banner" aria-label="Console status">
      <span className="brand">Medical AI On-Call</span>
      <span className={`pill feed-${feed?.state ?? 'connecting'}`} data-testid="feed-state" title={feed ? `${feed.detail} (since ${new Date(feed.since).toLocaleString()})` : ''}>
        {feed ? FEED_LABEL[feed.state] : 'Feed: …'}
        {feed && feed.state !== 'connected' && feed.state !== 'not_configured' ? ` since ${new Date(feed.since).toLocaleTimeString()}` : ''}
      </span>
      {feed && feed.breaker !== 'closed' && (
        <span className="pill level-degraded" data-testid="feed-breaker" title="The feed's circuit breaker stops reconnect attempts for a while after repeated failures.">
          Breaker {feed.breaker}
        </span>
      )}
      <span className={`pill level-${degradation ?? 'normal'}`} data-testid="degradation" title={reasons?.length ? reasons.join('; ') : 'Feed, health checks, SEV1s and the audit trail are all well'} aria-label={`${degradation ?? 'normal'}${reasons?.length ? `: ${reasons.join('; ')}` : ''}`}>
        {degradation === 'emergency' ? 'EMERGENCY' : degradation === 'degraded' ? 'Degraded' : 'Normal'}
      </span>
      {probes && probes.total > 0 && (
        <span className={probes.criticalDown > 0 ? 'pill level-emergency' : probes.down > 0 ? 'pill level-degraded' : 'pill'} data-testid="probe-summary" title={`Local probes (${probes.profile.replace('_', ' ')} profile)`}>
          Probes {probes.total - probes.down}/{probes.total} up
        </span>
      )}
      <span className={audit?.lastVerification?.ok === false || audit?.segment != null ? 'pill level-emergency' : 'pill'} data-testid="audit-state" title={audit?.lastVerification?.fault?.message ?? (audit?.lastVerification ? `Audit trail verified to record #${audit.lastVerification.toSeq} at ${new Date(audit.lastVerification.verifiedAt).toLocaleTimeString()}` : '')}>
        {auditText(audit)}
      </span>
      {mode === 'browser' && !electronRuntime && (
        <span className="pill muted" title="The Electron runtime is not installed; the console runs in browser mode.">
          Browser
        </span>
      )}
      {incidents && (
        <span className={incidents.bySeverity.SEV1 > 0 ? 'pill level-emergency' : 'pill'} data-testid="open-count" title="Open incidents (unacknowledged)">
          Open {incidents.open} ({incidents.unacknowledged} unacked){incidents.pendingSync > 0 ? ` · ${incidents.pendingSync} pending sync` : ''}
        </span>
      )}
      <span className="spacer" />
      <span className="operator" data-testid="operator">
        {operator ? `${operator.displayName} (${operator.userId})` : 'Not signed in'}
      </span>
      {operator && !locked && (
        <button type="button" className="link" onClick={() => void lock()} title="Ctrl+L">
          Lock
        </button>
      )}
      {operator && !locked && (
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      )}
      <ThemeSwitch />
      <Clock />
    </header>
  );
}

const THEME_LABEL: Record<ThemeChoice, string> = { auto: 'Auto', light: 'Light', dark: 'Dark', dim: 'Night' };

/** Light, dark or night (dim) — or follow the system. */
function ThemeSwitch() {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  return (
    <select
      className="theme-switch"
      aria-label="Theme"
      value={theme}
      onChange={(e) => {
        const t = e.target.value as ThemeChoice;
        applyTheme(t);
        setTheme(t);
      }}
    >
      {THEMES.map((t) => (
        <option key={t} value={t}>
          {THEME_LABEL[t]}
        </option>
      ))}
    </select>
  );
}
