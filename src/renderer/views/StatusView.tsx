import { useConsole } from '../state/context.js';
import { OperatorsPanel } from './OperatorsPanel.js';

/** For support staff: the same figures as `node dist/main/cli.cjs --status`. */
export function StatusView() {
  const status = useConsole((s) => s.status);
  if (!status) return null;
  const r = status.resilience;
  return (
    <section className="view status-view" aria-labelledby="view-status">
      <div className="view-header">
        <h1 id="view-status">Status</h1>
        <span className="muted">The same as --status on the command line · profile {r?.profile ?? '—'}</span>
      </div>
      <dl className="facts">
        <dt>Degradation</dt>
        <dd>
          <span data-testid="status-degradation">{status.degradation}</span>
          {status.degradationReasons.length > 0 && <span data-testid="status-degradation-reasons"> — {status.degradationReasons.join('; ')}</span>}
        </dd>
        <dt>Feed</dt>
        <dd>
          {status.feed.state} since {new Date(status.feed.since).toLocaleTimeString()} · {status.feed.detail}
        </dd>
        <dt>Intake</dt>
        <dd data-testid="status-intake">
          {status.feed.alertsStored} alerts stored · {status.feed.quarantined} quarantined (refused by this console's schema or set aside; audited)
          {status.feed.applyPending ? ' · stored alerts waiting to become incidents' : ''}
        </dd>
        <dt>Relay storage</dt>
        <dd data-testid="status-relay-storage">
          {status.feed.relayStorageFault ? `fault ${status.feed.relayStorageFault.code} since ${new Date(status.feed.relayStorageFault.since).toLocaleTimeString()}: senders are told to retry` : 'ok'}
        </dd>
        <dt>Audit</dt>
        <dd>
          {status.audit.records} records · {status.audit.lastVerification ? (status.audit.lastVerification.ok ? 'verified' : `fault: ${status.audit.lastVerification.fault?.kind}`) : 'not verified'}
        </dd>
        <dt>Outbox</dt>
        <dd data-testid="status-outbox">{status.incidents.pendingSync} pending sync</dd>
        <dt>Retries</dt>
        <dd data-testid="status-retries">
          {r ? `${r.retries.attempts} calls, ${r.retries.retried} retries, ${r.retries.failed} gave up${r.retries.successRate !== null ? `, success ${(r.retries.successRate * 100).toFixed(1)} %` : ''}` : '—'}
        </dd>
      </dl>
      <h2 className="section-heading">Circuit breakers</h2>
      <table className="status-table" data-testid="status-breakers">
        <thead>
          <tr>
            <th>Breaker</th>
            <th>State</th>
            <th>Since</th>
            <th>Transitions</th>
          </tr>
        </thead>
        <tbody>
          {(r?.breakers ?? []).map((b) => (
            <tr key={b.name} data-breaker={b.name}>
              <td>
                {b.name}
                {b.patientSafety ? ' (patient safety)' : ''}
              </td>
              <td className={`breaker-${b.state}`} data-testid="breaker-state">
                {b.state}
              </td>
              <td>{new Date(b.since).toLocaleTimeString()}</td>
              <td className="muted">{b.transitions.map((t) => `${new Date(t.at).toLocaleTimeString()} → ${t.to}`).join(' · ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 className="section-heading">Errors by category</h2>
      <ul data-testid="status-errors">
        {Object.entries(r?.errorsByCategory ?? {}).map(([k, v]) => (
          <li key={k}>
            {k}: {v}
          </li>
        ))}
        {Object.keys(r?.errorsByCategory ?? {}).length === 0 && <li className="muted">none</li>}
      </ul>
          {status.operator?.role === 'admin' && <OperatorsPanel />}
    </section>
  );
}
