// Slice: the incident list (ordered, with a map by id), the selected incident
// and its detail. Lists change through events and action replies only: an
// acknowledgement is one request, and the event that follows is merged
// without asking main again.
import { compareIncidents, incidentMatches, type IncidentQuery } from '../../shared/domain/incident-query.js';
import type { Incident, IncidentDetail } from '../../shared/domain/incident.js';
import type { RunbookRun } from '../../shared/domain/runbook.js';
import { message, type SliceCreator } from './slice.js';
import { listRows, type GroupingMode } from './list-rows.js';

export interface IncidentFilterState {
  state: IncidentQuery['state'];
  severity: NonNullable<IncidentQuery['severity']>;
  search: string;
}

export type IncidentAction = 'acknowledge' | 'resolve' | 'note' | 'escalate' | 'snooze' | 'reassign';

export interface IncidentsState {
  /** in list order */
  items: Incident[];
  byId: Record<string, Incident>;
  loaded: boolean;
  selectedId: string | null;
  detail: IncidentDetail | null;
  filter: IncidentFilterState;
  /** alike incidents folded into one row (auto: above 50 shown), and the rows opened */
  grouping: { mode: GroupingMode; expanded: Record<string, boolean> };
}

export interface IncidentsSlice {
  incidents: IncidentsState;
  loadIncidents(): Promise<void>;
  /** changed incidents from an event: merged as sent, or fetched (one request) when the event carried only ids */
  incidentsChanged(ids: string[], incidents?: Incident[]): Promise<void>;
  /** merge just these changed incidents (falls back to a full reload for big bursts) */
  refreshIncidents(ids: string[]): Promise<void>;
  selectIncident(id: string | null): Promise<void>;
  moveSelection(delta: number): void;
  setIncidentFilter(patch: Partial<IncidentFilterState>): void;
  incidentAction(action: IncidentAction, id: string, extra?: { text?: string; to?: string; minutes?: number; until?: string; reason?: string }): Promise<boolean>;
  /** one alert inside an incident: acknowledge, resolve, or split it out into its own incident */
  alertAction(id: string, alertKey: string, action: 'acknowledge' | 'resolve' | 'split'): Promise<boolean>;
  /** acknowledge a selection (a folded row's incidents); answers how many, and what was left */
  acknowledgeMany(ids: string[]): Promise<{ acknowledged: number; skipped: number } | null>;
  setGrouping(mode: GroupingMode): void;
  /** open or fold a group row (toggle when `open` is not given) */
  toggleGroup(key: string, open?: boolean): void;
  markContacted(incidentId: string, contact: string): Promise<void>;
  resetIncidents(): void;
}

const EMPTY: Omit<IncidentsState, 'filter' | 'grouping'> = { items: [], byId: {}, loaded: false, selectedId: null, detail: null };

