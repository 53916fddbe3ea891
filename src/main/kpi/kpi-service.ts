import { isoTime, type Clock } from '../../shared/clock.js';
import { SEVERITIES, type Severity } from '../../shared/domain/alert.js';
import type { KpiDashboard, ProbeKpi, ResponseKpi, SeverityKpi } from '../../shared/domain/kpi.js';
import type { ProbeState } from '../../shared/domain/probe.js';
import { SEVERITY_POLICY } from '../../shared/domain/severity.js';
import type { Db } from '../store/database.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** categories shown one by one; the rest are summed into "other" */
const TOP_CATEGORIES = 8;

interface IncidentRow {
  severity: Severity;
  category: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

interface ProbeRow {
  probe_id: string;
  at: string;
  state: ProbeState;
  latency_ms: number | null;
}

/** Nearest-rank percentile of an ascending list (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** MTTA, MTTR and acks within target over a set of incidents; `now` decides which targets have run out. */
export function responseKpi(rows: IncidentRow[], now: number): ResponseKpi {
  const ackTimes: number[] = [];
  const resolveTimes: number[] = [];
  let eligible = 0;
  let within = 0;
  for (const r of rows) {
    const opened = Date.parse(r.opened_at);
    const due = opened + SEVERITY_POLICY[r.severity].responseMinutes * 60_000;
    const acked = r.acknowledged_at ? Date.parse(r.acknowledged_at) : null;
    const resolved = r.resolved_at ? Date.parse(r.resolved_at) : null;
    if (acked !== null) ackTimes.push(acked - opened);
    if (resolved !== null) resolveTimes.push(resolved - opened);
    if (acked !== null) {
      eligible++;
      if (acked <= due) within++;
    } else if (now >= due && !(resolved !== null && resolved <= due)) {
      eligible++;
    }
  }
  return {
    opened: rows.length,
    acknowledged: ackTimes.length,
    resolved: resolveTimes.length,
    mttaMs: mean(ackTimes),
    mttrMs: mean(resolveTimes),
    targetEligible: eligible,
    ackedWithinTarget: within,
    withinTargetShare: eligible === 0 ? null : within / eligible,
  };
}

/**
 * The KPI dashboard of seed 000 over the local database: response figures by
 * severity, incidents over time by severity and category, and probe
 * availability and latency from the probe history kept.
 */
export class KpiService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly probeNames: () => Map<string, string> = () => new Map(),
  ) {}

  dashboard(fromIso: string, toIso: string): KpiDashboard {
    const from = Date.parse(fromIso);
    const to = Date.parse(toIso);
    const now = this.clock.now();
    const rows = this.db
      .prepare('SELECT severity, category, opened_at, acknowledged_at, resolved_at FROM incident WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at')
      .all(isoTime(from), isoTime(to)) as IncidentRow[];

    const response = {} as Record<Severity, SeverityKpi>;
    for (const s of SEVERITIES) {
      response[s] = { ...responseKpi(rows.filter((r) => r.severity === s), now), targetMinutes: SEVERITY_POLICY[s].responseMinutes };
    }

    const step = to - from <= 2 * DAY ? HOUR : DAY;
    const n = Math.max(1, Math.ceil((to - from) / step));
    const bucketStarts = Array.from({ length: n }, (_, i) => isoTime(from + i * step));
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, new Array<number>(n).fill(0)])) as Record<Severity, number[]>;
    const categoryCounts = new Map<string, number[]>();
    for (const r of rows) {
      const b = Math.min(n - 1, Math.floor((Date.parse(r.opened_at) - from) / step));
      bySeverity[r.severity][b]!++;
      const c = r.category ?? 'uncategorised';
      let counts = categoryCounts.get(c);
      if (!counts) categoryCounts.set(c, (counts = new Array<number>(n).fill(0)));
      counts[b]!++;
    }
    const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
    const ranked = [...categoryCounts.entries()].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
    const byCategory = ranked.slice(0, TOP_CATEGORIES).map(([category, counts]) => ({ category, counts }));
    if (ranked.length > TOP_CATEGORIES) {
      const other = new Array<number>(n).fill(0);
      for (const [, counts] of ranked.slice(TOP_CATEGORIES)) counts.forEach((v, i) => (other[i]! += v));
      byCategory.push({ category: 'other', counts: other });
    }

    return {
      from: isoTime(from),
      to: isoTime(to),
      generatedAt: isoTime(now),
      bucket: step === HOUR ? 'hour' : 'day',
      response,
      overall: responseKpi(rows, now),
      series: { bucketStarts, bySeverity, byCategory },
      probes: this.probeKpis(from, to),
    };
  }

  private probeKpis(from: number, to: number): ProbeKpi[] {
    const rows = this.db
      .prepare('SELECT probe_id, at, state, latency_ms FROM probe_result WHERE at >= ? AND at < ? ORDER BY probe_id, at')
      .all(isoTime(from), isoTime(to)) as ProbeRow[];
    const names = this.probeNames();
    const byProbe = new Map<string, ProbeRow[]>();
    for (const r of rows) {
      let list = byProbe.get(r.probe_id);
      if (!list) byProbe.set(r.probe_id, (list = []));
      list.push(r);
    }
    return [...byProbe.entries()]
      .map(([id, list]): ProbeKpi => {
        const count = (s: ProbeState) => list.filter((r) => r.state === s).length;
        const up = count('up');
        const warning = count('warning');
        const down = count('down');
        const latencies = list
          .filter((r) => r.state !== 'down' && r.latency_ms !== null)
          .map((r) => r.latency_ms!)
          .sort((a, b) => a - b);
        return {
          id,
          name: names.get(id) ?? id,
          samples: list.length,
          up,
          warning,
          down,
          availability: up + warning + down === 0 ? null : (up + warning) / (up + warning + down),
          latency: latencies.length === 0 ? null : { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1]! },
          firstAt: list[0]?.at ?? null,
          lastAt: list[list.length - 1]?.at ?? null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
