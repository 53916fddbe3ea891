// The selected incident: state, actions, whom to call, its runbooks, timeline and alerts.
import { useEffect, useState, type FormEvent } from 'react';
import { useConsole } from '../state/context.js';
import { countdown, useNow } from './useNow.js';
import { RunbookChecklist } from './RunbookChecklist.js';
import { ContactCard } from './ContactsView.js';
import { CopyValue } from './CopyValue.js';
import { callsOf, callText } from '../../shared/on-call.js';
import type { EscalationLevel } from '../../shared/domain/severity.js';
import type { IncidentDetail } from '../../shared/domain/incident.js';

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

/** The alerts an incident holds, each with its state, and what a person can do to one of them. */
function Members({ detail }: { detail: IncidentDetail }) {
  const alertAction = useConsole((s) => s.alertAction);
  const i = detail.incident;
  const { total, alerts } = detail.members;
  const open = i.state !== 'resolved';
  return (
    <section aria-label="Alerts in this incident" data-testid="members">
      <h3>
        Alerts: {i.firingCount} of {i.alertCount} firing
      </h3>
      {i.truncatedAlerts > 0 && <p className="muted">The source left {i.truncatedAlerts} more alerts of this group out of its messages (Alertmanager max_alerts): they are not listed here.</p>}
      <ul className="members">
        {alerts.map((m) => (
          <li key={m.key} className={`member-${m.status}`} data-testid="member" data-alert-key={m.key}>
            <span className={`sev sev-${m.severity}`}>{m.severity}</span>
            <span>
              <span className={`alert-status status-${m.status}`}>{m.status}</span> {m.summary}
              <span className="muted">
                {' '}
                · since {new Date(m.firstSeen).toLocaleTimeString()}
                {m.repeats > 1 ? ` · sent ${m.repeats}×` : ''}
                {m.acknowledgedBy ? ` · acknowledged by ${m.acknowledgedBy}` : ''}
              </span>
            </span>
            {open && m.status === 'firing' && (
              <span className="member-actions">
                {!m.acknowledgedBy && i.state === 'triggered' && (
                  <button type="button" onClick={() => void alertAction(i.id, m.key, 'acknowledge')} aria-label={`Acknowledge this alert only: ${m.summary}`}>
                    Acknowledge
                  </button>
                )}
                <button type="button" onClick={() => void alertAction(i.id, m.key, 'resolve')} aria-label={`Resolve this alert only: ${m.summary}`}>
                  Resolve
                </button>
                {i.alertCount > 1 && (
                  <button type="button" onClick={() => void alertAction(i.id, m.key, 'split')} aria-label={`Split out this alert into its own incident: ${m.summary}`}>
                    Split out
                  </button>
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
      {total > alerts.length && (
        <p className="muted" data-testid="members-more">
          … and {total - alerts.length} more alerts (firing and worst listed first)
        </p>
      )}
    </section>
  );
}

const SNOOZE_PRESETS = [
  { label: '15 min', minutes: 15 },
  { label: '1 hour', minutes: 60 },
  { label: '4 hours', minutes: 240 },
] as const;

/** Snooze repeat pages: a preset or until a time, always with a reason. */
function Snooze({ id, disabled }: { id: string; disabled: boolean }) {
  const act = useConsole((s) => s.incidentAction);
  const [choice, setChoice] = useState('15');
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return;
    let target: { minutes?: number; until?: string } = { minutes: Number(choice) };
    if (choice === 'until') {
      const [h, m] = until.split(':').map(Number);
      const d = new Date();
      d.setHours(h ?? 0, m ?? 0, 0, 0);
      if (d.getTime() <= Date.now()) d.setDate(d.getDate() + 1);
      target = { until: d.toISOString() };
    }
    if (await act('snooze', id, { ...target, reason: reason.trim() })) setReason('');
  };
  return (
    <form className="snooze-form" onSubmit={(e) => void submit(e)} aria-label="Snooze repeat pages">
      <label>
        Snooze
        <select value={choice} onChange={(e) => setChoice(e.target.value)} disabled={disabled}>
          {SNOOZE_PRESETS.map((p) => (
            <option key={p.minutes} value={String(p.minutes)}>
              {p.label}
            </option>
          ))}
          <option value="until">until a time…</option>
        </select>
      </label>
      {choice === 'until' && <input type="time" aria-label="Snooze until" value={until} onChange={(e) => setUntil(e.target.value)} required disabled={disabled} />}
      <input aria-label="Why snooze" placeholder="why (required)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} required disabled={disabled} />
      <button type="submit" disabled={disabled || !reason.trim()}>
        Snooze
      </button>
    </form>
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
        {i.ackExpiresAt && (
          <>
            <dt>Acknowledgement</dt>
            <dd data-testid="ack-expires">holds until {new Date(i.ackExpiresAt).toLocaleTimeString()}; if still open then, it pages again</dd>
          </>
        )}
        {i.snoozedUntil && Date.parse(i.snoozedUntil) > now && (
          <>
            <dt>Snoozed</dt>
            <dd>repeat pages held until {new Date(i.snoozedUntil).toLocaleTimeString()}</dd>
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
      </div>
      <Snooze id={i.id} disabled={i.state === 'resolved'} />
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
      <Members detail={detail} />
      <section aria-label="Latest deliveries">
        <h3>Latest deliveries (the newest {Math.min(detail.alerts.length, 50)})</h3>
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

