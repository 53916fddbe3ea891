import { useCallback, useEffect, useMemo, useState } from 'react';
import { useConsole } from '../state/context.js';
import { SEVERITIES } from '../../shared/domain/alert.js';
import type { KpiDashboard, ResponseKpi } from '../../shared/domain/kpi.js';
import { TimeChart, type ChartSeries } from './TimeChart.js';
import { toLocalInput } from '../datetime-local.js';
import { ErrorLine } from './ErrorLine.js';

const PRESETS = [
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: '90d', label: 'Last 90 days', ms: 90 * 86_400_000 },
] as const;
type RangeChoice = (typeof PRESETS)[number]['id'] | 'custom';

const SEVERITY_COLOURS = { SEV1: '#ff5c5c', SEV2: '#f5b942', SEV3: '#4aa3ff' } as const;
const CATEGORY_COLOURS = ['#4aa3ff', '#ff5c5c', '#f5b942', '#5fd38d', '#c084fc', '#f472b6', '#94a3b8', '#2dd4bf', '#a3a3a3'];

/** Minutes up to two hours, hours beyond: the unit a person on call thinks in. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = ms / 60_000;
  return minutes < 120 ? `${minutes.toFixed(1)} min` : `${(minutes / 60).toFixed(1)} h`;
}

function formatShare(k: ResponseKpi): string {
  if (k.withinTargetShare === null) return '—';
  return `${Math.round(k.withinTargetShare * 100)} % (${k.ackedWithinTarget} of ${k.targetEligible})`;
}

function formatPercent(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)} %`;
}

function ResponseRow({ label, k, target }: { label: string; k: ResponseKpi; target?: number }) {
  return (
    <tr data-testid={`kpi-row-${label}`}>
      <th scope="row">{label}</th>
      <td data-testid="opened">{k.opened}</td>
      <td data-testid="acknowledged">{k.acknowledged}</td>
      <td data-testid="mtta">{formatDuration(k.mttaMs)}</td>
      <td data-testid="resolved">{k.resolved}</td>
      <td data-testid="mttr">{formatDuration(k.mttrMs)}</td>
      <td data-testid="within-target">{formatShare(k)}</td>
      <td className="muted">{target === undefined ? '' : `${target} min`}</td>
    </tr>
  );
}

export function DashboardView() {
  const client = useConsole((s) => s.client);
  const [choice, setChoice] = useState<RangeChoice>('7d');
  const [customFrom, setCustomFrom] = useState(() => toLocalInput(Date.now() - 7 * 86_400_000));
  const [customTo, setCustomTo] = useState(() => toLocalInput(Date.now()));
  const [data, setData] = useState<KpiDashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    let from: number;
    let to: number;
    if (choice === 'custom') {
      from = Date.parse(customFrom);
      to = Date.parse(customTo);
      if (Number.isNaN(from) || Number.isNaN(to)) {
        setError('Enter both the start and the end of the range.');
        return;
      }
    } else {
      to = Date.now();
      from = to - PRESETS.find((p) => p.id === choice)!.ms;
    }
    setLoading(true);
    try {
      setData(await client.request('kpi.dashboard', { from: new Date(from).toISOString(), to: new Date(to).toISOString() }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [client, choice, customFrom, customTo]);

  // presets load at once; a custom range loads when applied
  useEffect(() => {
    if (choice !== 'custom') void load();
  }, [choice, load]);

  const severitySeries = useMemo<ChartSeries[]>(() => (data ? SEVERITIES.map((s) => ({ label: s, color: SEVERITY_COLOURS[s], values: data.series.bySeverity[s] })) : []), [data]);
  const categorySeries = useMemo<ChartSeries[]>(
    () => (data ? data.series.byCategory.map((c, i) => ({ label: c.category, color: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]!, values: c.counts })) : []),
    [data],
  );

  return (
    <section className="view dashboard" aria-labelledby="view-dashboard">
      <div className="view-header">
        <h1 id="view-dashboard">Dashboard</h1>
        {data && (
          <span className="muted" data-testid="kpi-range">
            {new Date(data.from).toLocaleString()} – {new Date(data.to).toLocaleString()} · per {data.bucket}
          </span>
        )}
      </div>
      <div className="toolbar">
        <label>
          Time range
          <select value={choice} onChange={(e) => setChoice(e.target.value as RangeChoice)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
        </label>
        {choice === 'custom' && (
          <>
            <label>
              From
              <input type="datetime-local" value={customFrom} onChange={(e) => setCustomFrom(e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" value={customTo} onChange={(e) => setCustomTo(e.target.value)} />
            </label>
          </>
        )}
        <button type="button" onClick={() => void load()} disabled={loading}>
          {choice === 'custom' ? 'Apply' : 'Refresh'}
        </button>
      </div>
      <ErrorLine error={error} />
      {data && (
        <div className="dashboard-body">
          <h2>Response</h2>
          <table className="kpi-table" aria-label="Response by severity">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Opened</th>
                <th>Acknowledged</th>
                <th title="Mean time to acknowledge">MTTA</th>
                <th>Resolved</th>
                <th title="Mean time to resolve">MTTR</th>
                <th>Acked within target</th>
                <th>Target</th>
              </tr>
            </thead>
            <tbody>
              {SEVERITIES.map((s) => (
                <ResponseRow key={s} label={s} k={data.response[s]} target={data.response[s].targetMinutes} />
              ))}
              <ResponseRow label="All" k={data.overall} />
            </tbody>
          </table>
          <p className="muted small">
            Over the incidents opened in the range. MTTA and MTTR are means from opening; an incident resolved by its source before its target ran out, unacknowledged, is not counted
            against the target.
          </p>
          <div className="charts">
            <TimeChart title={`Incidents opened per ${data.bucket}, by severity`} bucketStarts={data.series.bucketStarts} end={data.to} series={severitySeries} />
            <TimeChart title={`Incidents opened per ${data.bucket}, by category`} bucketStarts={data.series.bucketStarts} end={data.to} series={categorySeries} />
          </div>
          <h2>Probes</h2>
          {data.probes.length === 0 ? (
            <p className="empty">No probe results in this range.</p>
          ) : (
            <table className="kpi-table" aria-label="Probe availability and latency">
              <thead>
                <tr>
                  <th>Probe</th>
                  <th>Runs</th>
                  <th>Availability</th>
                  <th>Down</th>
                  <th>p50</th>
                  <th>p95</th>
                  <th>p99</th>
                  <th>Max</th>
                </tr>
              </thead>
              <tbody>
                {data.probes.map((p) => (
                  <tr key={p.id} data-testid={`probe-kpi-${p.id}`}>
                    <th scope="row">{p.name}</th>
                    <td>{p.samples}</td>
                    <td data-testid="availability">{formatPercent(p.availability)}</td>
                    <td>{p.down}</td>
                    <td>{p.latency ? `${Math.round(p.latency.p50)} ms` : '—'}</td>
                    <td data-testid="p95">{p.latency ? `${Math.round(p.latency.p95)} ms` : '—'}</td>
                    <td>{p.latency ? `${Math.round(p.latency.p99)} ms` : '—'}</td>
                    <td>{p.latency ? `${Math.round(p.latency.max)} ms` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted small">From the probe history this console keeps (a bounded number of recent runs per probe).</p>
        </div>
      )}
    </section>
  );
}
