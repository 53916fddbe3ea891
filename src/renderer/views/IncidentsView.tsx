import { memo, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useConsole } from '../state/context.js';
import type { Incident } from '../../shared/domain/incident.js';
import { countdown, useNow } from './useNow.js';
import { RunbookChecklist } from './RunbookChecklist.js';
import { ContactCard } from './ContactsView.js';
import { isTyping } from './keyboard.js';

const ROW = 40;


function Countdown({ incident }: { incident: Incident }) {
  const now = useNow();
  if (incident.state !== 'triggered') return <span className="muted">—</span>;
  const c = countdown(incident.responseDueAt, now);
  return (
    <span className={c.overdue ? 'bad countdown' : 'countdown'} title="Time left to the severity's response target">
      {c.text}
    </span>
  );
}

/** Memoised: an update to one incident re-renders one row, not the screenful. */
const IncidentRow = memo(function IncidentRow({ incident, selected, top, onSelect }: { incident: Incident; selected: boolean; top: number; onSelect: (id: string) => void }) {
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`incident-row${selected ? ' selected' : ''} row-${incident.state}`}
      data-testid="incident-row"
      data-incident-id={incident.id}
      onClick={() => onSelect(incident.id)}
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${top}px)` }}
    >
      <span className={`sev sev-${incident.severity}`}>{incident.severity}</span>
      <span className="mono">{incident.id}</span>
      <span className="summary" title={incident.summary}>
        {incident.summary}
      </span>
      <span>{incident.service}</span>
      <span className={`incident-state state-${incident.state}`} data-testid="incident-state">
        {incident.state}
      </span>
      <Countdown incident={incident} />
      <span title="Alerts grouped into this incident">×{incident.alertCount}</span>
      <span>{incident.pendingSync ? <span className="pill level-degraded" data-testid="pending-sync">pending sync</span> : ''}</span>
    </div>
  );
});

/** Who to call now: the current escalation level's contacts (level 1 before any escalation). */
function WhoToCall({ incidentId, names, heading }: { incidentId: string; names: string[]; heading: string }) {
  const book = useConsole((s) => s.contacts.book);
  const loadContacts = useConsole((s) => s.loadContacts);
  const contacted = useConsole((s) => s.markContacted);
  useEffect(() => {
    if (!book) void loadContacts();
  }, [book, loadContacts]);
  const all = book?.groups.flatMap((g) => g.contacts) ?? [];
  return (
    <section aria-label="Who to call now" data-testid="who-to-call">
      <h3>{heading}</h3>
      {names.map((n) => {
        const c = all.find((x) => x.name === n);
        return (
          <div key={n} className="call-row">
            {c ? <ContactCard contact={c} /> : <strong>{n}</strong>}
            <button type="button" onClick={() => void contacted(incidentId, n)}>
              Contacted
            </button>
          </div>
        );
      })}
    </section>
  );
}

function Detail() {
  const detail = useConsole((s) => s.incidents.detail);
  const runs = useConsole((s) => s.runbooks.incidentRuns);
  const act = useConsole((s) => s.incidentAction);
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
        <button type="button" disabled={i.state === 'resolved'} onClick={() => void act('resolve', i.id)} title="r">
          Resolve
        </button>
        <button type="button" disabled={i.state === 'resolved' || detail.escalation.next === null && i.state !== 'triggered'} onClick={() => void act('escalate', i.id)} title="e">
          Escalate
        </button>
        <button type="button" disabled={i.state === 'resolved'} onClick={() => void act('snooze', i.id, { minutes: 15 })}>
          Snooze 15 min
        </button>
      </div>
      <section className="escalation" aria-label="Escalation">
        <h3>Escalation {i.escalationLevel > 0 ? `level ${i.escalationLevel}` : 'not yet escalated'}</h3>
        {detail.escalation.current && (
          <p>
            Call now: <strong>{detail.escalation.current.contacts.join(', ')}</strong> ({detail.escalation.current.description})
          </p>
        )}
        {detail.escalation.next && i.nextEscalationAt && (
          <p className="muted">
            Next: level {detail.escalation.next.level} ({detail.escalation.next.contacts.join(', ')}) at {new Date(i.nextEscalationAt).toLocaleTimeString()}
          </p>
        )}
      </section>
      {i.state !== 'resolved' && (
        <WhoToCall
          incidentId={i.id}
          heading={detail.escalation.current ? `Who to call now (level ${detail.escalation.current.level})` : 'First responders (level 1)'}
          names={(detail.escalation.current ?? detail.escalation.next)?.contacts ?? []}
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

export function IncidentsView() {
  const items = useConsole((s) => s.incidents.items);
  const loaded = useConsole((s) => s.incidents.loaded);
  const selectedId = useConsole((s) => s.incidents.selectedId);
  const filter = useConsole((s) => s.incidents.filter);
  const load = useConsole((s) => s.loadIncidents);
  const select = useConsole((s) => s.selectIncident);
  const move = useConsole((s) => s.moveSelection);
  const setFilter = useConsole((s) => s.setIncidentFilter);
  const act = useConsole((s) => s.incidentAction);
  const feedState = useConsole((s) => s.status?.feed.state);
  const feedSince = useConsole((s) => s.status?.feed.since);
  const parentRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const onSelect = useCallback((id: string) => void select(id), [select]);

  useEffect(() => {
    void load();
  }, [load]);

  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 12 });
  // Follow the selection when it changes, not when updates re-sort the list under it.
  useEffect(() => {
    const index = items.findIndex((i) => i.id === selectedId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTyping(e)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const id = selectedId;
      const keys: Record<string, () => void> = {
        j: () => move(1),
        k: () => move(-1),
        a: () => id && void act('acknowledge', id),
        r: () => id && void act('resolve', id),
        e: () => id && void act('escalate', id),
        n: () => document.getElementById('incident-note')?.focus(),
        '/': () => searchRef.current?.focus(),
      };
      const fn = keys[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectedId, move, act]);

  return (
    <section className="view incidents-view" aria-labelledby="view-incidents">
      <div className="view-header">
        <h1 id="view-incidents">Incidents</h1>
        <span className="muted">j/k move · a acknowledge · r resolve · n note · e escalate · / search</span>
      </div>
      <div className="toolbar">
        <label>
          State
          <select value={filter.state} onChange={(e) => setFilter({ state: e.target.value as typeof filter.state })}>
            <option value="open">Open</option>
            <option value="triggered">Triggered</option>
            <option value="acknowledged">Acknowledged</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </label>
        <label>
          Severity
          <select value={filter.severity} onChange={(e) => setFilter({ severity: e.target.value as typeof filter.severity })}>
            <option value="">Any</option>
            <option value="SEV1">SEV1</option>
            <option value="SEV2">SEV2</option>
            <option value="SEV3">SEV3</option>
          </select>
        </label>
        <label>
          Search
          <input ref={searchRef} value={filter.search} onChange={(e) => setFilter({ search: e.target.value })} placeholder="id, service, text" />
        </label>
        <span className="muted">{items.length} shown</span>
      </div>
      <div className="split">
        {loaded && items.length === 0 ? (
          <p className="empty incident-list">
            {feedState === 'not_configured'
              ? 'No incidents. No relay is configured: start with --relay-url (see README) or try npm run demo.'
              : feedState !== 'connected' && feedSince
                ? `No incidents here — but this console is not receiving alerts (since ${new Date(feedSince).toLocaleTimeString()}), so this is not an all-clear.`
                : 'No incidents match.'}
          </p>
        ) : (
          <div ref={parentRef} className="incident-list" role="table" aria-label="Incidents" data-testid="incident-list">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((v) => {
                const inc = items[v.index]!;
                return <IncidentRow key={inc.id} incident={inc} top={v.start} selected={inc.id === selectedId} onSelect={onSelect} />;
              })}
            </div>
          </div>
        )}
        <Detail />
      </div>
    </section>
  );
}
