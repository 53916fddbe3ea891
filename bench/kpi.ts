// KPI dashboard over a large local database: how long one dashboard request
// takes (the whole computation, from SQLite rows to the result) for ranges of
// 1, 30, 90 and 365 days over a year of incidents and full probe histories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KpiService } from '../src/main/kpi/kpi-service.js';
import { closeDatabase, openDatabase } from '../src/main/store/database.js';
import { isoTime, type Clock } from '../src/shared/clock.js';
import { SEVERITIES } from '../src/shared/domain/alert.js';
import { pct } from './support.js';

const INCIDENTS = Number(process.env.BENCH_KPI_INCIDENTS ?? 200_000);
const PROBES = 50;
const HISTORY = 120;
const YEAR = 365 * 86_400_000;
const CATEGORIES = ['service_unavailable', 'model_degradation', 'performance_degradation', 'resource_exhaustion', 'patient_safety', 'phi_violation', null];

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-kpi-'));
  const end = Date.parse('2026-11-22T00:00:00.000Z');
  const clock: Clock = { now: () => end };
  try {
    const db = openDatabase(join(dir, 'console.db'));
    const insert = db.prepare(
      `INSERT INTO incident (id, key, severity, service, summary, source, state, opened_at, acknowledged_at, resolved_at, category, updated_at)
       VALUES (?, ?, ?, 'model-service', 'bench', 'native', ?, ?, ?, ?, ?, ?)`,
    );
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    db.transaction(() => {
      for (let i = 0; i < INCIDENTS; i++) {
        const opened = end - rnd() * YEAR;
        const acked = rnd() < 0.9 ? opened + rnd() * 3_600_000 : null;
        const resolved = acked !== null && rnd() < 0.95 ? acked + rnd() * 8 * 3_600_000 : null;
        const state = resolved ? 'resolved' : acked ? 'acknowledged' : 'resolved';
        insert.run(`MAI-BENCH-${i}`, `bench-${i}`, SEVERITIES[i % 3], state, isoTime(opened), acked && isoTime(acked), resolved && isoTime(resolved), CATEGORIES[i % CATEGORIES.length], isoTime(opened));
      }
      const probe = db.prepare('INSERT INTO probe_result (probe_id, slot, n, at, state, latency_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (let p = 0; p < PROBES; p++) {
        for (let n = 0; n < HISTORY; n++) probe.run(`probe-${p}`, n, n, isoTime(end - (HISTORY - n) * 60_000), rnd() < 0.97 ? 'up' : 'down', rnd() * 200, 'ok');
      }
    })();
    const kpis = new KpiService(db, clock);
    console.log(`[kpi] ${INCIDENTS.toLocaleString('en-US')} incidents over a year, ${PROBES} probes × ${HISTORY} results`);
    for (const days of [1, 30, 90, 365]) {
      const from = isoTime(end - days * 86_400_000);
      const to = isoTime(end);
      const times: number[] = [];
      let opened = 0;
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        opened = kpis.dashboard(from, to).overall.opened;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(`[kpi] ${String(days).padStart(3)} days: ${opened.toLocaleString('en-US').padStart(7)} incidents, dashboard p50 ${pct(times, 50).toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms`);
    }
    closeDatabase(db);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
