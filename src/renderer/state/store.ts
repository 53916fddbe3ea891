import { create } from 'zustand';
import type { ContractClient } from '../../shared/contract.js';
import type { AuditRecord, AuditVerifyReport } from '../../shared/domain/audit.js';
import type { Severity } from '../../shared/domain/alert.js';
import type { Incident, IncidentDetail, PageEvent } from '../../shared/domain/incident.js';
import type { ProbeView, SafetyAssessment } from '../../shared/domain/probe.js';
import type { ContactBook, Runbook, RunbookRun } from '../../shared/domain/runbook.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { ConsoleError } from '../../shared/errors.js';

export const VIEWS = ['incidents', 'health', 'runbooks', 'contacts', 'dashboard', 'handoff', 'audit', 'status'] as const;
export type View = (typeof VIEWS)[number];

export interface AuditFilterState {
  operator: string;
  action: string;
  since: string; // datetime-local value or ''
  until: string;
}

const PAGE = 200;

export interface IncidentFilterState {
  state: 'open' | 'triggered' | 'acknowledged' | 'resolved' | 'all';
  severity: '' | Severity;
  search: string;
}

const STATE_RANK = { triggered: 0, acknowledged: 1, resolved: 2 } as const;
/** The same order main lists them in: triggered first, then severity, newest first. */
export function compareIncidents(a: Incident, b: Incident): number {
  // plain comparisons: localeCompare is far too slow for 10,000 items several times a second
  return STATE_RANK[a.state] - STATE_RANK[b.state] || (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0) || (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0);
}

export type IncidentAction = 'acknowledge' | 'resolve' | 'note' | 'escalate' | 'snooze' | 'reassign';

/**
 * A short tone through WebAudio: no sound file to ship, nothing for the CSP to
 * allow. One AudioContext for the page (making one is slow), and at most one
 * tone a second however many pages arrive.
 */
let audio: AudioContext | null = null;
let lastTone = 0;

/**
 * Make the AudioContext on the person's first click or key press: browsers let
 * audio play only after a user gesture, and making it then keeps that cost off
 * the paging path.
 */
export function primeAudioOnFirstGesture(): void {
  const prime = () => {
    try {
      audio ??= new AudioContext();
      void audio.resume();
    } catch {
      // no audio device: the banner still shows
    }
  };
  window.addEventListener('pointerdown', prime, { once: true, capture: true });
  window.addEventListener('keydown', prime, { once: true, capture: true });
}
function beep(severity: Severity): void {
  const now = Date.now();
  if (now - lastTone < 1000) return;
  lastTone = now;
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = severity === 'SEV1' ? 880 : 660;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (severity === 'SEV1' ? 0.6 : 0.25));
  } catch {
    // audio can be unavailable (no device, autoplay policy): the banner still shows
  }
}

