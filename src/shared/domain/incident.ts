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
  /** the alerts it holds (a group's alerts; repeats of one alert count once) */
  alertCount: number;
  /** of them, the ones still firing at their source */
  firingCount: number;
  /** alerts of the group the sender left out of its deliveries (Alertmanager's truncatedAlerts) */
  truncatedAlerts: number;
  previousId: string | null;
  /** an action taken here has not reached the relay yet */
  pendingSync: boolean;
  responseDueAt: string;
  /** acknowledged: when the acknowledgement lapses and it pages again if still open; null: it does not */
  ackExpiresAt: string | null;
  nextEscalationAt: string | null;
  /**
   * How many incident changes this console had told of when it read this
   * copy. Answers and events travel apart, so an older copy can arrive after
   * a newer one: of two copies of an incident from one console, keep the
   * one with the higher figure.
   */
  asOf: number;
}

export interface TimelineEntry {
  at: string;
  kind: string; // alert.firing, alert.resolved, acknowledged, resolved, note, reassigned, snoozed, escalated, paged, synced…
  actor: string;
  text: string;
}

/** One alert of an incident, with its own state. */
export interface IncidentMember {
  key: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  summary: string;
  firstSeen: string;
  lastSeen: string;
  /** how many times its source sent it while it belonged here */
  repeats: number;
  /** who acknowledged this one alert; null: nobody */
  acknowledgedBy: string | null;
}

export interface IncidentDetail {
  incident: Incident;
  timeline: TimelineEntry[];
  /** the newest deliveries (up to 200), as received */
  alerts: Alert[];
  escalation: { current: EscalationLevel | null; next: EscalationLevel | null };
  /** every alert it holds: `total`, and up to 500 of them listed */
  members: { total: number; alerts: IncidentMember[] };
}

export interface PageEvent {
  incidentId: string;
  severity: Severity;
  title: string;
  message: string;
  /** ack-timeout: acknowledged, still open past its severity's acknowledgement timeout, back to triggered */
  reason: 'new' | 'repeat' | 'escalation' | 'ack-timeout';
  /** the OS notification failed: the console shows a banner and plays a sound instead */
  fallback: boolean;
}
