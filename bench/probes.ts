// Scheduler overhead: 500 TCP probes at 30 s intervals against a loopback
// server in another process; CPU of this process, and how late runs start.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsole } from '../src/main/core/console.js';
import { resolveConfig } from '../src/main/core/config.js';
import { silentLogger } from '../src/main/platform/logger.js';
import { ProbeHistory } from '../src/main/probes/probe-history.js';
import { ProbeScheduler } from '../src/main/probes/probe-scheduler.js';
import type { ProbeConfig } from '../src/main/probes/probe-config.js';
import { PROFILES } from '../src/shared/domain/profile.js';
import { systemClock } from '../src/shared/clock.js';
import { pct } from './support.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 500);
const INTERVAL = 30_000;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 60);

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-probes-'));
  const server = spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>c.end()).listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res) => server.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
  const oncall = createConsole(resolveConfig({ argv: ['--data-dir', join(dir, 'console'), '--probes', 'none'], env: {}, version: 'bench' }), { notificationSink: null, tickMs: 0 });
  await oncall.start();
  const s = oncall.services();
  const probes: ProbeConfig[] = Array.from({ length: PROBES }, (_, i) => ({ id: `tcp-${i}`, name: `TCP ${i}`, kind: 'tcp', host: '127.0.0.1', port, interval: INTERVAL, timeout: 2000, retries: 0, critical: false, severity: 'SEV3' }));
  const lags: number[] = [];
  let runs = 0;
  const scheduler = new ProbeScheduler(probes, {
    clock: systemClock,
    profile: PROFILES.routine_clinic,
    history: new ProbeHistory(s.db, 120),
    incidents: s.incidents,
    feedStore: s.feedStore,
    logger: silentLogger,
  });
  scheduler.startLag.on((lag) => lags.push(lag));
  scheduler.result.on(() => runs++);
  try {
    scheduler.start();
    await new Promise((r) => setTimeout(r, 5000)); // the first runs are spread over 5 s
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const runs0 = runs;
    await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    scheduler.stop();
    const share = ((cpu.user + cpu.system) / 1000 / wall) * 100;
    lags.sort((a, b) => a - b);
    const down = scheduler.views().filter((v) => v.state !== 'up').length;
    console.log(`scheduler: ${PROBES} probes every ${INTERVAL / 1000} s for ${MEASURE_S} s: ${runs - runs0} runs, CPU ${share.toFixed(2)} % of one core (probing, history in SQLite, threshold checks); ${down} not up`);
    console.log(`start lag (actual − scheduled), n=${lags.length}: p50 ${pct(lags, 50)} ms, p99 ${pct(lags, 99)} ms, max ${lags.at(-1)} ms`);
  } finally {
    await oncall.stop();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
