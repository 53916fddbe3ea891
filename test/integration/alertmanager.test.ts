import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/server.js';
import { tempDir } from '../helpers.js';
import { startRelay, TestConsoleFeed, TOKENS, waitFor } from '../support/relay-fixture.js';

const ALERTMANAGER = process.env.ALERTMANAGER_PATH ?? '/usr/bin/prometheus-alertmanager';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('a real Prometheus Alertmanager delivering through the relay', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let am: ChildProcess;
  let amUrl: string;
  let consoleFeed: TestConsoleFeed;
  let amLog = '';

  beforeAll(async () => {
    if (!existsSync(ALERTMANAGER)) throw new Error(`Alertmanager not found at ${ALERTMANAGER}: run scripts/install-system-deps (Debian package prometheus-alertmanager)`);
    relay = await startRelay(`${dir}/relay`);
    consoleFeed = new TestConsoleFeed(`${dir}/console`, { url: relay.streamUrl, token: TOKENS.wardA, pingIntervalMs: 500 }).start();
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    writeFileSync(
      `${dir}/alertmanager.yml`,
      [
        'route:',
        '  receiver: oncall-relay',
        "  group_by: ['alertname']",
        '  group_wait: 100ms',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: oncall-relay',
        '    webhook_configs:',
        `      - url: ${relay.url}/v1/alertmanager`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    am = spawn(ALERTMANAGER, [`--config.file=${dir}/alertmanager.yml`, `--storage.path=${dir}/am-data`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stderr!.on('data', (c: Buffer) => (amLog += c.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`${amUrl}/-/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`Alertmanager did not become ready:\n${amLog.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    am?.kill('SIGTERM');
    await consoleFeed?.close();
    await relay?.close();
    cleanup();
  });

  it('gets an alert posted to Alertmanager onto the console, graded SEV1, then its resolution', async () => {
    const startsAt = new Date().toISOString();
    const alert = { labels: { alertname: 'MedicalAIApiDown', severity: 'critical', service: 'medical-ai-api', instance: 'api:8000' }, annotations: { summary: 'API /health failing on :8000' }, startsAt };
    const posted = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
    expect(posted.status).toBe(200);

    await waitFor(() => consoleFeed.received.length >= 1, 20_000, 'alert delivered by Alertmanager');
    const got = consoleFeed.received[0]!;
    expect(got).toMatchObject({ source: 'alertmanager', status: 'firing', severity: 'SEV1', service: 'medical-ai-api', summary: 'API /health failing on :8000' });
    expect(got.key).toMatch(/^am:[0-9a-f]{16}$/);
    expect(got.labels).toMatchObject({ alertname: 'MedicalAIApiDown', instance: 'api:8000' });

    const resolved = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ ...alert, endsAt: new Date().toISOString() }]) });
    expect(resolved.status).toBe(200);
    await waitFor(() => consoleFeed.received.some((a) => a.key === got.key && a.status === 'resolved'), 20_000, 'resolution delivered');
  }, 45_000);
});
