import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
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
  // the outgoing clinician's own words: what happened, and what the next shift must do (one to-do per line)
  const [summary, setSummary] = useState('');
  const [todos, setTodos] = useState('');

  // only the newest request's answer is shown: the hand-off prepared on opening never replaces one prepared after it
  const latest = useRef(0);
  // the receiver's form takes the cursor only after the person asked for the hand-off — never while they type
  const [asked, setAsked] = useState(false);
  const prepare = useCallback(async (explicit = true) => {
    const ms = Date.parse(since);
    if (Number.isNaN(ms)) {
      setError('Enter when the shift began.');
      return;
    }
    const mine = ++latest.current;
    try {
      const list = todos.split('\n').map((t) => t.trim()).filter(Boolean);
      const answer = await client.request('report.handoff', { since: new Date(ms).toISOString(), summary, todos: list });
      if (mine !== latest.current) return;
      setPrepared(answer);
      setAsked(explicit);
      setError(null);
    } catch (e) {
      if (mine === latest.current) setError((e as Error).message);
    }
  }, [client, since, summary, todos]);

  // prepared once on opening, then only on request (not on every key press in the field)
  const prepareNow = useRef(prepare);
  prepareNow.current = prepare;
  useEffect(() => {
    void prepareNow.current(false);
  }, []);

  const prepareOnCtrlEnter = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void prepare();
    }
  };
  const r = prepared?.report;
  return (
    <section className="view handoff" aria-labelledby="view-handoff">
      <div className="view-header no-print">
        <h1 id="view-handoff">Shift hand-off</h1>
      </div>
      <div className="handoff-own no-print">
        <label>
          Summary for the next shift (in your own words)
          <textarea rows={3} maxLength={4000} autoFocus value={summary} onChange={(e) => setSummary(e.target.value)} onKeyDown={prepareOnCtrlEnter} placeholder="What happened, what is stable, what to watch (Ctrl+Enter prepares)" />
        </label>
        <label>
          To do (one per line)
          <textarea rows={3} value={todos} onChange={(e) => setTodos(e.target.value)} onKeyDown={prepareOnCtrlEnter} placeholder="Call the model vendor back at 08:00" />
        </label>
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
      {r && <Receive id={r.id} key={r.id} focusOnMount={asked} />}
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

/** The receiving operator signs the hand-off with their own PIN; the outgoing operator stays signed in. */
function Receive({ id, focusOnMount }: { id: string; focusOnMount: boolean }) {
  const client = useConsole((s) => s.client);
  const [userId, setUserId] = useState('');
  const [pin, setPin] = useState('');
  const [accepted, setAccepted] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await client.request('report.handoffAccept', { id, userId: userId.trim(), ...(pin ? { pin } : {}) });
      setAccepted(`Received by ${r.acceptedBy} at ${new Date(r.at).toLocaleTimeString()}`);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setPin('');
    }
  };
  if (accepted)
    return (
      <p className="ok" role="status" data-testid="handoff-accepted">
        {accepted}
      </p>
    );
  return (
    <form className="inline-form no-print" aria-label="Receive the hand-off" onSubmit={(e) => void submit(e)}>
      <label>
        Receiving operator (user ID)
        <input value={userId} onChange={(e) => setUserId(e.target.value)} autoComplete="off" required autoFocus={focusOnMount} />
      </label>
      <label>
        Their PIN
        <input type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} />
      </label>
      <button type="submit">Sign as received</button>
      <ErrorLine error={error} />
    </form>
  );
}
