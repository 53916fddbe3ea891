// Renderer smoothness in Chromium: 10,000 incidents on screen, 200 updates/s.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { agent, pct, post, readyLine, ROOT, startRelayProcess } from './support.js';

const INCIDENTS = 10_000;
const UPDATES_PER_S = Number(process.env.BENCH_UPDATES_PER_S ?? 200);
const SECONDS = 10;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-renderer-'));
  const relay = await startRelayProcess(dir);
  const child = spawn(process.execPath, [join(ROOT, 'dist/main/cli.cjs'), '--no-open', '--data-dir', join(dir, 'console'), '--relay-url', relay.stream, '--relay-token-file', relay.tokenFile, '--notify-sink', 'none', '--probes', 'none'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await readyLine<{ url: string; launchUrl: string }>(child);
  const { token } = JSON.parse(readFileSync(join(dir, 'console', 'bridge.json'), 'utf8')) as { token: string };
  const status = async (): Promise<{ incidents: { open: number } }> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await statusOnce();
      } catch (err) {
        if (attempt >= 3) throw err; // a keep-alive socket closed under us: ask again
      }
    }
  };
  const statusOnce = async () =>
    ((await (await fetch(`${ready.url}api/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'console.status', input: {} }) })).json()) as { result: { incidents: { open: number } } }).result;

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    for (let i = 0; i < INCIDENTS; i += 200) {
      const alerts = Array.from({ length: 200 }, (_, k) => ({ key: `r-${i + k}`, severity: (['SEV1', 'SEV2', 'SEV3'] as const)[(i + k) % 3], summary: `Model service degraded on node ${i + k}`, service: `svc-${(i + k) % 40}` }));
      await post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts }));
    }
    while ((await status()).incidents.open < INCIDENTS) await new Promise((r) => setTimeout(r, 100));

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(ready.launchUrl);
    await page.getByLabel('User ID').fill('bench.user');
    await page.getByLabel('Display name').fill('Bench User');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // the heaviest list: every incident its own row (in a storm alike incidents fold into one row by default)
    await page.getByLabel('Fold alike').selectOption('off');
    await page.getByTestId('incident-row').first().waitFor();
    await page.waitForFunction(`document.querySelector('.view-header + .toolbar')?.textContent?.includes('${INCIDENTS} shown')`);

    // as a string: tsx would wrap a function with helpers the page does not have
    await page.evaluate(`(() => {
      window.__frames = [];
      window.__long = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) { window.__long.push(e.duration); window.__longAt = (window.__longAt || []).concat([Math.round(e.startTime - (window.__t0 || 0))]); } }).observe({ type: 'longtask' });
      let last = performance.now();
      const loop = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
    })()`);

    // baseline: the same page, no updates
    await new Promise((r) => setTimeout(r, 3000));
    const base = (await page.evaluate('window.__frames.splice(0).slice(5)')) as number[];
    await page.evaluate('window.__long.splice(0); window.__longAt = []; window.__t0 = performance.now()');
    const bs = [...base].sort((a, b) => a - b);
    console.log(`baseline, no updates: ${base.length} frames in 3 s, p50 ${pct(bs, 50).toFixed(1)} ms, p95 ${pct(bs, 95).toFixed(1)} ms, max ${bs.at(-1)!.toFixed(1)} ms`);

    const start = performance.now();
    let sent = 0;
    const until = start + SECONDS * 1000;
    while (sent < UPDATES_PER_S * SECONDS || (UPDATES_PER_S === 0 && performance.now() < until)) {
      const due = Math.min(UPDATES_PER_S * SECONDS, Math.floor(((performance.now() - start) / 1000) * UPDATES_PER_S));
      const batch: unknown[] = [];
      while (sent < due) batch.push({ key: `r-${Math.floor(Math.random() * INCIDENTS)}`, severity: 'SEV2', summary: 'update', service: 'svc' }), sent++;
      if (batch.length) void post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts: batch }));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const { frames, long, at } = (await page.evaluate('({ frames: window.__frames.slice(5), long: window.__long, at: window.__longAt })')) as { frames: number[]; long: number[]; at: number[] };
    if (process.env.BENCH_DEBUG) console.log('long tasks at (ms after updates began):', at);
    const sorted = [...frames].sort((a, b) => a - b);
    console.log(`renderer with ${INCIDENTS.toLocaleString('en-US')} incidents, ${UPDATES_PER_S} updates/s for ${SECONDS} s (${sent} alerts): ${frames.length} frames, frame time p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; long tasks (≥ 50 ms): ${long.length}${long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ''}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await relay.stop();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
