import type { Alert, AlertSource, Severity } from './alert.js';
import type { EscalationLevel } from './severity.js';

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  id: string; // MAI-YYYYMMDD-HHMMSS, with -2, -3… when a second opens in the same second
  key: string;
  severity: Severity;
  service: string;
  summary: string;
  source: AlertSource | 'local';
  state: IncidentState;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null; // display text, e.g. "Rita Jones (rn.jones) at ward-b"
  resolvedAt: string | null;
  assignee: string | null;
  snoozedUntil: string | null;
  escalationLevel: number;
  alertCount: number;
  previousId: string | null;
  /** an action taken here has not reached the relay yet */
  pendingSync: boolean;
  responseDueAt: string;
  nextEscalationAt: string | null;
}

export interface TimelineEntry {
  at: string;
  kind: string; // alert.firing, alert.resolved, acknowledged, resolved, note, reassigned, snoozed, escalated, paged, synced…
  actor: string;
  text: string;
}

export interface IncidentDetail {
  incident: Incident;
  timeline: TimelineEntry[];
  alerts: Alert[];
  escalation: { current: EscalationLevel | null; next: EscalationLevel | null };
}

export interface PageEvent {
  incidentId: string;
  severity: Severity;
  title: string;
  message: string;
  reason: 'new' | 'repeat' | 'escalation';
  /** the OS notification failed: the console shows a banner and plays a sound instead */
  fallback: boolean;
}
