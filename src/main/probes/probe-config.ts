import { isMap, type LineCounter, type Node } from 'yaml';
import { parseYaml, readYamlFile, type YamlRead } from '../platform/yaml-file.js';
import { z } from 'zod';
import { SeveritySchema } from '../../shared/domain/alert.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resourcePath } from '../platform/paths.js';

const Base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits and . _ - (max 64)'),
  name: z.string().min(1).max(120),
  /** ms; default from the resilience profile */
  interval: z.number().int().positive('must be a positive number of milliseconds').optional(),
  timeout: z.number().int().positive('must be a positive number of milliseconds').max(60_000).default(5000),
  /** extra tries within one run before it counts as a failure; default from the profile */
  retries: z.number().int().min(0).max(10).optional(),
  /** a critical probe failing while the feed is down puts the console into emergency */
  critical: z.boolean().default(false),
  severity: SeveritySchema.default('SEV2'),
};

const Threshold = z
  .object({
    metric: z.string().min(1).max(200),
    labels: z.record(z.string(), z.string()).optional(),
    op: z.enum(['<', '<=', '>', '>=']),
    value: z.number(),
    level: z.enum(['warning', 'critical']),
  })
  .strict();

export const ProbeSchema = z.discriminatedUnion('kind', [
  z.object({ ...Base, kind: z.literal('http'), url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }), expectStatus: z.number().int().min(100).max(599).default(200), headers: z.record(z.string(), z.string()).optional(), bodyContains: z.string().optional(), jsonPath: z.string().optional(), jsonEquals: z.union([z.string(), z.number(), z.boolean()]).optional(), insecure: z.boolean().default(false), slowMs: z.number().int().positive().default(2000) }).strict(),
  z.object({ ...Base, kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict(),
  z.object({ ...Base, kind: z.literal('postgres'), host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65535).default(5432), database: z.string().default('postgres'), user: z.string().default('postgres') }).strict(),
  z.object({ ...Base, kind: z.literal('redis'), host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65535).default(6379) }).strict(),
  z.object({ ...Base, kind: z.literal('tls'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(443), servername: z.string().optional(), warnDays: z.number().int().positive().default(30), criticalDays: z.number().int().min(0).default(7), insecure: z.boolean().default(false) }).strict(),
  z.object({ ...Base, kind: z.literal('metrics'), url: z.url({ protocol: /^https?$/ }), thresholds: z.array(Threshold).max(50).default([]) }).strict(),
  z.object({ ...Base, kind: z.literal('system'), cpuWarn: z.number().min(1).max(100).default(80), memoryWarn: z.number().min(1).max(100).default(85), diskWarn: z.number().min(1).max(100).default(80), diskPath: z.string().default('/') }).strict(),
]);

export type ProbeConfig = z.infer<typeof ProbeSchema>;

export interface ProbeFileResult {
  probes: ProbeConfig[];
  /** one line each: file, line, probe and field — the probes named here do not run */
  errors: string[];
  /** the file as a whole could not be used (unreadable, not YAML, no probes list) */
  fileError?: boolean;
}

function lineOf(node: Node | null | undefined, counter: LineCounter): number | null {
  const start = node?.range?.[0];
  return start === undefined ? null : counter.linePos(start).line;
}

/**
 * Load a probes file. A broken file yields one error and no probes
 * (`fileError`: the caller falls back to the last good set); a broken probe
 * yields an error naming it, its field and line, and the others still run.
 */
export function parseProbeFile(text: string, file: string): ProbeFileResult {
  return fromYaml(parseYaml(text, file), file);
}

function fromYaml(read: YamlRead, file: string): ProbeFileResult {
  if (!read.ok) return { probes: [], errors: [`E_PROBE_CONFIG: ${read.error}`], fileError: true };
  const { value, doc, counter } = read;
  const list = (value as { probes?: unknown } | null)?.probes;
  if (!Array.isArray(list)) return { probes: [], errors: [`E_PROBE_CONFIG: ${file}: line 1: expected a top-level "probes:" list`], fileError: true };
  const probes: ProbeConfig[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  list.forEach((raw: unknown, index) => {
    const item = doc.getIn(['probes', index], true) as Node | undefined;
    const id = (raw as { id?: unknown } | null)?.id;
    const label = typeof id === 'string' ? `probe "${id}"` : `probe #${index + 1}`;
    const parsed = ProbeSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'kind';
      const node = isMap(item) && issue.path.length > 0 ? (item.getIn(issue.path, true) as Node | undefined) : item;
      const line = node ? lineOf(node, counter) : null;
      errors.push(`E_PROBE_CONFIG: ${file}: line ${line ?? (item ? lineOf(item, counter) : '?')}: ${label}: ${field}: ${issue.message}`);
      return;
    }
    if (seen.has(parsed.data.id)) {
      errors.push(`E_PROBE_CONFIG: ${file}: line ${item ? lineOf(item, counter) : '?'}: ${label}: id: duplicate id`);
      return;
    }
    seen.add(parsed.data.id);
    probes.push(parsed.data);
  });
  return { probes, errors, fileError: false };
}

export function loadProbeFile(file: string): ProbeFileResult {
  return fromYaml(readYamlFile(file), file);
}

export function describeTarget(p: ProbeConfig): string {
  switch (p.kind) {
    case 'http':
    case 'metrics':
      return p.url;
    case 'tcp':
    case 'postgres':
    case 'redis':
    case 'tls':
      return `${p.host}:${p.port}`;
    case 'system':
      return `this workstation (${p.diskPath})`;
  }
}

/** Which probe file: none, a given file, or the data dir's probes.yaml, else the bundled default set. */
export function probeFileOf(spec: string, dataDir: string): string | null {
  if (spec === 'none') return null;
  if (spec !== 'default') return spec;
  const own = join(dataDir, 'probes.yaml');
  return existsSync(own) ? own : resourcePath('probes.default.yaml');
}

export function loadProbes(spec: string, dataDir: string): ProbeFileResult {
  const file = probeFileOf(spec, dataDir);
  return file === null ? { probes: [], errors: [] } : loadProbeFile(file);
}
