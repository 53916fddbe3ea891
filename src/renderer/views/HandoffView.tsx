import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsole } from '../state/context.js';
import { download } from '../download.js';
import { toLocalInput } from '../datetime-local.js';
import { handoffSections, type HandoffReport } from '../../shared/domain/report.js';
import { ErrorLine } from './ErrorLine.js';

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
      <ErrorLine error={error} />
      {r && (
        <article className="report" data-testid="handoff-report">
          <h2 className="print-only">Shift hand-off — Medical AI On-Call Console</h2>
          <p className="muted">
            Prepared by {r.preparedBy} at {when(r.generatedAt)}, covering from {when(r.since)}. PHI masked ({r.phiLevel}).
          </p>
          {handoffSections(r, when).map((section) => (
            <div key={section.id} className="report-section">
              <h2 className="section-heading">{section.title}</h2>
              {section.rows.length === 0 ? (
                <p className="empty">{section.empty}</p>
              ) : (
                <table className="kpi-table" data-testid={`handoff-${section.id}`}>
                  <thead>
                    <tr>
                      {section.headers.map((h) => (
                        <th key={h}>{h}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {section.rows.map((row, i) => (
                      <tr key={i}>
                        {row.map((cell, j) => (
                          <td key={j}>{cell}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </article>
      )}
    </section>
  );
}
