import { memo, useCallback, useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useConsole } from '../state/context.js';
import type { Incident } from '../../shared/domain/incident.js';
import { countdown, useNow } from './useNow.js';
import { Detail } from './IncidentDetail.js';
import { isTyping } from './keyboard.js';

const ROW = 48;


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

/** The list's columns: a header cell each, in the order of the row's cells. */
const COLUMNS = ['Sev', 'Opened', 'Summary · service', 'State', 'Respond', 'Alerts', 'Sync'] as const;

/** The part of an id that tells incidents apart: its time (and suffix); ids share the date prefix. */
function shortId(id: string): string {
  const m = /^MAI-\d{8}-(\d{2})(\d{2})(\d{2})(-\d+)?$/.exec(id);
  return m ? `${m[1]}:${m[2]}:${m[3]}${m[4] ? ` #${m[4].slice(1)}` : ''}` : id;
}

/** Memoised: an update to one incident re-renders one row, not the screenful. */
const IncidentRow = memo(function IncidentRow({ incident, index, selected, focusable, top, onSelect }: { incident: Incident; index: number; selected: boolean; focusable: boolean; top: number; onSelect: (id: string) => void }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={focusable ? 0 : -1}
      className={`incident-row${selected ? ' selected' : ''} row-${incident.state}`}
      data-testid="incident-row"
      data-incident-id={incident.id}
      onClick={() => onSelect(incident.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(incident.id);
        }
      }}
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${top}px)` }}
    >
      <span role="gridcell" className={`sev sev-${incident.severity}`}>{incident.severity}</span>
      <span role="gridcell" className="mono" title={incident.id}>
        {shortId(incident.id)}
      </span>
      <span role="gridcell" className="summary" title={incident.summary}>
        <span className="summary-text">
          <span data-testid="incident-summary">{incident.summary}</span> <span className="muted">· {incident.service}</span>
        </span>
      </span>
      <span role="gridcell" className={`incident-state state-${incident.state}`} data-testid="incident-state">
        {incident.state}
      </span>
      <span role="gridcell">
        <Countdown incident={incident} />
      </span>
      <span role="gridcell" title="Alerts grouped into this incident">×{incident.alertCount}</span>
      <span role="gridcell">
        {incident.pendingSync ? (
          <span className="pill level-degraded" data-testid="pending-sync" title="Acted on here; not yet at the relay">
            ⇡ <span className="visually-hidden">pending sync</span>
          </span>
        ) : (
          ''
        )}
      </span>
    </div>
  );
});

/** Who to call now: the current escalation level's contacts (level 1 before any escalation). */
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
  const resolveWithUndo = useConsole((s) => s.resolveWithUndo);
  const undo = useConsole((s) => s.undoResolve);
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

  // Rows arriving above the selected one push it down: scroll with it, so it stays where the eye is.
  // Only for the same incident moving in the list; a new selection is followed by the effect above.
  const anchor = useRef<{ id: string | null; index: number }>({ id: null, index: -1 });
  useEffect(() => {
    const index = items.findIndex((i) => i.id === selectedId);
    const el = parentRef.current;
    const was = anchor.current;
    if (el && index >= 0 && was.id === selectedId && was.index >= 0 && index !== was.index) el.scrollTop += (index - was.index) * ROW;
    if (index >= 0) anchor.current = { id: selectedId, index };
  }, [items, selectedId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTyping(e)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      // acting keys act on the row that has the focus, else the selected one — never on one that moved under them
      const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-incident-id]')?.dataset.incidentId;
      const id = focused ?? selectedId;
      const keys: Record<string, () => void> = {
        j: () => move(1),
        k: () => move(-1),
        a: () => id && void act('acknowledge', id),
        r: () => id && resolveWithUndo(id),
        u: () => undo(),
        e: () => id && void act('escalate', id),
        n: () => document.getElementById('incident-note')?.focus(),
        // the selected incident's runbook: its next step, in view and focused
        b: () => {
          const step = document.querySelector<HTMLElement>('.incident-detail .step-next button, .incident-detail [data-testid="runbook"]');
          step?.scrollIntoView({ block: 'center' });
          step?.focus();
        },
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
  }, [selectedId, move, act, resolveWithUndo, undo]);

  return (
    <section className="view incidents-view" aria-labelledby="view-incidents">
      <div className="view-header">
        <h1 id="view-incidents">Incidents</h1>
        <span className="muted">j/k move · a acknowledge · r resolve (u undo) · e escalate · b runbook · n note · / search · ? all keys</span>
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
          <p className="empty incident-table">
            {feedState === 'not_configured'
              ? 'No incidents. No relay is configured: start with --relay-url (see README) or try npm run demo.'
              : feedState !== 'connected' && feedSince
                ? `No incidents here — but this console is not receiving alerts (since ${new Date(feedSince).toLocaleTimeString()}), so this is not an all-clear.`
                : filter.state !== 'open' || filter.severity || filter.search.trim()
                  ? (
                    <>
                      No incidents match this filter.{' '}
                      <button type="button" className="link" onClick={() => setFilter({ state: 'open', severity: '', search: '' })}>
                        Show all open incidents
                      </button>
                    </>
                  )
                  : `No open incidents — and alerts are arriving: the relay link is up${feedSince ? ` since ${new Date(feedSince).toLocaleTimeString()}` : ''}.`}
          </p>
        ) : (
          <div className="incident-table" role="grid" aria-label="Incidents" aria-rowcount={items.length + 1}>
            <div role="rowgroup">
              <div role="row" aria-rowindex={1} className="incident-row incident-head">
                {COLUMNS.map((c) => (
                  <span key={c} role="columnheader">
                    {c}
                  </span>
                ))}
              </div>
            </div>
            <div ref={parentRef} className="incident-list" role="rowgroup" data-testid="incident-list">
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((v) => {
                  const inc = items[v.index]!;
                  // one row takes Tab (the selected one, else the first): the list is one stop, arrows and j/k move within
                  const focusable = selectedId ? inc.id === selectedId : v.index === 0;
                  return <IncidentRow key={inc.id} incident={inc} index={v.index} top={v.start} selected={inc.id === selectedId} focusable={focusable} onSelect={onSelect} />;
                })}
              </div>
            </div>
          </div>
        )}
        <Detail />
      </div>
    </section>
  );
}