export interface ConsoleStore {
  client: ContractClient;
  // connection / status slice
  status: ConsoleStatus | null;
  lastError: string | null;
  setStatus(status: ConsoleStatus): void;
  refreshStatus(): Promise<void>;
  // operator slice
  signIn(userId: string, displayName: string, pin?: string): Promise<boolean>;
  unlock(userId: string, pin?: string): Promise<boolean>;
  signOut(): Promise<void>;
  // navigation slice
  view: View;
  setView(view: View): void;
  // incidents slice
  incidents: {
    items: Incident[];
    loaded: boolean;
    selectedId: string | null;
    detail: IncidentDetail | null;
    filter: IncidentFilterState;
  };
  loadIncidents(): Promise<void>;
  /** merge just these changed incidents (falls back to a full reload for big bursts) */
  refreshIncidents(ids: string[]): Promise<void>;
  selectIncident(id: string | null): Promise<void>;
  moveSelection(delta: number): void;
  setIncidentFilter(patch: Partial<IncidentFilterState>): void;
  incidentAction(action: IncidentAction, id: string, extra?: { text?: string; to?: string; minutes?: number }): Promise<boolean>;
  // runbooks slice
  runbooks: { catalogue: Runbook[]; errors: string[]; runs: RunbookRun[]; selectedRunId: string | null; incidentRuns: RunbookRun[] };
  loadRunbooks(): Promise<void>;
  selectRun(id: string): void;
  startRunbook(runbookId: string, incidentId?: string): Promise<void>;
  runbookAction(kind: 'tick' | 'override' | 'answer', runId: string, stepId: string, extra?: { note?: string; reason?: string; answer?: string }): Promise<boolean>;
  refreshRunbooks(): Promise<void>;
  // contacts slice
  contacts: { book: ContactBook | null; error: string | null; loaded: boolean };
  loadContacts(): Promise<void>;
  markContacted(incidentId: string, contact: string): Promise<void>;
  // health slice
  health: { probes: ProbeView[]; errors: string[]; safety: SafetyAssessment | null; profile: string; loaded: boolean };
  loadHealth(): Promise<void>;
  runProbe(id: string): Promise<void>;
  // paging slice
  banner: PageEvent | null;
  onPage(page: PageEvent): void;
  dismissBanner(): void;
  // audit slice
  audit: {
    records: AuditRecord[];
    total: number;
    loading: boolean;
    filter: AuditFilterState;
    verification: AuditVerifyReport | null;
  };
  setAuditFilter(patch: Partial<AuditFilterState>): void;
  loadAudit(reset: boolean): Promise<void>;
  verifyAudit(): Promise<void>;
  exportAudit(format: 'jsonl' | 'csv'): Promise<{ filename: string; mimeType: string; content: string } | null>;
}

