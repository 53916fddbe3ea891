// Does a new incident cost more on a console that has been in service for a
// year? Seeds 0, 50,000 and 200,000 past incidents, then makes 2,000 new ones
// through the real intake (store, apply, incident, audit) and prints the
// console CPU per new incident for each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsole } from '../src/main/core/console.js';
import { resolveConfig } from '../src/main/core/config.js';
import type { Alert } from '../src/shared/domain/alert.js';

const NEW = 2000;

async function costPerIncident(history: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-history-'));
  const oncall = createConsole(resolveConfig({ argv: ['--data-dir', dir, '--probes', 'none'], env: {}, mode: 'browser', version: 'bench' }), { notificationSink: null, tickMs: 0 });
  await oncall.start();
  try {
    const s = oncall.services();
    const insert = s.db.prepare(`INSERT INTO incident (id, key, severity, service, summary, source, state, opened_at, alert_count, updated_at, resolved_at) VALUES (?, ?, 'SEV3', 'model-service', 'past', 'native', 'resolved', ?, 1, ?, ?)`);
    s.db.transaction(() => {
      for (let i = 0; i < history; i++) {
        const t = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString();
        insert.run(`MAI-PAST-${i}`, `past-${i % 5000}`, t, t, t);
      }
    })();
    const now = new Date().toISOString();
    const alerts: Alert[] = Array.from({ length: NEW }, (_, i) => ({ relayId: 'bench', seq: i + 1, key: `new-${i}`, source: 'native', status: 'firing', severity: 'SEV3', summary: 'Model service latency high', service: 'model-service', labels: {}, annotations: {}, links: [], startsAt: now, receivedAt: now }));
    const before = process.cpuUsage();
    for (let i = 0; i < NEW; i += 20) s.intake.receive('bench', alerts.slice(i, i + 20));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / NEW;
  } finally {
    await oncall.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const rows: [number, number][] = [];
  for (const history of [0, 50_000, 200_000]) rows.push([history, await costPerIncident(history)]);
  console.log('past incidents | console CPU per new incident');
  for (const [h, ms] of rows) console.log(`${String(h).padStart(14)} | ${ms.toFixed(2)} ms`);
  console.log(`200,000 vs empty: ${(rows[2]![1] / rows[0]![1]).toFixed(2)}×`);
}
