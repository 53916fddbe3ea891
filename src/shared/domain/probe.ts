import type { Severity } from './alert.js';
import type { BreakerState } from './taxonomy.js';

export const PROBE_KINDS = ['http', 'tcp', 'postgres', 'redis', 'tls', 'metrics', 'system'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** up: healthy; warning: reachable but a threshold is crossed; down: failed. */
export type ProbeState = 'up' | 'warning' | 'down' | 'unknown';

export interface ProbeResult {
  probeId: string;
  at: string;
  state: ProbeState;
  latencyMs: number | null;
  detail: string;
  /** metric values the probe read (metrics and system probes), for the safety assessment */
  values?: Record<string, number>;
}

export interface ProbeView {
  id: string;
  name: string;
  kind: ProbeKind;
  target: string;
  critical: boolean;
  severity: Severity;
  intervalMs: number;
  state: ProbeState;
  lastAt: string | null;
  lastLatencyMs: number | null;
  lastDetail: string;
  consecutiveFailures: number;
  breaker: BreakerState;
  /** latencies of recent runs, oldest first (null = failed run) */
  recentLatencies: (number | null)[];
}

export type IndicatorName = 'system_availability' | 'response_time_health' | 'accuracy_trend' | 'clinical_session_risk' | 'error_rate_health' | 'overall_score';

export interface SafetyIndicator {
  name: IndicatorName;
  value: number | null; // null = no data
  warning: number;
  critical: number;
  /** higher is better (availability…) or lower is better (risk, error rate) */
  higherIsBetter: boolean;
  level: 'ok' | 'warning' | 'critical' | 'no_data';
}

export interface SafetyAssessment {
  at: string;
  indicators: SafetyIndicator[];
  level: 'ok' | 'warning' | 'critical' | 'no_data';
}
