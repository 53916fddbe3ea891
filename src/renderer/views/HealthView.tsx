import { useEffect } from 'react';
import { useConsole } from '../state/context.js';
import type { ProbeView, SafetyIndicator } from '../../shared/domain/probe.js';
import { Sparkline } from './Sparkline.js';

const LABEL: Record<SafetyIndicator['name'], string> = {
  system_availability: 'System availability',
  response_time_health: 'Response-time health',
  accuracy_trend: 'Accuracy trend',
  clinical_session_risk: 'Clinical-session risk',
  error_rate_health: 'Error rate',
  overall_score: 'Overall safety score',
};

function ProbeCard({ probe, onRun }: { probe: ProbeView; onRun: () => void }) {
  return (
    <article className={`probe-card probe-${probe.state}`} data-testid="probe-card" data-probe-id={probe.id} aria-label={probe.name}>
      <header>
        <span className={`probe-state state-${probe.state}`} data-testid="probe-state">
          {probe.state}
        </span>
        <strong>{probe.name}</strong>
        {probe.critical && <span className="pill">critical</span>}
      </header>
      <div className="muted probe-target" title={probe.target}>
        {probe.kind} · {probe.target}
      </div>
      <div className="probe-row">
        <span>{probe.lastLatencyMs !== null ? `${probe.lastLatencyMs} ms` : '—'}</span>
        <Sparkline values={probe.recentLatencies} />
      </div>
      <div className="probe-detail" title={probe.lastDetail}>
        {probe.lastDetail}
      </div>
      <footer className="muted">
        breaker {probe.breaker} · {probe.consecutiveFailures} failures in a row · every {probe.intervalMs < 1000 ? `${probe.intervalMs} ms` : `${Math.round(probe.intervalMs / 1000)} s`}{' '}
        <button type="button" className="link" onClick={onRun}>
          Run now
        </button>
      </footer>
    </article>
  );
}

/** A first-responder role (level 1: a SEV1's first call) with nobody on call in the next 24 hours. */
function OnCallGaps() {
  const board = useConsole((s) => s.onCall);
  const load = useConsole((s) => s.loadOnCall);
  useEffect(() => {
    void load();
  }, [load]);
  if (!board) return null;
  const horizon = Date.parse(board.at) + 24 * 3_600_000;
  const gaps = board.roles.filter((r) => r.firstResponder).flatMap((r) => r.gaps.filter((g) => Date.parse(g.start) < horizon).map((g) => ({ role: r.role, start: g.start })));
  if (gaps.length === 0) return null;
  return (
    <div className="oncall-warning" role="alert" data-testid="on-call-gap-warning">
      Nobody on call in the next 24 hours for:{' '}
      {gaps.map((g) => `${g.role} from ${new Date(g.start).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}`).join('; ')}. A SEV1 would page nobody for that role: add an override in Contacts.
    </div>
  );
}

export function HealthView() {
  const health = useConsole((s) => s.health);
  const load = useConsole((s) => s.loadHealth);
  const run = useConsole((s) => s.runProbe);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="view" aria-labelledby="view-health">
      <div className="view-header">
        <h1 id="view-health">Health</h1>
        <span className="muted">Local probes run by this console · profile {health.profile.replace('_', ' ')}</span>
      </div>
      <OnCallGaps />
      {health.errors.length > 0 && (
        <div className="config-errors" role="alert">
          {health.errors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      )}
      {health.safety && (
        <section className="safety" aria-label="Clinical safety assessment" data-testid="safety">
          <h2>
            Clinical safety: <span className={`level-${health.safety.level}`}>{health.safety.level.replace('_', ' ')}</span>
          </h2>
          <div className="indicators">
            {health.safety.indicators.map((i) => (
              <div key={i.name} className={`indicator level-${i.level}`} data-testid="indicator">
                <span>{LABEL[i.name]}</span>
                <strong>{i.value === null ? 'no data' : i.value.toFixed(3)}</strong>
                <span className="muted">
                  warn {i.higherIsBetter ? '<' : '>'} {i.warning} · critical {i.higherIsBetter ? '<' : '>'} {i.critical}
                </span>
              </div>
            ))}
          </div>
        </section>
      )}
      {health.probes.length === 0 ? (
        <p className="empty">No probes configured. The bundled set mirrors the daily health check; see README (probes).</p>
      ) : (
        <div className="probe-grid">
          {health.probes.map((p) => (
            <ProbeCard key={p.id} probe={p} onRun={() => void run(p.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
