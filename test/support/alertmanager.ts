// A real Prometheus Alertmanager (Debian's package) for the tests, started on a
// free port with a config the test writes, delivering to the relay.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from './servers.js';

export const ALERTMANAGER = process.env.ALERTMANAGER_PATH ?? '/usr/bin/prometheus-alertmanager';

export { freePort };

export interface AlertmanagerProcess {
  url: string;
  child: ChildProcess;
  log: () => string;
  /** POST /api/v2/alerts, as Prometheus does */
  postAlerts(alerts: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/** `routes` is YAML text of the route block's children (indented by 2), receiver `oncall-relay` posts to `webhookUrl`. */
export async function startAlertmanager(dir: string, webhookUrl: string | string[], route: string, port?: number): Promise<AlertmanagerProcess> {
  if (!existsSync(ALERTMANAGER)) throw new Error(`Alertmanager not found at ${ALERTMANAGER}: run scripts/install-system-deps (Debian package prometheus-alertmanager)`);
  mkdirSync(dir, { recursive: true });
  const amPort = port ?? (await freePort());
  const url = `http://127.0.0.1:${amPort}`;
  writeFileSync(
    `${dir}/alertmanager.yml`,
    ['route:', '  receiver: oncall-relay', route, 'receivers:', '  - name: oncall-relay', '    webhook_configs:', ...[webhookUrl].flat().flatMap((u) => [`      - url: ${u}`, '        send_resolved: true']), ''].join('\n'),
  );
  const child = spawn(ALERTMANAGER, [`--config.file=${dir}/alertmanager.yml`, `--storage.path=${dir}/data`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Alertmanager did not become ready:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    log: () => log,
    async postAlerts(alerts) {
      const r = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (r.status !== 200) throw new Error(`Alertmanager refused alerts: ${r.status} ${await r.text()}`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
