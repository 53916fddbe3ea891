/** A circuit breaker's state, as every view shows it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Seed 004: medical error categories, their severity, and when one escalates. */
export const ERROR_CATEGORIES = [
  'patient_safety',
  'critical_clinical',
  'data_corruption',
  'phi_violation',
  'audit_trail_break',
  'model_degradation',
  'prediction_uncertainty',
  'model_failure',
  'service_unavailable',
  'performance_degradation',
  'resource_exhaustion',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export type ErrorSeverity = 'critical' | 'high' | 'medium' | 'low';

export const CATEGORY_SEVERITY: Record<ErrorCategory, ErrorSeverity> = {
  patient_safety: 'critical',
  critical_clinical: 'critical',
  data_corruption: 'critical',
  phi_violation: 'critical',
  audit_trail_break: 'critical',
  model_failure: 'high',
  model_degradation: 'high',
  service_unavailable: 'high',
  prediction_uncertainty: 'medium',
  performance_degradation: 'medium',
  resource_exhaustion: 'medium',
};

/** Seed 004 alerting thresholds: this many errors of a category escalate (critical) or warn. */
export const ESCALATE_AFTER: Partial<Record<ErrorCategory, { critical?: number; warning?: number }>> = {
  patient_safety: { critical: 1 },
  phi_violation: { critical: 1 },
  service_unavailable: { critical: 3 },
  data_corruption: { critical: 2 },
  model_degradation: { warning: 5 },
  performance_degradation: { warning: 10 },
};

export type ClinicalPriority = 'critical' | 'high' | 'normal' | 'low';

export interface BreakerStatus {
  name: string;
  state: BreakerState;
  since: string;
  patientSafety: boolean;
  transitions: { at: string; to: string }[];
}

export interface ResilienceStatus {
  profile: string;
  breakers: BreakerStatus[];
  retries: { attempts: number; retried: number; succeededAfterRetry: number; failed: number; successRate: number | null };
  errorsByCategory: Partial<Record<ErrorCategory, number>>;
}
