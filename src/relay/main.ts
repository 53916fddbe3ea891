// `npm run relay -- [--config relay.yaml] [--data-dir DIR] [--port N]`
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsoleError } from '../shared/errors.js';
import { loadRelayConfig, parseRelayConfig, type RelayConfig } from './config.js';
import { Relay } from './server.js';

export const LOCAL_CONSOLE_ID = 'local-console';
export const LOCAL_TOKEN_FILE = 'local-console.token';

/** With no consoles configured, the relay makes one token for a console on this machine. */
export function ensureLocalToken(config: RelayConfig): RelayConfig {
  if (config.consoles.length > 0) return config;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, LOCAL_TOKEN_FILE);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  return { ...config, consoles: [{ id: LOCAL_CONSOLE_ID, token: readFileSync(file, 'utf8').trim() }] };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'watchdog-alertname': { type: 'string' },
      'watchdog-timeout-s': { type: 'string' },
      'rate-limit': { type: 'string' },
      'public-host': { type: 'string', multiple: true },
      'alertmanager-url': { type: 'string', multiple: true },
      'silence-minutes': { type: 'string' },
      'pagerduty-events-url': { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  let config = values.config ? loadRelayConfig(values.config) : parseRelayConfig({}, 'defaults');
  if (values['data-dir']) config = { ...config, dataDir: resolve(values['data-dir']) };
  if (values.port) config = { ...config, listen: { ...config.listen, port: Number(values.port) } };
  // flags over the file, validated by the same schema (errors name the field)
  const { dataDir, ...rest } = config;
  config = {
    ...parseRelayConfig(
      {
        ...rest,
        dataDir,
        watchdog: {
          alertname: values['watchdog-alertname'] ?? config.watchdog.alertname,
          timeoutS: values['watchdog-timeout-s'] !== undefined ? Number(values['watchdog-timeout-s']) : config.watchdog.timeoutS,
        },
        ...(values['rate-limit'] !== undefined ? { rateLimit: { ...config.rateLimit, alertsPerSecond: Number(values['rate-limit']), burst: Number(values['rate-limit']) } } : {}),
        publicHosts: [...config.publicHosts, ...(values['public-host'] ?? [])],
        ...(values['database-url'] !== undefined || process.env.RELAY_DATABASE_URL ? { databaseUrl: values['database-url'] ?? process.env.RELAY_DATABASE_URL } : {}),
        writeBack: {
          ...config.writeBack,
          alertmanagerUrls: [...config.writeBack.alertmanagerUrls, ...(values['alertmanager-url'] ?? [])],
          ...(values['silence-minutes'] !== undefined ? { silenceMinutes: Number(values['silence-minutes']) } : {}),
          ...(values['pagerduty-events-url'] !== undefined ? { pagerdutyEventsUrl: values['pagerduty-events-url'] } : {}),
        },
      },
      'relay flags',
    ),
  };
  config = ensureLocalToken(config);
  const relay = new Relay(config, undefined, (level, code, message) => process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, code, msg: message }) + '\n'));
  await relay.start();
  process.stdout.write(
    JSON.stringify({ ready: true, url: relay.url, stream: relay.streamUrl, relayId: relay.storage.relayId, storage: relay.storage.kind, consoles: config.consoles.map((c) => c.id), tokenFile: config.consoles[0]?.id === LOCAL_CONSOLE_ID ? join(config.dataDir, LOCAL_TOKEN_FILE) : undefined }) + '\n',
  );
  const stop = () => void relay.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module || process.argv[1]?.endsWith('relay/main.ts')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConsoleError ? err.message : `E_RELAY_START: ${(err as Error).message}`}\n`);
    process.exit(1);
  });
}
