import type { Severity } from './alert.js';
import type { CallTarget } from './schedule.js';

/** Seed 000, "Emergency Response Team Activation". */
export interface SeverityPolicy {
  severity: Severity;
  description: string;
  responseMinutes: number;
  team: string[];
  channels: string[];
}

export const SEVERITY_POLICY: Record<Severity, SeverityPolicy> = {
  SEV1: {
    severity: 'SEV1',
    description: 'Patient safety risk or system completely down',
    responseMinutes: 15,
    team: ['on_call_clinical_lead', 'on_call_technical_lead', 'medical_director', 'regulatory_affairs'],
    channels: ['primary_pager_system', 'secondary_sms_system', 'emergency_voice_call', 'secure_chat_system'],
  },
  SEV2: {
    severity: 'SEV2',
    description: 'Major functionality impaired affecting clinical care',
    responseMinutes: 30,
    team: ['on_call_technical_lead', 'clinical_operations_manager'],
    channels: ['primary_pager_system', 'email_system', 'secure_chat_system'],
  },
  SEV3: {
    severity: 'SEV3',
    description: 'Moderate impact on clinical operations',
    responseMinutes: 120,
    team: ['medical_ai_specialist'],
    channels: ['ticket_system', 'email_system'],
  },
};

/** SEV1 is the most severe: a lower rank is worse. */
export function severityRank(s: Severity): number {
  return s === 'SEV1' ? 1 : s === 'SEV2' ? 2 : 3;
}

/** Seed 000, "Escalation_Matrix": level n is reached this many minutes after opening without acknowledgement. */
export interface EscalationLevel {
  level: number;
  afterMinutes: number;
  description: string;
  /** roles (or people) to call, as the matrix names them */
  contacts: string[];
  actions: string[];
  /** each role resolved to the person on call now, with a number (in an incident's detail) */
  calls?: CallTarget[];
}

export const DEFAULT_ESCALATION: EscalationLevel[] = [
  { level: 1, afterMinutes: 15, description: 'Front-line response', contacts: ['On-Call Engineer', 'On-Call Clinical Lead'], actions: ['Initial assessment', 'Basic troubleshooting', 'Status updates'] },
  { level: 2, afterMinutes: 30, description: 'Management escalation', contacts: ['Chief Technology Officer', 'Clinical Safety Officer'], actions: ['Resource allocation', 'Cross-team coordination', 'Stakeholder communication'] },
  { level: 3, afterMinutes: 60, description: 'Executive escalation', contacts: ['Chief Medical Officer', 'Chief Technology Officer', 'HIPAA Compliance Officer'], actions: ['Strategic decisions', 'External communication', 'Regulatory notifications'] },
  { level: 4, afterMinutes: 120, description: 'Crisis management', contacts: ['Executive Leadership', 'Legal Counsel', 'PR/Communications'], actions: ['Crisis communication', 'Media relations', 'Regulatory response'] },
];

/** How long an acknowledgement holds before an open incident returns to triggered and pages again (PagerDuty's acknowledgement timeout); 0: never. */
export const DEFAULT_ACK_TIMEOUT_MIN: Record<Severity, number> = { SEV1: 30, SEV2: 120, SEV3: 0 };
