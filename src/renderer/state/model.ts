// The renderer store's shape: every slice's state and actions, and the store
// they make together. Types (and the list of views) only: the slices
// implement them, so no slice imports the store.
import type { ContractClient } from '../../shared/contract.js';
import type { Severity } from '../../shared/domain/alert.js';
import type { AuditRecord, AuditVerifyReport } from '../../shared/domain/audit.js';
import type { Incident, IncidentDetail, PageEvent } from '../../shared/domain/incident.js';
import type { IncidentQuery } from '../../shared/domain/incident-query.js';
import type { ProbeView, SafetyAssessment } from '../../shared/domain/probe.js';
import type { ContactBook, Runbook, RunbookRun } from '../../shared/domain/runbook.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';

export const VIEWS = ['incidents', 'health', 'runbooks', 'contacts', 'dashboard', 'handoff', 'audit', 'status'] as const;
export type View = (typeof VIEWS)[number];

export interface SessionSlice {
  status: ConsoleStatus | null;
  lastError: string | null;
  setStatus(status: ConsoleStatus): void;
  refreshStatus(): Promise<void>;
  signIn(userId: string, displayName: string, pin?: string): Promise<boolean>;
  unlock(userId: string, pin?: string): Promise<boolean>;
  signOut(): Promise<void>;
  view: View;
  setView(view: View): void;
  /** May details be shown (and kept)? Only to a signed-in operator of an unlocked console. */
  canRead(): boolean;
  /** Drop every incident, alert text, runbook run, audit record and page held: after sign-out or lock. */
  reset(): void;
}

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
  incidentAction(action: IncidentAction, id: string, extra?: { text?: string; to?: string; minutes?: number }): Promise<boolean>;
  markContacted(incidentId: string, contact: string): Promise<void>;
  resetIncidents(): void;
}

export interface RunbooksSlice {
  runbooks: { catalogue: Runbook[]; errors: string[]; runs: RunbookRun[]; selectedRunId: string | null; incidentRuns: RunbookRun[] };
  loadRunbooks(): Promise<void>;
  selectRun(id: string): void;
  startRunbook(runbookId: string, incidentId?: string): Promise<void>;
  runbookAction(kind: 'tick' | 'override' | 'answer', runId: string, stepId: string, extra?: { note?: string; reason?: string; answer?: string }): Promise<boolean>;
  refreshRunbooks(): Promise<void>;
  resetRunbooks(): void;
}

export interface ContactsSlice {
  contacts: { book: ContactBook | null; error: string | null; loaded: boolean };
  loadContacts(): Promise<void>;
}

export interface HealthSlice {
  health: { probes: ProbeView[]; errors: string[]; safety: SafetyAssessment | null; profile: string; loaded: boolean };
  loadHealth(): Promise<void>;
  runProbe(id: string): Promise<void>;
}

/** The tone a page plays; the renderer's entry point passes the WebAudio one (src/renderer/audio.ts). */
export type Tone = (severity: Severity) => void;

export interface PagingSlice {
  banner: PageEvent | null;
  onPage(page: PageEvent): void;
  dismissBanner(): void;
}

export interface AuditFilterState {
  operator: string;
  action: string;
  since: string; // datetime-local value or ''
  until: string;
}

export interface AuditSlice {
  audit: { records: AuditRecord[]; total: number; loading: boolean; filter: AuditFilterState; verification: AuditVerifyReport | null };
  setAuditFilter(patch: Partial<AuditFilterState>): void;
  loadAudit(reset: boolean): Promise<void>;
  verifyAudit(): Promise<void>;
  exportAudit(format: 'jsonl' | 'csv'): Promise<{ filename: string; mimeType: string; content: string } | null>;
  resetAudit(): void;
}

export type ConsoleStore = { client: ContractClient } & SessionSlice & IncidentsSlice & RunbooksSlice & ContactsSlice & HealthSlice & PagingSlice & AuditSlice;
