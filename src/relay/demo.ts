// `npm run demo`: a local relay, the console connected to it (browser mode, or
// Electron where installed), and a scenario player posting the seed's alerts.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRelayConfig } from './config.js';
import { ensureLocalToken, LOCAL_TOKEN_FILE } from './main.js';
import { SCENARIOS } from './scenarios.js';
import { Relay } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'data-dir': { type: 'string' }, 'every-ms': { type: 'string' }, 'no-open': { type: 'boolean' } } });
  const base = resolve(values['data-dir'] ?? '.data/demo');
  const config = ensureLocalToken(parseRelayConfig({ dataDir: join(base, 'relay'), listen: { host: '127.0.0.1', port: 0 } }, 'demo'));
  const relay = new Relay(config);
  await relay.start();
  process.stdout.write(`demo relay on ${relay.url}\n`);

  const consoleArgs = ['--data-dir', join(base, 'console'), '--relay-url', relay.streamUrl, '--relay-token-file', join(config.dataDir, LOCAL_TOKEN_FILE), ...(values['no-open'] ? ['--no-open'] : [])];
  const child = spawn(process.execPath, [resolve(__dirname, '../../scripts/start.mjs'), ...consoleArgs], { stdio: 'inherit' });

  const every = Number(values['every-ms'] ?? 8000);
  let i = 0;
  const play = async () => {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    const resolving = Math.floor(i / SCENARIOS.length) % 2 === 1 && scenario.resolve;
    const post = resolving ? scenario.resolve!() : scenario.fire();
    i++;
    try {
      const r = await fetch(relay.url + post.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(post.body) });
      process.stdout.write(`scenario: ${scenario.name}${resolving ? ' (resolved)' : ''} → ${r.status}\n`);
    } catch (err) {
      process.stdout.write(`scenario ${scenario.name} failed: ${(err as Error).message}\n`);
    }
  };
  setTimeout(() => void play(), 2000);
  const timer = setInterval(() => void play(), every);
  // the hospital pipeline's dead man's switch: an always-firing Watchdog, as Prometheus would send it
  const watchdog = () =>
    void fetch(relay.url + '/v1/alertmanager', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '4', status: 'firing', receiver: 'oncall-relay', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: [{ status: 'firing', labels: { alertname: 'Watchdog', severity: 'none' }, annotations: {}, startsAt: new Date().toISOString() }] }),
    }).catch(() => undefined);
  watchdog();
  const watchdogTimer = setInterval(watchdog, 30_000);

  const stop = () => {
    clearInterval(timer);
    clearInterval(watchdogTimer);
    child.kill('SIGTERM');
    void relay.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', () => stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`E_DEMO: ${(err as Error).message}\n`);
  process.exit(1);
});
