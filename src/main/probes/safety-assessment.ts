import { isoTime, type Clock } from '../../shared/clock.js';
import type { IndicatorName, SafetyAssessment, SafetyIndicator } from '../../shared/domain/probe.js';
import type { FeedStore } from '../feed/feed-store.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { ProbeHistory } from './probe-history.js';
import { localAlert, type ProbeScheduler } from './probe-scheduler.js';

/** Seed 000, ClinicalSafetyAssessment._load_safety_thresholds. */
export const SAFETY_THRESHOLDS: Record<IndicatorName, { warning: number; critical: number; higherIsBetter: boolean }> = {
  system_availability: { warning: 0.95, critical: 0.9, higherIsBetter: true },
  response_time_health: { warning: 0.9, critical: 0.85, higherIsBetter: true },
  accuracy_trend: { warning: 0.92, critical: 0.9, higherIsBetter: true },
  clinical_session_risk: { warning: 0.1, critical: 0.2, higherIsBetter: false },
  error_rate_health: { warning: 0.05, critical: 0.1, higherIsBetter: false },
  overall_score: { warning: 0.9, critical: 0.85, higherIsBetter: true },
};

function level(name: IndicatorName, value: number | null): SafetyIndicator['level'] {
  if (value === null) return 'no_data';
  const t = SAFETY_THRESHOLDS[name];
  const worse = (limit: number) => (t.higherIsBetter ? value < limit : value > limit);
  return worse(t.critical) ? 'critical' : worse(t.warning) ? 'warning' : 'ok';
}

const WINDOW = 60; // most recent runs per probe

/**
 * The clinical safety indicators of seed 000, from local probe results and the
 * metrics they read. A critical indicator opens a SEV1 local incident; it
 * resolves when the indicator recovers.
 */
export class SafetyAssessor {
  private lastAssessment: SafetyAssessment | null = null;

  constructor(
    private readonly deps: { scheduler: ProbeScheduler; history: ProbeHistory; incidents: IncidentEngine; feedStore: FeedStore; clock: Clock },
  ) {}

  last(): SafetyAssessment | null {
    return this.lastAssessment;
  }

  compute(): SafetyAssessment {
    const { scheduler, history } = this.deps;
    const configs = scheduler.configs();
    const runs = (ids: string[]) => ids.flatMap((id) => history.recent(id, WINDOW));
    const critical = runs(configs.filter((c) => c.critical).map((c) => c.id));
    const availability = critical.length ? critical.filter((r) => r.state !== 'down').length / critical.length : null;
    const http = configs.filter((c) => c.kind === 'http');
    const httpRuns = http.flatMap((c) => history.recent(c.id, WINDOW).map((r) => ({ ...r, slowMs: c.kind === 'http' ? c.slowMs : 2000 })));
    const responseHealth = httpRuns.length ? httpRuns.filter((r) => r.state !== 'down' && r.latencyMs !== null && r.latencyMs < r.slowMs).length / httpRuns.length : null;
    const v = scheduler.lastValues();
    const accuracy = v.model_accuracy_score ?? null;
    const active = v.active_clinical_sessions;
    const atRisk = v.clinical_sessions_at_risk;
    const sessionRisk = active !== undefined && atRisk !== undefined && active > 0 ? atRisk / active : null;
    // The model service's own error rate (a metric); a probe failing is not a clinical error rate.
    const errorRate = v.model_error_rate ?? null;

    const parts = [availability, responseHealth, accuracy, sessionRisk === null ? null : 1 - sessionRisk, errorRate === null ? null : 1 - errorRate].filter((x): x is number => x !== null);
    const overall = parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
    const values: Record<IndicatorName, number | null> = {
      system_availability: availability,
      response_time_health: responseHealth,
      accuracy_trend: accuracy,
      clinical_session_risk: sessionRisk,
      error_rate_health: errorRate,
      overall_score: overall,
    };
    const indicators = (Object.keys(values) as IndicatorName[]).map((name) => ({
      name,
      value: values[name] === null ? null : Math.round(values[name]! * 1000) / 1000,
      ...SAFETY_THRESHOLDS[name],
      level: level(name, values[name]),
    }));
    const levels = indicators.map((i) => i.level);
    const overallLevel = levels.includes('critical') ? 'critical' : levels.includes('warning') ? 'warning' : levels.every((l) => l === 'no_data') ? 'no_data' : 'ok';
    return { at: isoTime(this.deps.clock.now()), indicators, level: overallLevel };
  }

  /** Compute, and open or resolve the SEV1 for each critical indicator. */
  assess(): SafetyAssessment {
    const a = this.compute();
    const now = a.at;
    for (const i of a.indicators) {
      const key = `local:safety:${i.name}`;
      const open = this.deps.incidents.findOpen(key);
      const labels = { indicator: i.name, origin: 'local', category: 'patient_safety' };
      if (i.level === 'critical' && !open) {
        const cmp = i.higherIsBetter ? 'below' : 'above';
        const summary = `Clinical safety: ${i.name} ${i.value} ${cmp} the critical threshold ${i.critical}`;
        this.deps.incidents.ingest([localAlert(this.deps.feedStore, key, 'firing', 'SEV1', summary, 'clinical-safety', labels, now)], 'local');
      } else if (i.level !== 'critical' && i.level !== 'no_data' && open) {
        this.deps.incidents.ingest([localAlert(this.deps.feedStore, key, 'resolved', 'SEV1', `Clinical safety: ${i.name} back to ${i.value}`, 'clinical-safety', labels, now)], 'local');
      }
    }
    this.lastAssessment = a;
    return a;
  }
}
