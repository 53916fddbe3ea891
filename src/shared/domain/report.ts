import type { Severity } from './alert.js';
import type { IncidentState } from './incident.js';
import type { DegradationLevel, FeedState } from './status.js';

/**
 * The shift hand-off report: what the next person on call needs to pick up.
 * Every free-text field is PHI-masked before it leaves main.
 */
export interface HandoffReport {
  /** names this hand-off when the receiving operator signs it */
  id: string;
  generatedAt: string;
  /** the outgoing clinician's own words (PHI-masked) and what the next shift must do */
  summary: string;
  todos: string[];
  since: string;
  /** who handed off: "Display Name (user.id)" */
  preparedBy: string;
  phiLevel: string;
  system: { feed: FeedState; feedDetail: string; degradation: DegradationLevel; probesDown: number; criticalProbesDown: number; auditOk: boolean | null };
  openIncidents: {
    id: string;
    severity: Severity;
    state: IncidentState;
    service: string;
    summary: string;
    openedAt: string;
    acknowledgedBy: string | null;
    assignee: string | null;
    escalationLevel: number;
    pendingSync: boolean;
  }[];
  /** what people did during the shift, newest first (from the audit trail) */
  actions: { at: string; operator: string; action: string; subject: string; details: string }[];
  /** true when more actions happened than the report lists */
  actionsTruncated: boolean;
  runbooksInProgress: { runId: string; title: string; incidentId: string | null; incidentResolved: boolean; startedBy: string; startedAt: string; done: number; total: number; nextStep: string | null }[];
  pendingSync: { id: string; incidentId: string; action: string; at: string; operator: string }[];
  /** who is on call for each role now and over the next 12 hours (segments; person null = a gap) */
  onCall: { role: string; segments: { start: string; end: string; person: string | null }[] }[];
}

/** One table of the report: what both the page main saves and the view show. */
export interface ReportSection {
  id: 'summary' | 'system' | 'incidents' | 'runbooks' | 'oncall' | 'pending' | 'actions';
  title: string;
  headers: string[];
  rows: string[][];
  /** shown instead of an empty table */
  empty: string;
}

/** The report as titled tables of text, in reading order; `when` formats times. */
export function handoffSections(r: HandoffReport, when: (iso: string) => string = (iso) => iso): ReportSection[] {
  const sys = r.system;
  return [
    {
      id: 'summary',
      title: 'From the outgoing shift',
      headers: ['Summary', 'To do'],
      rows: r.summary || r.todos.length ? [[r.summary || '—', r.todos.length ? r.todos.map((t, i) => `${i + 1}. ${t}`).join('\n') : '—']] : [],
      empty: 'No summary was written.',
    },
    {
      id: 'system',
      title: 'System state',
      headers: ['Feed', 'Degradation', 'Probes down', 'Critical probes down', 'Audit chain'],
      rows: [[`${sys.feed} (${sys.feedDetail})`, sys.degradation, String(sys.probesDown), String(sys.criticalProbesDown), sys.auditOk === null ? 'not verified' : sys.auditOk ? 'verified' : 'FAILED verification']],
      empty: '',
    },
    {
      id: 'incidents',
      title: `Open incidents (${r.openIncidents.length})`,
      headers: ['Incident', 'Severity', 'State', 'Service', 'Summary', 'Opened', 'Acknowledged by', 'Assignee', 'Escalation', 'Sync'],
      rows: r.openIncidents.map((i) => [i.id, i.severity, i.state, i.service, i.summary, when(i.openedAt), i.acknowledgedBy ?? '—', i.assignee ?? '—', i.escalationLevel > 0 ? `level ${i.escalationLevel}` : '—', i.pendingSync ? 'pending sync' : 'synced']),
      empty: 'No open incidents.',
    },
    {
      id: 'runbooks',
      title: `Runbooks in progress (${r.runbooksInProgress.length})`,
      headers: ['Runbook', 'Incident', 'Started', 'Progress', 'Next step'],
      rows: r.runbooksInProgress.map((x) => [x.title, x.incidentId ? `${x.incidentId}${x.incidentResolved ? ' (resolved)' : ''}` : 'standalone', `${when(x.startedAt)} by ${x.startedBy}`, `${x.done} of ${x.total} steps`, x.nextStep ?? '—']),
      empty: 'No runbook in progress.',
    },
    {
      id: 'oncall',
      title: 'Who is on call (now and the next 12 hours)',
      headers: ['Role', 'Now', 'Next 12 hours'],
      rows: r.onCall.map((o) => [
        o.role,
        o.segments[0]?.person ?? 'nobody (schedule gap)',
        o.segments.map((x) => `${x.person ?? 'nobody (gap)'} until ${when(x.end)}`).join(', then ') || '—',
      ]),
      empty: 'No on-call schedules: each role is called on its own number.',
    },
    {
      id: 'pending',
      title: `Not yet synced with the relay (${r.pendingSync.length})`,
      headers: ['Action', 'Incident', 'At', 'By'],
      rows: r.pendingSync.map((p) => [p.action, p.incidentId, when(p.at), p.operator]),
      empty: 'Everything done here has reached the relay.',
    },
    {
      id: 'actions',
      title: `What was done (${r.actions.length}${r.actionsTruncated ? ', newest only' : ''})`,
      headers: ['At', 'Operator', 'Action', 'Subject', 'Details'],
      rows: r.actions.map((a) => [when(a.at), a.operator, a.action, a.subject, a.details]),
      empty: 'No operator actions in this period.',
    },
  ];
}
