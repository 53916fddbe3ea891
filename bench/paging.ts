// Alert arrival → desktop notification: p50/p99 idle and during a 2,000 alerts/s storm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsole } from '../src/main/core/console.js';
import { resolveConfig } from '../src/main/core/config.js';
import type { NotificationSink } from '../src/main/notify/pager.js';
import { agent, nowAbs, pct, post, startRelayProcess } from './support.js';

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-paging-'));
  const relay = await startRelayProcess(dir);
  const sentAt = new Map<string, number>(); // incident service name → send time
  const latencies: number[] = [];
  const sink: NotificationSink = {
    name: 'bench',
    notify(n) {
      const service = n.title.split(' · ')[1]!;
      const t0 = sentAt.get(service);
      if (t0 !== undefined) {
        latencies.push(nowAbs() - t0);
        sentAt.delete(service);
      }
      return Promise.resolve();
    },
  };
  const config = resolveConfig({ argv: ['--data-dir', join(dir, 'console'), '--relay-url', relay.stream, '--relay-token-file', relay.tokenFile, '--probes', 'none'], env: {}, version: 'bench' });
  const oncall = createConsole(config, { notificationSink: sink, tickMs: 0 });
  await oncall.start();
  while (oncall.status().feed.state !== 'connected') await new Promise((r) => setTimeout(r, 10));

  const measure = async (label: string, n: number, everyMs: number) => {
    latencies.length = 0;
    for (let i = 0; i < n; i++) {
      const service = `svc-${label}-${i}`;
      sentAt.set(service, nowAbs());
      void post(`${relay.url}/v1/alerts`, JSON.stringify({ key: `page-${label}-${i}`, severity: 'SEV1', summary: 'API health failing', service }));
      await new Promise((r) => setTimeout(r, everyMs));
    }
    while (latencies.length < n) await new Promise((r) => setTimeout(r, 10));
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`${label}: alert sent → notification, n=${n}: p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms`);
  };

  try {
    await measure('idle', 200, 25);

    // storm: 2,000 alerts/s on 100 existing keys (dedup onto open incidents), 100 per request
    let storming = true;
    let stormSent = 0;
    const storm = (async () => {
      const start = performance.now();
      while (storming) {
        const due = Math.floor(((performance.now() - start) / 1000) * 2000);
        while (stormSent + 100 <= due) {
          const alerts = Array.from({ length: 100 }, (_, i) => ({ key: `storm-${(stormSent + i) % 100}`, severity: 'SEV2', summary: 'p95 latency above 2000 ms', service: 'storm' }));
          stormSent += 100;
          void post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts }));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const t = performance.now();
    await measure('storm', 200, 25);
    const secs = (performance.now() - t) / 1000;
    storming = false;
    await storm;
    console.log(`  (storm rate during measurement: ${Math.round(stormSent / (secs + 0.5)).toLocaleString('en-US')} alerts/s posted)`);
  } finally {
    await oncall.stop();
    await relay.stop();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
