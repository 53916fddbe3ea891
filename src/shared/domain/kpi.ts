import type { Severity } from './alert.js';

/** Response figures for one severity (or all) over the incidents opened in a time range. */
export interface ResponseKpi {
  opened: number;
  acknowledged: number;
  resolved: number;
  /** mean time to acknowledge (ms) over the incidents acknowledged; null when none were */
  mttaMs: number | null;
  /** mean time to resolve (ms) over the incidents resolved; null when none were */
  mttrMs: number | null;
  /**
   * Incidents whose ack target is decided: acknowledged, or unacknowledged past
   * their target. Incidents their source resolved before the target ran out
   * without anyone acknowledging them are left out (nobody could miss them).
   */
  targetEligible: number;
  ackedWithinTarget: number;
  /** ackedWithinTarget / targetEligible; null when nothing is eligible */
  withinTargetShare: number | null;
}

export interface SeverityKpi extends ResponseKpi {
  /** seed 000 response target for this severity */
  targetMinutes: number;
}

export interface ProbeKpi {
  id: string;
  name: string;
  samples: number;
  up: number;
  warning: number;
  down: number;
  /** (up + warning) / (up + warning + down); null without decided samples */
  availability: number | null;
  /** nearest-rank percentiles over the runs that answered (ms); null without any */
  latency: { p50: number; p95: number; p99: number; max: number } | null;
  firstAt: string | null;
  lastAt: string | null;
}

export interface KpiDashboard {
  from: string;
  to: string;
  generatedAt: string;
  bucket: 'hour' | 'day';
  response: Record<Severity, SeverityKpi>;
  overall: ResponseKpi;
  /** incidents opened per bucket; bucket i covers [bucketStarts[i], bucketStarts[i] + bucket) */
  series: {
    bucketStarts: string[];
    bySeverity: Record<Severity, number[]>;
    /** most frequent categories first; the rest summed into "other" */
    byCategory: { category: string; counts: number[] }[];
  };
  probes: ProbeKpi[];
}

/** The widest range the dashboard computes over, in days. */
export const KPI_MAX_RANGE_DAYS = 400;