/** The line shown in the error bar; null for a locked console (the lock screen already says so). */
function message(err: unknown): string | null {
  if (err instanceof ConsoleError) return err.code === 'E_LOCKED' ? null : err.message;
  return 'the console could not be reached';
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function createConsoleStore(client: ContractClient) {
  return create<ConsoleStore>((set, get) => ({
    client,
    status: null,
    lastError: null,
    setStatus: (status) => set({ status }),
    async refreshStatus() {
      try {
        set({ status: await client.request('console.status', {}), lastError: null });
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    async unlock(userId, pin) {
      try {
        await client.request('operator.unlock', { userId, ...(pin ? { pin } : {}) });
        set({ lastError: null, banner: null });
        await get().refreshStatus();
        return true;
      } catch (err) {
        set({ lastError: message(err) });
        return false;
      }
    },
    async signIn(userId, displayName, pin) {
      try {
        await client.request('operator.signIn', { userId, displayName, ...(pin ? { pin } : {}) });
        set({ lastError: null });
        await get().refreshStatus();
        return true;
      } catch (err) {
        set({ lastError: message(err) });
        return false;
      }
    },
    async signOut() {
      try {
        await client.request('operator.signOut', {});
        await get().refreshStatus();
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    view: 'incidents',
    setView: (view) => set({ view }),

    incidents: { items: [], loaded: false, selectedId: null, detail: null, filter: { state: 'open', severity: '', search: '' } },
    async loadIncidents() {
      const f = get().incidents.filter;
      try {
        const { incidents } = await client.request('incidents.list', {
          state: f.state,
          ...(f.severity ? { severity: f.severity } : {}),
          ...(f.search.trim() ? { search: f.search.trim() } : {}),
        });
        set((s) => {
          const selectedId = s.incidents.selectedId && incidents.some((i) => i.id === s.incidents.selectedId) ? s.incidents.selectedId : (incidents[0]?.id ?? null);
          return { incidents: { ...s.incidents, items: incidents, loaded: true, selectedId } };
        });
        const sel = get().incidents.selectedId;
        if (sel) await get().selectIncident(sel);
        else set((s) => ({ incidents: { ...s.incidents, detail: null } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async refreshIncidents(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return;
      if (unique.length > 500 || !get().incidents.loaded) return get().loadIncidents();
      try {
        const { incidents: fresh } = await client.request('incidents.byIds', { ids: unique });
        const f = get().incidents.filter;
        const search = f.search.trim().toLowerCase();
        const matches = (i: Incident) =>
          (f.state === 'all' || (f.state === 'open' ? i.state !== 'resolved' : i.state === f.state)) &&
          (!f.severity || i.severity === f.severity) &&
          (!search || i.id.toLowerCase().includes(search) || i.service.toLowerCase().includes(search) || i.summary.toLowerCase().includes(search));
        // Replace in place; re-sort only when an order key changed or rows came or went
        // (a storm of updates should not rebuild 10,000 rows four times a second).
        const items = get().incidents.items.slice();
        const freshById = new Map(fresh.map((i) => [i.id, i]));
        let reorder = false;
        for (const id of unique) {
          const at = items.findIndex((x) => x.id === id);
          const next = freshById.get(id);
          const keep = next !== undefined && matches(next);
          if (at >= 0 && keep) {
            const old = items[at]!;
            if (old.state !== next.state || old.severity !== next.severity) reorder = true;
            items[at] = next;
          } else if (at >= 0) {
            items.splice(at, 1);
          } else if (keep) {
            items.push(next);
            reorder = true;
          }
        }
        if (reorder) items.sort(compareIncidents);
        const current = get().incidents.selectedId;
        const keep = current !== null && items.some((i) => i.id === current);
        set((s) => ({ incidents: { ...s.incidents, items, selectedId: keep ? current : (items[0]?.id ?? null), ...(keep ? {} : { detail: null }) } }));
        const sel = get().incidents.selectedId;
        if (sel && (!keep || unique.includes(sel))) await get().selectIncident(sel);
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async selectIncident(id) {
      set((s) => ({ incidents: { ...s.incidents, selectedId: id } }));
      if (!id) return;
      try {
        const [detail, { runs }] = await Promise.all([client.request('incidents.get', { id }), client.request('runbooks.runs', { incidentId: id, state: 'all' })]);
        if (get().incidents.selectedId === id) set((s) => ({ incidents: { ...s.incidents, detail }, runbooks: { ...s.runbooks, incidentRuns: runs } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    moveSelection(delta) {
      const { items, selectedId } = get().incidents;
      if (items.length === 0) return;
      const at = Math.max(0, items.findIndex((i) => i.id === selectedId));
      const next = items[Math.min(items.length - 1, Math.max(0, at + delta))]!;
      void get().selectIncident(next.id);
    },
    setIncidentFilter(patch) {
      set((s) => ({ incidents: { ...s.incidents, filter: { ...s.incidents.filter, ...patch } } }));
      void get().loadIncidents();
    },
    async incidentAction(action, id, extra = {}) {
      try {
        if (action === 'acknowledge') await client.request('incidents.acknowledge', { id });
        else if (action === 'resolve') await client.request('incidents.resolve', { id });
        else if (action === 'escalate') await client.request('incidents.escalate', { id });
        else if (action === 'note') await client.request('incidents.note', { id, text: extra.text ?? '' });
        else if (action === 'snooze') await client.request('incidents.snooze', { id, minutes: extra.minutes ?? 15 });
        else await client.request('incidents.reassign', { id, to: extra.to ?? '' });
        set({ lastError: null });
        await get().loadIncidents();
        return true;
      } catch (err) {
        set({ lastError: message(err) });
        return false;
      }
    },

    runbooks: { catalogue: [], errors: [], runs: [], selectedRunId: null, incidentRuns: [] },
    async loadRunbooks() {
      try {
        const [{ runbooks: catalogue, errors }, { runs }] = await Promise.all([client.request('runbooks.catalogue', {}), client.request('runbooks.runs', { state: 'all' })]);
        set((s) => ({ runbooks: { ...s.runbooks, catalogue, errors, runs, selectedRunId: s.runbooks.selectedRunId ?? runs.find((r) => r.state === 'active')?.id ?? runs[0]?.id ?? null } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    selectRun: (id) => set((s) => ({ runbooks: { ...s.runbooks, selectedRunId: id } })),
    async startRunbook(runbookId, incidentId) {
      try {
        const run = await client.request('runbooks.start', { runbookId, ...(incidentId ? { incidentId } : {}) });
        set((s) => ({ runbooks: { ...s.runbooks, selectedRunId: run.id } }));
        await get().refreshRunbooks();
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async runbookAction(kind, runId, stepId, extra = {}) {
      try {
        if (kind === 'tick') await client.request('runbooks.tick', { runId, stepId, ...(extra.note ? { note: extra.note } : {}) });
        else if (kind === 'override') await client.request('runbooks.override', { runId, stepId, reason: extra.reason ?? '' });
        else await client.request('runbooks.answer', { runId, stepId, answer: extra.answer ?? '' });
        set({ lastError: null });
        await get().refreshRunbooks();
        return true;
      } catch (err) {
        set({ lastError: message(err) });
        return false;
      }
    },
    async refreshRunbooks() {
      const incidentId = get().incidents.selectedId;
      try {
        const [{ runs }, incidentRuns] = await Promise.all([
          client.request('runbooks.runs', { state: 'all' }),
          incidentId ? client.request('runbooks.runs', { incidentId, state: 'all' }).then((r) => r.runs) : Promise.resolve([]),
        ]);
        set((s) => ({ runbooks: { ...s.runbooks, runs, incidentRuns } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    contacts: { book: null, error: null, loaded: false },
    async loadContacts() {
      try {
        const { book, error } = await client.request('contacts.list', {});
        set({ contacts: { book, error, loaded: true } });
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async markContacted(incidentId, contact) {
      try {
        await client.request('incidents.contacted', { id: incidentId, contact });
        await get().selectIncident(incidentId);
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    health: { probes: [], errors: [], safety: null, profile: '', loaded: false },
    async loadHealth() {
      try {
        const h = await client.request('probes.list', {});
        set({ health: { ...h, loaded: true } });
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async runProbe(id) {
      try {
        await client.request('probes.run', { id });
        await get().loadHealth();
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    banner: null,
    onPage(page) {
      // The OS notification carries the page; when it failed, the console itself must be loud.
      if (page.fallback) {
        set({ banner: page });
        beep(page.severity);
      }
    },
    dismissBanner: () => set({ banner: null }),

    audit: {
      records: [],
      total: 0,
      loading: false,
      filter: { operator: '', action: '', since: '', until: '' },
      verification: null,
    },
    setAuditFilter(patch) {
      set((s) => ({ audit: { ...s.audit, filter: { ...s.audit.filter, ...patch } } }));
    },
    async loadAudit(reset) {
      const { audit } = get();
      if (audit.loading) return;
      if (!reset && audit.records.length >= audit.total && audit.total > 0) return;
      set((s) => ({ audit: { ...s.audit, loading: true } }));
      const f = audit.filter;
      const last = reset ? undefined : audit.records.at(-1)?.seq;
      try {
        const page = await client.request('audit.list', {
          limit: PAGE,
          ...(last ? { beforeSeq: last } : {}),
          ...(f.operator ? { operator: f.operator } : {}),
          ...(f.action ? { action: f.action } : {}),
          ...(toIso(f.since) ? { since: toIso(f.since) } : {}),
          ...(toIso(f.until) ? { until: toIso(f.until) } : {}),
        });
        set((s) => ({
          lastError: null,
          audit: {
            ...s.audit,
            loading: false,
            total: page.total,
            records: reset ? page.records : [...s.audit.records, ...page.records],
          },
        }));
      } catch (err) {
        set((s) => ({ lastError: message(err), audit: { ...s.audit, loading: false } }));
      }
    },
    async verifyAudit() {
      try {
        const verification = await client.request('audit.verify', { mode: 'full' });
        set((s) => ({ audit: { ...s.audit, verification } }));
      } catch (err) {
        set({ lastError: message(err) });
      }
    },
    async exportAudit(format) {
      const f = get().audit.filter;
      try {
        return await client.request('audit.export', {
          format,
          ...(toIso(f.since) ? { since: toIso(f.since) } : {}),
          ...(toIso(f.until) ? { until: toIso(f.until) } : {}),
        });
      } catch (err) {
        set({ lastError: message(err) });
        return null;
      }
    },
  }));
}

export type ConsoleStoreHook = ReturnType<typeof createConsoleStore>;
