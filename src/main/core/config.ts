import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../shared/contract.js';
import { ConsoleError } from '../../shared/errors.js';
import { MIN_RETENTION_YEARS } from '../audit/audit-log.js';
import { PROFILE_NAMES } from '../../shared/domain/profile.js';
import { defaultDataDir } from '../platform/paths.js';
import { parseGroupLabels } from '../incidents/grouping.js';
import { DEFAULT_ACK_TIMEOUT_MIN } from '../../shared/domain/severity.js';



const AckMinutes = z.number().int('must be whole minutes').min(0, 'must be 0 (never) or more minutes').max(7 * 24 * 60, 'must be at most a week');

/** `SEV1=30,SEV2=120` over the defaults; a malformed entry is kept as NaN so the schema names it. */
function parseAckTimeouts(text: string | undefined): Record<'SEV1' | 'SEV2' | 'SEV3', number> {
  const out = { ...DEFAULT_ACK_TIMEOUT_MIN };
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [sev, min] = part.split('=');
    const key = sev?.trim().toUpperCase();
    if (key !== 'SEV1' && key !== 'SEV2' && key !== 'SEV3') throw new ConsoleError('E_CONFIG', 'input', `invalid configuration: ackTimeoutMin: "${part.slice(0, 40)}" must be SEV1=, SEV2= or SEV3= minutes`);
    out[key] = min !== undefined && min.trim() !== '' ? Number(min) : Number.NaN;
  }
  return out;
}

export const ConsoleConfigSchema = z
  .object({
    dataDir: z.string().min(1),
    mode: z.enum(['electron', 'browser']),
    /** false when browser mode runs because the Electron runtime is missing */
    electronRuntime: z.boolean(),
    version: z.string(),
    audit: z
      .object({
        retentionYears: z
          .number()
          .min(MIN_RETENTION_YEARS, `must be at least ${MIN_RETENTION_YEARS} years (HIPAA); it can only be raised`),
      })
      .strict(),
    /** the relay this console subscribes to; null = local only */
    relay: z
      .object({
        /** one relay, or several (comma-separated) tried in order: relays sharing one PostgreSQL */
        url: z.string().regex(/^wss?:\/\/[^\s,]+(,\s*wss?:\/\/[^\s,]+)*$/, 'must be a ws:// or wss:// URL, or several separated by commas'),
        token: z.string().min(32, 'must be at least 32 characters'),
        pingIntervalMs: z.number().int().min(50).max(300_000),
      })
      .strict()
      .nullable(),
    /** page "not receiving alerts" when the relay feed has been down this long */
    feedSilencePageS: z.number().min(1, 'must be at least 1 s').max(86_400),
    /** how native and local alerts group into incidents (Alertmanager's own groups and PagerDuty's dedup keys always do) */
    grouping: z
      .object({
        labels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be label names (letters, digits, _), comma-separated')).max(16),
        windowMs: z.number().int().min(1000, 'must be at least 1 s').max(7 * 86_400_000, 'must be at most 7 days'),
        resolve: z.enum(['auto', 'manual'], { message: 'must be auto (when every alert resolved) or manual' }),
      })
      .strict(),
    /** minutes an acknowledgement holds before a still-open incident pages again (0: forever) */
    ackTimeoutMin: z
      .object({ SEV1: AckMinutes, SEV2: AckMinutes, SEV3: AckMinutes })
      .strict(),
    /** HIPAA automatic logoff: lock after this much inactivity */
    lockAfterMs: z.number().int().min(1000, 'must be at least 1000 ms').max(24 * 3_600_000),
    /** probe file: a path, 'default' (bundled, or <dataDir>/probes.yaml when present), or 'none' */
    probes: z.string().min(1),
    profile: z.enum(PROFILE_NAMES, { message: `must be one of ${PROFILE_NAMES.join(', ')}` }),
    /** os (node-notifier), none, fail, or file:PATH (a stand-in for the OS daemon) */
    notifySink: z.string().regex(/^(os|none|fail|file:.+)$/, 'must be os, none, fail or file:PATH'),
    browser: z
      .object({
        host: z.literal('127.0.0.1'),
        port: z.number().int().min(0).max(65535),
        open: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

/** The per-user application data folder of each platform. */

export interface ConfigSources {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  mode?: 'electron' | 'browser';
  electronRuntime?: boolean;
  version?: string;
}

function flagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/**
 * The embedded default, overridden by environment (MAOC_*) and then flags.
 * Throws E_CONFIG naming the setting and the problem.
 */
export function resolveConfig(sources: ConfigSources = {}): ConsoleConfig {
  const argv = sources.argv ?? [];
  const env = sources.env ?? process.env;
  const dataDir = flagValue(argv, '--data-dir') ?? env.MAOC_DATA_DIR ?? defaultDataDir(env);
  const portText = flagValue(argv, '--port') ?? env.MAOC_PORT ?? '0';
  const retentionText = flagValue(argv, '--audit-retention-years') ?? env.MAOC_AUDIT_RETENTION_YEARS ?? String(MIN_RETENTION_YEARS);
  const relayUrl = flagValue(argv, '--relay-url') ?? env.MAOC_RELAY_URL;
  const tokenFile = flagValue(argv, '--relay-token-file') ?? env.MAOC_RELAY_TOKEN_FILE;
  let relayToken = flagValue(argv, '--relay-token') ?? env.MAOC_RELAY_TOKEN;
  if (!relayToken && tokenFile) {
    try {
      relayToken = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new ConsoleError('E_CONFIG', 'input', `relay.token: cannot read the token file ${tokenFile} (${(err as Error).message})`);
    }
  }
  const candidate = {
    dataDir: resolve(dataDir),
    mode: sources.mode ?? 'browser',
    electronRuntime: sources.electronRuntime ?? false,
    version: sources.version ?? '0.0.0',
    audit: { retentionYears: Number(retentionText) },
    relay: relayUrl ? { url: relayUrl, token: relayToken ?? '', pingIntervalMs: Number(flagValue(argv, '--relay-ping-ms') ?? env.MAOC_RELAY_PING_MS ?? 10_000) } : null,
    feedSilencePageS: Number(flagValue(argv, '--feed-silence-page-s') ?? env.MAOC_FEED_SILENCE_PAGE_S ?? 120),
    grouping: {
      labels: parseGroupLabels(flagValue(argv, '--group-by') ?? env.MAOC_GROUP_BY),
      windowMs: Math.round(Number(flagValue(argv, '--group-window-min') ?? env.MAOC_GROUP_WINDOW_MIN ?? 5) * 60_000),
      resolve: flagValue(argv, '--group-resolve') ?? env.MAOC_GROUP_RESOLVE ?? 'auto',
    },
    ackTimeoutMin: parseAckTimeouts(flagValue(argv, '--ack-timeout-min') ?? env.MAOC_ACK_TIMEOUT_MIN),
    lockAfterMs: Number(flagValue(argv, '--lock-after-ms') ?? env.MAOC_LOCK_AFTER_MS ?? 10 * 60_000),
    probes: flagValue(argv, '--probes') ?? env.MAOC_PROBES ?? 'default',
    profile: flagValue(argv, '--profile') ?? env.MAOC_PROFILE ?? 'routine_clinic',
    notifySink: flagValue(argv, '--notify-sink') ?? env.MAOC_NOTIFY_SINK ?? 'os',
    browser: { host: '127.0.0.1' as const, port: Number(portText), open: !argv.includes('--no-open') },
  };
  const parsed = ConsoleConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConsoleError('E_CONFIG', 'input', `invalid configuration: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
