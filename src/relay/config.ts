import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { SeveritySchema } from '../shared/domain/alert.js';
import { describeIssues } from '../shared/contract.js';
import { ConsoleError } from '../shared/errors.js';

export const DEFAULT_SEVERITY_MAP = {
  critical: 'SEV1',
  high: 'SEV2',
  error: 'SEV2',
  major: 'SEV2',
  warning: 'SEV3',
  minor: 'SEV3',
  low: 'SEV3',
  info: 'SEV3',
} as const;

export const RelayConfigSchema = z
  .object({
    listen: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8787) })
      .strict()
      .default({ host: '127.0.0.1', port: 8787 }),
    dataDir: z.string().min(1).default('.data/relay'),
    /** a shared PostgreSQL for two or more relays (postgresql://user@host/db); none: the embedded SQLite file in dataDir */
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// URL').nullable().default(null),
    /** one bearer token per console; each at least 32 characters */
    consoles: z
      .array(z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ - only'), token: z.string().min(32, 'must be at least 32 characters') }).strict())
      .default([]),
    /** optional bearer token the HTTP senders must present (required when not on loopback) */
    ingestToken: z.string().min(32).optional(),
    retentionDays: z.number().int().min(1).max(3650).default(30),
    severityMap: z.record(z.string().max(32), SeveritySchema).default({ ...DEFAULT_SEVERITY_MAP }),
    defaultSeverity: SeveritySchema.default('SEV3'),
    rateLimit: z
      .object({ alertsPerSecond: z.number().positive().default(2000), burst: z.number().positive().default(10_000) })
      .strict()
      .default({ alertsPerSecond: 2000, burst: 10_000 }),
    heartbeatMs: z.number().int().min(50).default(10_000),
    /** Alertmanager sends a whole group in one body: 16 MiB holds about 5,000 alerts with 2 KB annotations */
    maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
    /** alerts in one request; Alertmanager groups may hold thousands (never below 10,000: a 4xx loses them for good) */
    maxAlertsPerRequest: z.number().int().min(10_000).max(1_000_000).default(100_000),
    /** largest frame a console may send (acks, subscribe) */
    maxFrameBytes: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
    /** threads that parse and check request bodies (and, with SQLite, one that writes the log), so the relay's own thread answers and streams; 0: all on one thread */
    ingestWorkers: z.number().int().min(0).max(16).default(2),
    /** a console is sent at most this many alerts per frame */
    pageSize: z.number().int().min(1).max(5000).default(500),
    /** and at most this many bytes per frame, well under the console's 64 MiB maxPayload; a single alert larger than this is refused at ingest */
    maxPageBytes: z.number().int().min(64 * 1024).max(32 * 1024 * 1024).default(4 * 1024 * 1024),
    /** browser origins allowed to post or subscribe (none by default: browsers are refused) */
    allowedOrigins: z.array(z.string()).default([]),
    /** Host names answered besides loopback and the listen address (the relay's DNS name behind a load balancer) */
    publicHosts: z.array(z.string().min(1).max(253)).default([]),
    /** a retried delivery (same source and body, or same Idempotency-Key) within this window is stored once */
    dedupWindowS: z.number().int().min(0).max(86_400).default(600),
    /** acknowledgements written back to the sources (opt-in per source) */
    writeBack: z
      .object({
        /** Alertmanager base URLs (one cluster, tried in order): an acknowledgement creates a silence there */
        alertmanagerUrls: z.array(z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s):// URL').transform((u) => u.replace(/\/+$/, ''))).max(8).default([]),
        silenceMinutes: z.number().int().min(5, 'must be at least 5 minutes').max(24 * 60).default(60),
        /** PagerDuty's Events API v2 enqueue URL: acknowledge / resolve are sent there */
        pagerdutyEventsUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s):// URL').nullable().default(null),
        retry: z.object({ initialMs: z.number().int().min(10).max(600_000).default(1000), maxMs: z.number().int().min(10).max(3_600_000).default(60_000) }).strict().default({ initialMs: 1000, maxMs: 60_000 }),
        /** how often due jobs and silences to extend are looked at */
        intervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** how often Alertmanager is asked whether silenced alerts still fire (it sends no resolved for a silenced alert) */
        sourceCheckMs: z.number().int().min(100).max(600_000).default(15_000),
      })
      .strict()
      .default({ alertmanagerUrls: [], silenceMinutes: 60, pagerdutyEventsUrl: null, retry: { initialMs: 1000, maxMs: 60_000 }, intervalMs: 1000, sourceCheckMs: 15_000 }),
    /** the dead man's switch: an always-firing alert whose silence pages every console */
    watchdog: z
      .object({
        alertname: z.string().min(1).max(256).default('Watchdog'),
        /** 0 = off (only for a pipeline that has no Watchdog: its silence then goes unnoticed) */
        timeoutS: z.number().min(0).max(86_400).default(600),
      })
      .strict()
      .default({ alertname: 'Watchdog', timeoutS: 600 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const loopback = c.listen.host === '127.0.0.1' || c.listen.host === '::1' || c.listen.host === 'localhost';
    if (!loopback && !c.ingestToken) {
      ctx.addIssue({ code: 'custom', path: ['ingestToken'], message: 'is required when the relay listens beyond loopback' });
    }
    const ids = new Set<string>();
    c.consoles.forEach((k, i) => {
      if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['consoles', i, 'id'], message: `duplicate console id ${k.id}` });
      ids.add(k.id);
    });
  });

export type RelayConfig = z.infer<typeof RelayConfigSchema>;
export type RelayConfigInput = z.input<typeof RelayConfigSchema>;

export function parseRelayConfig(input: unknown, origin = 'relay config'): RelayConfig {
  const parsed = RelayConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ConsoleError('E_RELAY_CONFIG', 'input', `${origin}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Read a YAML config; errors name the file, the line where YAML broke, or the field. */
export function loadRelayConfig(file: string): RelayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConsoleError('E_RELAY_CONFIG', 'input', `cannot read ${file}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConsoleError('E_RELAY_CONFIG', 'input', `${file}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const config = parseRelayConfig(doc.toJS(), file);
  // a relative data dir is relative to the config file
  return { ...config, dataDir: resolve(dirname(file), config.dataDir) };
}
