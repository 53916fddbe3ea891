import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useConsole } from '../state/context.js';
import type { Incident } from '../../shared/domain/incident.js';
import { countdown, useNow } from './useNow.js';
import { Detail } from './IncidentDetail.js';
import { isTyping } from './keyboard.js';
import { listRows, type ListGroup } from '../state/list-rows.js';

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
const IncidentRow = memo(function IncidentRow({ incident, index, selected, focusable, top, onSelect, group, child, onToggle }: { incident: Incident; index: number; selected: boolean; focusable: boolean; top: number; onSelect: (id: string) => void; group: ListGroup | null; child: boolean; onToggle: (key: string) => void }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      {...(group ? { 'aria-expanded': group.expanded } : {})}
      {...(child ? { 'aria-level': 2 } : {})}
      tabIndex={focusable ? 0 : -1}
      className={`incident-row${selected ? ' selected' : ''} row-${incident.state}${group ? ' group-row' : ''}${child ? ' child-row' : ''}`}
      data-testid={group ? 'group-row' : 'incident-row'}
      data-incident-id={incident.id}
      {...(group ? { 'data-group-key': group.key, 'data-group-size': group.ids.length } : {})}
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
        {group && (
          <button
            type="button"
            className="link group-toggle"
            tabIndex={-1}
            aria-label={`${group.expanded ? 'Fold' : 'Show'} the ${group.ids.length} ${incident.severity} incidents of ${incident.service}`}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(group.key);
            }}
          >
            {group.expanded ? '▾' : '▸'}
          </button>
        )}
        <span className="summary-text">
          {group && !group.expanded ? (
            <>
              <strong>{incident.service}</strong>{' '}
              <span data-testid="group-summary">
                {group.ids.length} {incident.severity} incidents
              </span>
            </>
          ) : (
            <>
              <span data-testid="incident-summary">{incident.summary}</span> <span className="muted">· {incident.service}</span>
            </>
          )}
        </span>
      </span>
      <span role="gridcell" className={`incident-state state-${incident.state}`} data-testid="incident-state">
        {incident.state}
      </span>
      <span role="gridcell">
        <Countdown incident={incident} />
      </span>
      <span role="gridcell" title={group && !group.expanded ? `${group.alerts} alerts in these incidents` : `${incident.firingCount} of ${incident.alertCount} alerts still firing${incident.truncatedAlerts ? `; ${incident.truncatedAlerts} more the source left out` : ''}`} data-testid="alert-count">
        {group && !group.expanded ? `×${group.alerts}` : incident.alertCount > 1 || incident.firingCount !== incident.alertCount ? `${incident.firingCount}/${incident.alertCount}` : `×${incident.alertCount}`}
      </span>
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
  const byId = useConsole((s) => s.incidents.byId);
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
  const grouping = useConsole((s) => s.incidents.grouping);
  const setGrouping = useConsole((s) => s.setGrouping);
  const toggleGroup = useConsole((s) => s.toggleGroup);
  const acknowledgeMany = useConsole((s) => s.acknowledgeMany);
  const parentRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const onSelect = useCallback((id: string) => void select(id), [select]);
  const onToggle = useCallback((key: string) => toggleGroup(key), [toggleGroup]);
  const rows = useMemo(() => listRows(items, grouping.mode, grouping.expanded), [items, grouping]);
  /** a bulk action waiting for the person's yes */
  const [confirm, setConfirm] = useState<{ ids: string[]; label: string } | null>(null);
  const [bulkResult, setBulkResult] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirm) confirmRef.current?.focus();
  }, [confirm]);
  const runBulk = async () => {
    if (!confirm) return;
    const { ids, label } = confirm;
    setConfirm(null);
    const r = await acknowledgeMany(ids);
    if (r) setBulkResult(`Acknowledged ${r.acknowledged} of ${label}${r.skipped ? ` (${r.skipped} were already acknowledged or gone)` : ''}.`);
    parentRef.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
  };

  useEffect(() => {
    void load();
  }, [load]);

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 12 });
  // Follow the selection when it changes, not when updates re-sort the list under it.
  useEffect(() => {
    const index = rows.findIndex((r) => r.id === selectedId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);

  // Rows arriving above the selected one push it down: scroll with it, so it stays where the eye is.
  // Only for the same incident moving in the list; a new selection is followed by the effect above.
  const anchor = useRef<{ id: string | null; index: number }>({ id: null, index: -1 });
  useEffect(() => {
    const index = rows.findIndex((r) => r.id === selectedId);
    const el = parentRef.current;
    const was = anchor.current;
    if (el && index >= 0 && was.id === selectedId && was.index >= 0 && index !== was.index) el.scrollTop += (index - was.index) * ROW;
    if (index >= 0) anchor.current = { id: selectedId, index };
  }, [rows, selectedId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTyping(e)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      if (confirm) {
        // a bulk action waits for its yes: Enter confirms (on the focused button), Escape cancels, nothing else acts
        if (e.key === 'Escape') {
          e.preventDefault();
          setConfirm(null);
        }
        return;
      }
      // acting keys act on the row that has the focus, else the selected one — never on one that moved under them
      const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-incident-id]')?.dataset.incidentId;
      const id = focused ?? selectedId;
      const row = rows.find((r) => r.id === id);
      const folded = row?.group && !row.group.expanded ? row.group : null;
      const keys: Record<string, () => void> = {
        j: () => move(1),
        k: () => move(-1),
        // on a folded row: acknowledge every incident it holds, after a yes
        a: () => {
          if (folded) {
            const first = items.find((i) => i.id === folded.ids[0]);
            setConfirm({ ids: folded.ids, label: `${folded.ids.length} ${first?.severity ?? ''} incidents of ${first?.service ?? 'this group'}` });
          } else if (id) void act('acknowledge', id);
        },
        x: () => row?.group && toggleGroup(row.group.key),
        ArrowRight: () => row?.group && toggleGroup(row.group.key, true),
        ArrowLeft: () => row?.group && toggleGroup(row.group.key, false),
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
  }, [selectedId, move, act, resolveWithUndo, undo, rows, items, confirm, toggleGroup]);

  return (
    <section className="view incidents-view" aria-labelledby="view-incidents">
      <div className="view-header">
        <h1 id="view-incidents">Incidents</h1>
        <span className="muted">j/k move · a acknowledge · r resolve (u undo) · e escalate · b runbook · n note · x open a folded row · / search · ? all keys</span>
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
        <label>
          Fold alike
          <select value={grouping.mode} onChange={(e) => setGrouping(e.target.value as typeof grouping.mode)} title="Incidents of one service, severity and state as one row">
            <option value="auto">In a storm (over 50)</option>
            <option value="on">Always</option>
            <option value="off">Never</option>
          </select>
        </label>
        <span className="muted" data-testid="list-count">
          {items.length} shown{rows.length !== items.length ? ` in ${rows.length} rows` : ''}
        </span>
      </div>
      {confirm && (
        <div className="confirm-bar" role="alertdialog" aria-labelledby="bulk-question" data-testid="bulk-confirm">
          <span id="bulk-question">Acknowledge all {confirm.label}?</span>
          <button ref={confirmRef} type="button" className="primary" onClick={() => void runBulk()}>
            Acknowledge {confirm.ids.length}
          </button>
          <button type="button" onClick={() => setConfirm(null)}>
            Cancel (Esc)
          </button>
        </div>
      )}
      {bulkResult && !confirm && (
        <p className="muted" role="status" data-testid="bulk-result">
          {bulkResult}
        </p>
      )}
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
          <div className="incident-table" role="grid" aria-label="Incidents" aria-rowcount={rows.length + 1}>
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
                  const row = rows[v.index]!;
                  const inc = byId[row.id]!;
                  if (!inc) return null;
                  // one row takes Tab (the selected one, else the first): the list is one stop, arrows and j/k move within
                  const selected = row.id === selectedId || (row.group !== null && !row.group.expanded && selectedId !== null && row.group.ids.includes(selectedId));
                  const focusable = selectedId ? selected : v.index === 0;
                  return <IncidentRow key={`${row.group ? 'g' : row.child ? 'c' : 'r'}:${inc.id}`} incident={inc} index={v.index} top={v.start} selected={selected} focusable={focusable} onSelect={onSelect} group={row.group} child={row.child} onToggle={onToggle} />;
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
