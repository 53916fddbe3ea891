import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createServer as createTcpServer } from 'node:net';
import { describe, expect } from 'vitest';
import { PROFILES } from '../../src/shared/domain/profile.js';
import type { ProbeState } from '../../src/shared/domain/probe.js';
import type { ProbeConfig } from '../../src/main/probes/probe-config.js';
import { ProbeHistory } from '../../src/main/probes/probe-history.js';
import { ProbeScheduler } from '../../src/main/probes/probe-scheduler.js';
import { silentLogger } from '../../src/main/platform/logger.js';
import { tempDir } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';
import { freePort, makeCertificate, PostgresServer, RedisServer } from '../support/servers.js';

interface Target {
  probe: ProbeConfig;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  upState: ProbeState;
  upDetail: RegExp;
}

function listen(server: Server | TlsServer | import('node:net').Server, port: number): Promise<void> {
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r()));
}
function close(server: { close(cb: () => void): void; closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((r) => server.close(() => r()));
}

/** Every kind of server a probe watches, on loopback (a real PostgreSQL and Redis from Debian), started once per file. */
async function startTargets(dir: string): Promise<{ targets: Record<string, Target>; close(): Promise<void> }> {
  const targets: Record<string, Target> = {};
    const httpPort = await freePort();
    let http = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'healthy' }));
    });
    targets.http = {
      probe: { id: 'http', name: 'API health', kind: 'http', url: `http://127.0.0.1:${httpPort}/health`, expectStatus: 200, jsonPath: 'status', jsonEquals: 'healthy', insecure: false, slowMs: 2000, timeout: 1000, critical: true, severity: 'SEV1' },
      start: async () => {
        http = createHttpServer(http.listeners('request')[0] as Parameters<typeof createHttpServer>[0]);
        await listen(http, httpPort);
      },
      stop: () => close(http),
      upState: 'up',
      upDetail: /HTTP 200/,
    };

    const tcpPort = await freePort();
    let tcp = createTcpServer((s) => s.end());
    targets.tcp = {
      probe: { id: 'tcp', name: 'TCP', kind: 'tcp', host: '127.0.0.1', port: tcpPort, timeout: 1000, critical: false, severity: 'SEV2' },
      start: async () => {
        tcp = createTcpServer((s) => s.end());
        await listen(tcp, tcpPort);
      },
      stop: () => close(tcp),
      upState: 'up',
      upDetail: /connected/,
    };

    const pg = await PostgresServer.create();
    targets.postgres = {
      probe: { id: 'postgres', name: 'PostgreSQL', kind: 'postgres', host: '127.0.0.1', port: pg.port, database: 'postgres', user: 'postgres', timeout: 2000, critical: true, severity: 'SEV1' },
      start: () => pg.start(),
      stop: () => pg.stop(),
      upState: 'up',
      upDetail: /accepting connections/,
    };

    const redis = new RedisServer(await freePort());
    targets.redis = {
      probe: { id: 'redis', name: 'Redis', kind: 'redis', host: '127.0.0.1', port: redis.port, timeout: 1000, critical: false, severity: 'SEV2' },
      start: () => redis.start(),
      stop: () => redis.stop(),
      upState: 'up',
      upDetail: /PONG/,
    };

    const tlsPort = await freePort();
    const creds = makeCertificate(`${dir}/tls`, 10);
    let tls = createTlsServer(creds, (s) => s.end());
    targets.tls = {
      probe: { id: 'tls', name: 'API certificate', kind: 'tls', host: '127.0.0.1', port: tlsPort, servername: 'api.hospital.local', warnDays: 30, criticalDays: 7, insecure: true, timeout: 1000, critical: false, severity: 'SEV3' },
      start: async () => {
        tls = createTlsServer(creds, (s) => s.end());
        await listen(tls, tlsPort);
      },
      stop: () => close(tls),
      upState: 'warning', // reachable, but 10 days < 30
      upDetail: /certificate expires in (9|10) days/,
    };

    const metricsPort = await freePort();
    let accuracy = 0.95;
    const metricsHandler = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE model_accuracy_score gauge\nmodel_accuracy_score ${accuracy}\n# TYPE http_request_duration_seconds summary\nhttp_request_duration_seconds{quantile="0.95"} 0.4\nhttp_request_duration_seconds_sum 10\nhttp_request_duration_seconds_count 40\nactive_clinical_sessions 42\n`);
    };
    let metrics = createHttpServer(metricsHandler);
    targets.metrics = {
      probe: { id: 'metrics', name: 'Model metrics', kind: 'metrics', url: `http://127.0.0.1:${metricsPort}/metrics`, timeout: 1000, critical: true, severity: 'SEV1', thresholds: [{ metric: 'model_accuracy_score', op: '<', value: 0.9, level: 'critical' }, { metric: 'http_request_duration_seconds', labels: { quantile: '0.95' }, op: '>', value: 2, level: 'warning' }] },
      start: async () => {
        metrics = createHttpServer(metricsHandler);
        await listen(metrics, metricsPort);
      },
      stop: () => close(metrics),
      upState: 'up',
      upDetail: /series/,
    };
    (targets.metrics as Target & { setAccuracy?: (v: number) => void }).setAccuracy = (v) => (accuracy = v);

    for (const t of Object.values(targets)) await t.start();
  return {
    targets,
    async close() {
      for (const t of Object.values(targets)) {
        try {
          await t.stop();
        } catch {
          // already stopped
        }
      }
      pg.remove();
    },
  };
}

