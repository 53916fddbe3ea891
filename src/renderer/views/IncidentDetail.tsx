// The selected incident: state, actions, whom to call, its runbooks, timeline and alerts.
import { useEffect, useState, type FormEvent } from 'react';
import { useConsole } from '../state/context.js';
import { countdown, useNow } from './useNow.js';
import { RunbookChecklist } from './RunbookChecklist.js';
import { ContactCard } from './ContactsView.js';
import { CopyValue } from './CopyValue.js';
import { callsOf, callText } from '../../shared/on-call.js';
import type { EscalationLevel } from '../../shared/domain/severity.js';

function WhoToCall({ incidentId, level, heading }: { incidentId: string; level: EscalationLevel | null; heading: string }) {
  const book = useConsole((s) => s.contacts.book);
  const loadContacts = useConsole((s) => s.loadContacts);
  const contacted = useConsole((s) => s.markContacted);
  useEffect(() => {
    if (!book) void loadContacts();
  }, [book, loadContacts]);
  const all = book?.groups.flatMap((g) => g.contacts) ?? [];
  const calls = level ? callsOf(level) : [];
  return (
    <section aria-label="Who to call now" data-testid="who-to-call">
      <h3>{heading}</h3>
      {calls.map((c) => {
        const card = all.find((x) => x.name === c.role);
        const who = c.person ? `${c.person} (${c.role})` : c.role;
        return (
          <div key={c.role} className="call-row" data-testid="call-now">
            {c.person ? (
              <div className="contact">
                Call now: <strong>{c.person}</strong> ({c.role}){c.phone && <> · <CopyValue label="☎" value={c.phone} /></>}
                {c.until && <div className="muted">on call until {new Date(c.until).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}</div>}
              </div>
            ) : (
              <div className="call-col">
                {c.gap && <div className="oncall-gap-text">Nobody on call for {c.role} now (schedule gap): call the role's number</div>}
                {card ? <ContactCard contact={card} /> : <strong>{c.role}</strong>}
              </div>
            )}
            <button type="button" onClick={() => void contacted(incidentId, who)}>
              Contacted
            </button>
          </div>
        );
      })}
    </section>
  );
}

export function Detail() {
  const detail = useConsole((s) => s.incidents.detail);
  const runs = useConsole((s) => s.runbooks.incidentRuns);
  const act = useConsole((s) => s.incidentAction);
  const resolveWithUndo = useConsole((s) => s.resolveWithUndo);
  const pending = useConsole((s) => s.pendingResolve);
  const undo = useConsole((s) => s.undoResolve);
  const [note, setNote] = useState('');
  const [to, setTo] = useState('');
  const now = useNow();
  if (!detail) return <div className="incident-detail empty">Select an incident.</div>;
  const i = detail.incident;
  const submitNote = async (e: FormEvent) => {
    e.preventDefault();
    if (note.trim() && (await act('note', i.id, { text: note.trim() }))) setNote('');
  };
  const submitReassign = async (e: FormEvent) => {
    e.preventDefault();
    if (to.trim() && (await act('reassign', i.id, { to: to.trim() }))) setTo('');
  };
  return (
    <div className="incident-detail" data-testid="incident-detail" aria-label={`Incident ${i.id}`}>
      <div className="detail-head">
        <span className={`sev sev-${i.severity}`}>{i.severity}</span>
        <h2 className="mono">{i.id}</h2>
        <span className={`incident-state state-${i.state}`}>{i.state}</span>
        {i.pendingSync && <span className="pill level-degraded">pending sync</span>}
      </div>
      <p className="summary-full">{i.summary}</p>
      <dl className="facts">
        <dt>Service</dt>
        <dd>{i.service}</dd>
        <dt>Opened</dt>
        <dd>{new Date(i.openedAt).toLocaleString()}</dd>
        <dt>Respond by</dt>
        <dd>
          {new Date(i.responseDueAt).toLocaleTimeString()} {i.state === 'triggered' && `(${countdown(i.responseDueAt, now).text})`}
        </dd>
        {i.acknowledgedBy && (
          <>
            <dt>Acknowledged</dt>
            <dd data-testid="acknowledged-by">by {i.acknowledgedBy}</dd>
          </>
        )}
        {i.assignee && (
          <>
            <dt>Assigned to</dt>
            <dd>{i.assignee}</dd>
          </>
        )}
        {i.previousId && (
          <>
            <dt>Re-fire of</dt>
            <dd className="mono">{i.previousId}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button type="button" className="primary" disabled={i.state !== 'triggered'} onClick={() => void act('acknowledge', i.id)} title="a">
          Acknowledge
        </button>
        <button type="button" disabled={i.state === 'resolved' || pending?.id === i.id} onClick={() => resolveWithUndo(i.id)} title="r">
          Resolve
        </button>
        <button type="button" disabled={i.state === 'resolved' || detail.escalation.next === null} onClick={() => void act('escalate', i.id)} title="e">
          Escalate
        </button>
        <button type="button" disabled={i.state === 'resolved'} onClick={() => void act('snooze', i.id, { minutes: 15 })}>
          Snooze 15 min
        </button>
      </div>
      {pending?.id === i.id && (
        <div className="undo-bar" role="status" data-testid="undo-resolve">
          Resolving in {Math.max(0, Math.ceil((pending.until - now) / 1000))} s — nothing is recorded until then.{' '}
          <button type="button" onClick={undo} title="u">
            Undo (u)
          </button>
        </div>
      )}
      <section className="escalation" aria-label="Escalation">
        <h3>Escalation {i.escalationLevel > 0 ? `level ${i.escalationLevel}` : 'not yet escalated'}</h3>
        {detail.escalation.current && (
          <p>
            Call now: <strong>{callText(callsOf(detail.escalation.current))}</strong> ({detail.escalation.current.description})
          </p>
        )}
        {detail.escalation.next && (
          <p className="muted">
            Next: level {detail.escalation.next.level} ({callText(callsOf(detail.escalation.next))})
            {i.state === 'triggered' ? ` at ${new Date(Date.parse(i.openedAt) + detail.escalation.next.afterMinutes * 60_000).toLocaleTimeString()} if nobody acknowledges` : ' — Escalate calls them in'}
          </p>
        )}
      </section>
      {i.state !== 'resolved' && (
        <WhoToCall
          incidentId={i.id}
          heading={detail.escalation.current ? `Who to call now (level ${detail.escalation.current.level}${i.escalationLevel === 0 ? ', first responders' : ''})` : 'Who to call now'}
          level={detail.escalation.current}
        />
      )}
      {runs.map((r) => (
        <RunbookChecklist key={r.id} run={r} />
      ))}
      <form className="inline-form" onSubmit={(e) => void submitNote(e)}>
        <input id="incident-note" aria-label="Note" placeholder="Add a note (n)" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
        <button type="submit">Add note</button>
      </form>
      <form className="inline-form" onSubmit={(e) => void submitReassign(e)}>
        <input aria-label="Reassign to" placeholder="Reassign to…" value={to} onChange={(e) => setTo(e.target.value)} maxLength={80} />
        <button type="submit">Reassign</button>
      </form>
      <section aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline" data-testid="timeline">
          {detail.timeline.map((t, k) => (
            <li key={k}>
              <time>{new Date(t.at).toLocaleTimeString()}</time> <span className="muted">{t.actor}</span> {t.text}
            </li>
          ))}
        </ol>
      </section>
      <section aria-label="Alerts">
        <h3>Alerts ({i.alertCount})</h3>
        <ul className="alert-list">
          {detail.alerts.slice(0, 50).map((a) => (
            <li key={`${a.relayId}:${a.seq}`}>
              <span className={`alert-status status-${a.status}`}>{a.status}</span> <span className="muted">{new Date(a.receivedAt).toLocaleTimeString()}</span> {a.source}
              {Object.keys(a.labels).length > 0 && (
                <span className="labels">
                  {Object.entries(a.labels).map(([k, v]) => (
                    <code key={k}>
                      {k}={v}
                    </code>
                  ))}
                </span>
              )}
              {a.links.map((l) => (
                <span key={l.href} className="link-text" title="Copy and open on a trusted machine">
                  {l.text ?? 'link'}: {l.href}
                </span>
              ))}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

