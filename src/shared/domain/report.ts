import type { Severity } from './alert.js';
import type { IncidentState } from './incident.js';
import type { DegradationLevel, FeedState } from './status.js';

/**
 * The shift hand-off report: what the next person on call needs to pick up.
 * Every free-text field is PHI-masked before it leaves main.
 */
export interface HandoffReport {
  generatedAt: string;
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
}