const it = consoleTest.extend<{ targets: Record<string, Target>; scheduler: ProbeScheduler }>({
  targets: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { dir, cleanup } = tempDir();
      const running = await startTargets(dir);
      await use(running.targets);
      await running.close();
      cleanup();
    },
    { scope: 'file' },
  ],
  scheduler: async ({ oncall, clock, targets }, use) => {
    const s = oncall.services();
    await use(new ProbeScheduler(Object.values(targets).map((t) => ({ ...t.probe, interval: 50, retries: 0 })), {
      clock,
      profile: PROFILES.critical_care,
      history: new ProbeHistory(s.db, 50),
      incidents: s.incidents,
      feedStore: s.feedStore,
      logger: silentLogger,
    }));
  },
});

describe('each probe kind against a real server on loopback', () => {
  for (const kind of ['http', 'tcp', 'postgres', 'redis', 'tls', 'metrics']) {
    it(`${kind}: up, then down with an incident after the threshold, then up with the incident resolved`, async ({ oncall, clock, targets, scheduler }) => {
      const t = targets[kind]!;
      const run = async () => {
        clock.advance(15_000);
        return (await scheduler.runOnce(t.probe.id))!;
      };
      const first = await run();
      expect(first.state, first.detail).toBe(t.upState);
      expect(first.detail).toMatch(t.upDetail);

      await t.stop();
      expect((await run()).state).toBe('down');
      expect(oncall.services().incidents.findOpen(`local:probe:${kind}`)).toBeNull();
      const second = await run();
      expect(second.state).toBe('down');
      const incident = oncall.services().incidents.findOpen(`local:probe:${kind}`);
      expect(incident).toMatchObject({ source: 'local', severity: t.probe.severity, state: 'triggered' });

      await t.start();
      await new Promise((r) => setTimeout(r, 60)); // the breaker's half-open wait (the 50 ms interval)
      const back = await run();
      expect(back.state, back.detail).toBe(t.upState);
      expect(oncall.services().incidents.get(incident!.id).state).toBe('resolved');
    }, 30_000);
  }

  it('metrics: a critical threshold (model_accuracy_score < 0.90) is a failure, and feeds the safety assessment', async ({ targets, scheduler }) => {
    const t = targets.metrics as Target & { setAccuracy: (v: number) => void };
    t.setAccuracy(0.87);
    const r = (await scheduler.runOnce('metrics'))!;
    expect(r.state).toBe('down');
    expect(r.detail).toBe('critical: model_accuracy_score 0.87 < 0.9');
    expect(r.values?.model_accuracy_score).toBe(0.87);
    t.setAccuracy(0.95);
    expect((await scheduler.runOnce('metrics'))!.state).toBe('up');
  });
});
