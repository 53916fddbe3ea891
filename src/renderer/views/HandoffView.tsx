import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsole } from '../state/context.js';
import { download } from '../download.js';
import { toLocalInput } from '../datetime-local.js';
import type { HandoffReport } from '../../shared/domain/report.js';

const SHIFT_MS = 12 * 3_600_000;

const when = (iso: string) => new Date(iso).toLocaleString();

interface Prepared {
  report: HandoffReport;
  filename: string;
  mimeType: string;
  html: string;
}

/** The shift hand-off: everything the next person needs, PHI-masked by main, printable and saveable. */
export function HandoffView() {
  const client = useConsole((s) => s.client);
  const [since, setSince] = useState(() => toLocalInput(Date.now() - SHIFT_MS));
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [error, setError] = useState<string | null>(null);

  const prepare = useCallback(async () => {
    const ms = Date.parse(since);
    if (Number.isNaN(ms)) {
      setError('Enter when the shift began.');
      return;
    }
    try {
      setPrepared(await client.request('report.handoff', { since: new Date(ms).toISOString() }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [client, since]);

  // prepared once on opening, then only on request (not on every key press in the field)
  const prepareNow = useRef(prepare);
  prepareNow.current = prepare;
  useEffect(() => {
    void prepareNow.current();
  }, []);

  const r = prepared?.report;
  return (
    <section className="view handoff" aria-labelledby="view-handoff">
      <div className="view-header no-print">
        <h1 id="view-handoff">Shift hand-off</h1>
      </div>
      <div className="toolbar no-print">
        <label>
          Shift began
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <button type="button" onClick={() => void prepare()}>
          Prepare
        </button>
        <button type="button" disabled={!prepared} onClick={() => window.print()}>
          Print
        </button>
        <button type="button" disabled={!prepared} onClick={() => prepared && download(prepared.filename, prepared.mimeType, prepared.html)}>
          Save HTML
        </button>
      </div>
      {error && (
        <p className="bad" role="alert">
          {error}
        </p>
      )}
      {r && (
        <article className="report" data-testid="handoff-report">
          <h2 className="print-only">Shift hand-off — Medical AI On-Call Console</h2>
          <p className="muted">
            Prepared by {r.preparedBy} at {when(r.generatedAt)}, covering from {when(r.since)}. PHI masked ({r.phiLevel}).
          </p>
          <h3>System state</h3>
          <p data-testid="handoff-system">
            Feed {r.system.feed} ({r.system.feedDetail}) · degradation {r.system.degradation} · {r.system.probesDown} probes down ({r.system.criticalProbesDown} critical) · audit{' '}
            {r.system.auditOk === null ? 'not verified' : r.system.auditOk ? 'verified' : 'FAILED verification'}
          </p>
          <h3>Open incidents ({r.openIncidents.length})</h3>
          {r.openIncidents.length === 0 ? (
            <p className="empty">No open incidents.</p>
          ) : (
            <table className="kpi-table" data-testid="handoff-incidents">
              <thead>
                <tr>
                  <th>Incident</th>
                  <th>Sev</th>
                  <th>State</th>
                  <th>Service</th>
                  <th>Summary</th>
                  <th>Opened</th>
                  <th>Acknowledged by</th>
                  <th>Escalation</th>
                  <th>Sync</th>
                </tr>
              </thead>
              <tbody>
                {r.openIncidents.map((i) => (
                  <tr key={i.id}>
                    <td className="mono">{i.id}</td>
                    <td>
                      <span className={`sev sev-${i.severity}`}>{i.severity}</span>
                    </td>
                    <td>{i.state}</td>
                    <td>{i.service}</td>
                    <td>{i.summary}</td>
                    <td>{when(i.openedAt)}</td>
                    <td>{i.acknowledgedBy ?? '—'}</td>
                    <td>{i.escalationLevel > 0 ? `level ${i.escalationLevel}` : '—'}</td>
                    <td>{i.pendingSync ? 'pending sync' : 'synced'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Runbooks in progress ({r.runbooksInProgress.length})</h3>
          {r.runbooksInProgress.length === 0 ? (
            <p className="empty">No runbook in progress.</p>
          ) : (
            <ul data-testid="handoff-runbooks">
              {r.runbooksInProgress.map((x) => (
                <li key={x.runId}>
                  <strong>{x.title}</strong> {x.incidentId ? `for ${x.incidentId}${x.incidentResolved ? ' (resolved)' : ''}` : '(standalone)'} — {x.done} of {x.total} steps
                  {x.nextStep ? `; next: ${x.nextStep}` : ''} <span className="muted">(started {when(x.startedAt)} by {x.startedBy})</span>
                </li>
              ))}
            </ul>
          )}
          <h3>Not yet synced with the relay ({r.pendingSync.length})</h3>
          {r.pendingSync.length === 0 ? (
            <p className="empty">Everything done here has reached the relay.</p>
          ) : (
            <ul data-testid="handoff-pending">
              {r.pendingSync.map((p) => (
                <li key={p.id}>
                  {p.action} on {p.incidentId} at {when(p.at)} by {p.operator}
                </li>
              ))}
            </ul>
          )}
          <h3>
            What was done ({r.actions.length}
            {r.actionsTruncated ? ', newest only' : ''})
          </h3>
          {r.actions.length === 0 ? (
            <p className="empty">No operator actions in this period.</p>
          ) : (
            <table className="kpi-table" data-testid="handoff-actions">
              <thead>
                <tr>
                  <th>At</th>
                  <th>Operator</th>
                  <th>Action</th>
                  <th>Subject</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {r.actions.map((a, i) => (
                  <tr key={i}>
                    <td>{when(a.at)}</td>
                    <td>{a.operator}</td>
                    <td>{a.action}</td>
                    <td className="mono">{a.subject}</td>
                    <td className="details">{a.details}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
      )}
    </section>
  );
}