export const createIncidentsSlice: SliceCreator<IncidentsSlice, { lastError: string | null; canRead(): boolean; runbooks: { incidentRuns: RunbookRun[] } }> = (set, get, client) => {
  /** Actions in flight, by incident: their reply brings the detail, so their event need not fetch it. */
  const acting = new Set<string>();
  /** The incident as this console's own action left it: its event, when it comes after the reply, is already shown. */
  const settled = new Map<string, string>();

  /** Where the selected incident stood when it left the list (-1: it has not): j/k continue from there. */
  let leftAt = -1;

  /**
   * The newest copy seen of each incident, by its `asOf`: answers (HTTP) and
   * events (WebSocket) travel apart, so a copy read before an action can
   * arrive after the action's answer. Kept for incidents that left the list
   * too, so a late copy does not bring a resolved one back.
   */
  const newest = new Map<string, Incident>();
  /** The newest copy of this incident seen so far: this one (then remembered), or a newer one that came before it. */
  const newestOf = (i: Incident): Incident => {
    const seen = newest.get(i.id);
    if (seen && seen.asOf > i.asOf) return seen;
    newest.set(i.id, i);
    return i;
  };

  /** A detail with the newest copy of its incident (an event may have overtaken the answer). */
  const withNewest = (detail: IncidentDetail): IncidentDetail => {
    const incident = newestOf(detail.incident);
    return incident === detail.incident ? detail : { ...detail, incident };
  };

  /** Put fresh incidents into the list (in place; re-sort only when an order key changed or rows came or went). */
  const merge = (all: Incident[], gone: string[] = []) => {
    const fresh = all.filter((i) => newestOf(i) === i);
    const s = get().incidents;
    const byId = { ...s.byId };
    let items = s.items;
    let reorder = false;
    let changed = false;
    for (const next of fresh) {
      const old = byId[next.id];
      const keep = incidentMatches(s.filter, next);
      if (old && keep) {
        if (old.state !== next.state || old.severity !== next.severity) reorder = true;
        byId[next.id] = next;
        changed = true;
      } else if (old) {
        delete byId[next.id];
        changed = true;
      } else if (keep) {
        byId[next.id] = next;
        reorder = changed = true;
      }
    }
    for (const id of gone) if (byId[id]) (delete byId[id], (changed = true));
    if (!changed) return;
    items = reorder ? Object.values(byId).sort(compareIncidents) : items.filter((i) => byId[i.id]).map((i) => byId[i.id]!);
    const inList = s.selectedId !== null && byId[s.selectedId] !== undefined;
    // An incident that left the list (resolved, here or elsewhere) stays selected with its detail until the person
    // moves on: the selection never jumps to another incident by itself, where a next key would act on it.
    const left = !inList && s.selectedId !== null && s.detail?.incident.id === s.selectedId;
    if (left && leftAt < 0) leftAt = s.items.findIndex((i) => i.id === s.selectedId);
    const latest = inList ? byId[s.selectedId!]! : fresh.find((f) => f.id === s.selectedId);
    const detail = (inList || left) && s.detail ? { ...s.detail, incident: latest ?? s.detail.incident } : null;
    set({ incidents: { ...s, items, byId, selectedId: inList || left ? s.selectedId : (items[0]?.id ?? null), detail } });
  };

  /**
   * One request acting on an incident: its answer (the incident as it now is)
   * is shown at once; `after` runs for answers that changed more than it.
   */
  const actOn = async (id: string, request: () => Promise<IncidentDetail>, after?: (detail: IncidentDetail) => Promise<void>): Promise<boolean> => {
    acting.add(id);
    try {
      const detail = await request();
      set({ lastError: null });
      settled.set(detail.incident.id, JSON.stringify(detail.incident));
      merge([detail.incident]);
      if (after) await after(detail);
      else if (get().incidents.selectedId === id) set((s) => ({ incidents: { ...s.incidents, detail: withNewest(detail) } }));
      return true;
    } catch (err) {
      set({ lastError: message(err) });
      return false;
    } finally {
      acting.delete(id);
    }
  };

  return {
    incidents: { ...EMPTY, filter: { state: 'open', severity: '', search: '' }, grouping: { mode: 'auto', expanded: {} } },
    async loadIncidents() {
      const f = get().incidents.filter;
      try {
        const { incidents, asOf } = await client.request('incidents.list', {
          state: f.state,
          ...(f.severity ? { severity: f.severity } : {}),
          ...(f.search.trim() ? { search: f.search.trim() } : {}),
        });
        set((s) => {
          // Events that overtook the list while it was on its way: a newer copy is listed instead (if it still
          // belongs), and an incident told of after the list was read is listed too (if it belongs).
          const listed = incidents.map(newestOf);
          const ids = new Set(incidents.map((i) => i.id));
          const later = [...newest.values()].filter((i) => i.asOf > asOf && !ids.has(i.id));
          const overtaken = later.length > 0 || listed.some((n, k) => n !== incidents[k]);
          const items = overtaken ? [...listed, ...later].filter((i) => incidentMatches(f, i)).sort(compareIncidents) : incidents;
          const selectedId = s.incidents.selectedId && items.some((i) => i.id === s.incidents.selectedId) ? s.incidents.selectedId : (items[0]?.id ?? null);
          return { incidents: { ...s.incidents, items, byId: Object.fromEntries(items.map((i) => [i.id, i])), loaded: true, selectedId } };
        });
        const sel = get().incidents.selectedId;
        if (sel) await get().selectIncident(sel);
        else set((s) => ({ incidents: { ...s.incidents, detail: null } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async incidentsChanged(ids, incidents) {
      if (!get().canRead()) return;
      if (!incidents) return get().refreshIncidents(ids);
      // before the list has come, remembered all the same: the list may have been read before these changes
      if (!get().incidents.loaded) return void incidents.forEach(newestOf);
      const before = get().incidents.selectedId;
      const own = before !== null && settled.get(before) !== undefined && settled.get(before) === JSON.stringify(incidents.find((i) => i.id === before));
      if (own) settled.delete(before!);
      merge(incidents, ids.filter((id) => !incidents.some((i) => i.id === id)));
      const sel = get().incidents.selectedId;
      // the selected incident changed by someone else (or the selection moved): its timeline is new
      if (sel && (sel !== before || (ids.includes(sel) && !acting.has(sel) && !own))) await get().selectIncident(sel);
    },
    async refreshIncidents(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return;
      if (unique.length > 500 || !get().incidents.loaded) return get().loadIncidents();
      try {
        const { incidents: fresh } = await client.request('incidents.byIds', { ids: unique });
        const before = get().incidents.selectedId;
        merge(fresh, unique.filter((id) => !fresh.some((i) => i.id === id)));
        const sel = get().incidents.selectedId;
        if (sel && (sel !== before || unique.includes(sel))) await get().selectIncident(sel);
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async selectIncident(id) {
      leftAt = -1;
      set((s) => ({ incidents: { ...s.incidents, selectedId: id } }));
      if (!id) return;
      try {
        const [detail, { runs }] = await Promise.all([client.request('incidents.get', { id }), client.request('runbooks.runs', { incidentId: id, state: 'all' })]);
        if (get().incidents.selectedId === id && get().canRead()) set((s) => ({ incidents: { ...s.incidents, detail: withNewest(detail) }, runbooks: { ...s.runbooks, incidentRuns: runs } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    moveSelection(delta) {
      const { items, selectedId, grouping } = get().incidents;
      if (items.length === 0) return;
      // over the rows on screen: a folded group is one row
      const rows = listRows(items, grouping.mode, grouping.expanded);
      let found = rows.findIndex((r) => r.id === selectedId);
      if (found < 0 && selectedId) found = rows.findIndex((r) => r.group?.ids.includes(selectedId));
      // from an incident that left the list: the row now in its place is the next one down
      const to = found >= 0 ? found + delta : leftAt >= 0 ? Math.min(leftAt, rows.length) + (delta > 0 ? delta - 1 : delta) : 0;
      const next = rows[Math.min(rows.length - 1, Math.max(0, to))]!;
      void get().selectIncident(next.id);
    },
    setGrouping(mode) {
      set((s) => ({ incidents: { ...s.incidents, grouping: { ...s.incidents.grouping, mode } } }));
    },
    toggleGroup(key, open) {
      set((s) => {
        const expanded = { ...s.incidents.grouping.expanded };
        if (open ?? !expanded[key]) expanded[key] = true;
        else delete expanded[key];
        return { incidents: { ...s.incidents, grouping: { ...s.incidents.grouping, expanded } } };
      });
    },
    async alertAction(id, alertKey, action) {
      return actOn(
        id,
        () => (action === 'split' ? client.request('incidents.split', { id, alertKey }) : client.request('incidents.alertAction', { id, alertKey, action })),
        // a split answers the new incident: the old one changed too
        action === 'split' ? (detail) => get().refreshIncidents([id, detail.incident.id]) : undefined,
      );
    },
    async acknowledgeMany(ids) {
      try {
        const acknowledged: string[] = [];
        let skipped = 0;
        for (let i = 0; i < ids.length; i += 500) {
          const r = await client.request('incidents.acknowledgeMany', { ids: ids.slice(i, i + 500) });
          acknowledged.push(...r.acknowledged);
          skipped += r.skipped.length;
        }
        set({ lastError: null });
        await get().refreshIncidents(acknowledged);
        return { acknowledged: acknowledged.length, skipped };
      } catch (err) {
        set({ lastError: message(err) });
        return null;
      }
    },
    setIncidentFilter(patch) {
      set((s) => ({ incidents: { ...s.incidents, filter: { ...s.incidents.filter, ...patch } } }));
      void get().loadIncidents();
    },
    async incidentAction(action, id, extra = {}) {
      return actOn(id, () =>
        action === 'acknowledge'
          ? client.request('incidents.acknowledge', { id })
          : action === 'resolve'
            ? client.request('incidents.resolve', { id })
            : action === 'escalate'
              ? client.request('incidents.escalate', { id })
              : action === 'note'
                ? client.request('incidents.note', { id, text: extra.text ?? '' })
                : action === 'snooze'
                  ? client.request('incidents.snooze', { id, ...(extra.until ? { until: extra.until } : { minutes: extra.minutes ?? 15 }), ...(extra.reason ? { reason: extra.reason } : {}) })
                  : client.request('incidents.reassign', { id, to: extra.to ?? '' }),
      );
    },
    async markContacted(incidentId, contact) {
      acting.add(incidentId);
      try {
        const detail = await client.request('incidents.contacted', { id: incidentId, contact });
        settled.set(incidentId, JSON.stringify(detail.incident));
        merge([detail.incident]);
        if (get().incidents.selectedId === incidentId) set((s) => ({ incidents: { ...s.incidents, detail: withNewest(detail) } }));
      } catch (err) {
        set({ lastError: message(err) });
      } finally {
        acting.delete(incidentId);
      }
    },
    resetIncidents() {
      newest.clear();
      set((s) => ({ incidents: { ...EMPTY, filter: s.incidents.filter, grouping: s.incidents.grouping } }));
    },
  };
};
