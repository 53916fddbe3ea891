import type { Severity } from './alert.js';
import type { Person } from './schedule.js';

export type StepKind = 'manual' | 'probe' | 'contact' | 'decision';

export interface RunbookStep {
  id: string;
  title: string;
  kind: StepKind;
  detail?: string;
  /** probe steps: the probe whose passing ticks the step */
  probe?: string;
  /** contact steps: a contact group or an escalation level */
  contact?: { group?: string; level?: number };
  /** decision steps: the answers offered */
  options?: string[];
  /** the step applies only when an earlier decision got this answer */
  when?: { step: string; answer: string };
  timeLimitMinutes?: number;
}

export interface Runbook {
  id: string;
  title: string;
  description: string;
  appliesTo: { severities: Severity[]; categories: string[]; auto: boolean };
  steps: RunbookStep[];
  source: string; // file it came from
}

export type StepStatus = 'pending' | 'done' | 'overridden' | 'answered' | 'not_applicable';

export interface RunStepView extends RunbookStep {
  status: StepStatus;
  by: string | null;
  at: string | null;
  answer: string | null;
  note: string | null;
  /** probe steps: the probe's state right now */
  probeState?: string;
  probeDetail?: string;
}

export interface RunbookRun {
  id: string;
  runbookId: string;
  title: string;
  incidentId: string | null;
  startedAt: string;
  startedBy: string;
  state: 'active' | 'completed';
  completedAt: string | null;
  steps: RunStepView[];
  nextStepId: string | null;
}

export interface Contact {
  name: string;
  role?: string;
  phone: string;
  email: string;
  pager: string;
  availability: string;
  escalationTime: string;
}

export interface ContactBook {
  /** people the schedules can name (schedules.yaml), each with their own number */
  people: Person[];
  groups: { name: string; contacts: Contact[] }[];
  levels: { level: number; afterMinutes: number; description: string; contacts: string[]; actions: string[] }[];
  source: string;
}
