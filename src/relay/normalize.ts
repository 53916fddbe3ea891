// Sender payloads (Alertmanager webhook v4, PagerDuty Events API v2, native
// JSON): their schemas and their mapping onto the one normalised alert.
// What a real sender may legally send is accepted and clipped to the limits
// every console enforces (the shared NewAlertSchema), never refused for size:
// a 4xx makes Alertmanager drop the notification for good.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { plainObject, plainStringMap, SEVERITIES, SeveritySchema, type Alert, type NewAlert, type Severity } from '../shared/domain/alert.js';

export type { NewAlert };

/** Limits of one normalised alert (the console's AlertSchema). */
export const ALERT_LIMITS = { maxEntries: 64, keyChars: 128, valueChars: 4096, summary: 1024, service: 256, links: 16, href: 2048, linkText: 256, time: 40, key: 480 } as const;

// Alertmanager's own types: label names and values are strings of any length.
const AnyLabels = z.record(z.string(), z.string());
const AnyText = z.string();

// Alertmanager adds fields over time (groupKey, truncatedAlerts…): accept them, validate what we use.
export const AlertmanagerSchema = z.looseObject({
  version: z.literal('4', { message: 'must be "4" (Alertmanager webhook payload version)' }),
  status: z.enum(['firing', 'resolved']),
  receiver: AnyText,
  groupKey: AnyText.optional(),
  truncatedAlerts: z.number().int().min(0).optional().catch(undefined),
  groupLabels: AnyLabels.default({}),
  commonLabels: AnyLabels.default({}),
  commonAnnotations: AnyLabels.default({}),
  externalURL: AnyText.default(''),
  alerts: z.array(
    z.looseObject({
      status: z.enum(['firing', 'resolved']),
      labels: AnyLabels,
      annotations: AnyLabels.default({}),
      startsAt: AnyText,
      endsAt: AnyText.optional(),
      generatorURL: AnyText.optional(),
      fingerprint: AnyText.optional(),
    }),
  ).min(1, 'must hold at least one alert'),
});

export type AlertmanagerPayload = z.infer<typeof AlertmanagerSchema>;

/**
 * An Alertmanager body read without the schema, when it is as Alertmanager
 * sends it: every field there and of its type (an alert's annotations may be
 * left out), label maps of strings only. Undefined for anything else (a field
 * left out, a default to fill, a value the schema would replace): the schema
 * reads that. The body itself is returned; what the schema would add (its
 * copy, its defaults) is not needed.
 * Held to the schema by test/unit/alertmanager-parse.test.ts.
 */
export function quickAlertmanager(body: unknown): AlertmanagerPayload | undefined {
  if (!plainObject(body)) return undefined;
  const { version, status, receiver, groupKey, truncatedAlerts, groupLabels, commonLabels, commonAnnotations, externalURL, alerts } = body;
  if (version !== '4' || (status !== 'firing' && status !== 'resolved') || typeof receiver !== 'string' || typeof externalURL !== 'string') return undefined;
  if ((groupKey !== undefined && typeof groupKey !== 'string') || (truncatedAlerts !== undefined && !(Number.isSafeInteger(truncatedAlerts) && (truncatedAlerts as number) >= 0))) return undefined;
  if (!plainStringMap(groupLabels) || !plainStringMap(commonLabels) || !plainStringMap(commonAnnotations) || !Array.isArray(alerts) || alerts.length === 0) return undefined;
  for (const a of alerts as unknown[]) {
    if (!plainObject(a) || (a.status !== 'firing' && a.status !== 'resolved') || typeof a.startsAt !== 'string' || !plainStringMap(a.labels) || (a.annotations !== undefined && !plainStringMap(a.annotations))) return undefined;
    if ((a.endsAt !== undefined && typeof a.endsAt !== 'string') || (a.generatorURL !== undefined && typeof a.generatorURL !== 'string') || (a.fingerprint !== undefined && typeof a.fingerprint !== 'string')) return undefined;
  }
  return body as AlertmanagerPayload;
}

/** The schema's answer to an Alertmanager body, quickly for one as Alertmanager sends it. */
export function parseAlertmanager(body: unknown): { success: true; data: AlertmanagerPayload } | { success: false; error: z.ZodError } {
  const quick = quickAlertmanager(body);
  return quick ? { success: true, data: quick } : AlertmanagerSchema.safeParse(body);
}

const Labels = z.record(z.string().max(ALERT_LIMITS.keyChars), z.string().max(ALERT_LIMITS.valueChars)).refine((m) => Object.keys(m).length <= ALERT_LIMITS.maxEntries, `at most ${ALERT_LIMITS.maxEntries} entries`);
const Time = z.string().max(ALERT_LIMITS.time);
const Link = z.object({ href: z.string().max(ALERT_LIMITS.href), text: z.string().max(ALERT_LIMITS.linkText).optional() }).strict();

// PagerDuty Events API v2, as documented (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
export const PagerDutySchema = z
  .object({
    routing_key: z.string().min(1).max(64),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve'], { message: 'must be one of trigger, acknowledge, resolve' }),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: z
      .object({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1).max(255),
        severity: z.enum(['critical', 'error', 'warning', 'info'], { message: 'must be one of critical, error, warning, info' }),
        timestamp: Time.optional(),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.unknown().optional(),
      })
      .strict()
      .optional(),
    links: z.array(z.object({ href: z.string().max(2048), text: z.string().max(256).optional() }).strict()).max(16).optional(),
    images: z.array(z.object({ src: z.string().max(2048), href: z.string().max(2048).optional(), alt: z.string().max(256).optional() }).strict()).max(16).optional(),
    client: z.string().max(255).optional(),
    client_url: z.string().max(2048).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && !e.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for trigger events' });
    if (e.event_action !== 'trigger' && !e.dedup_key) ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required for ${e.event_action} events` });
  });

export const NativeAlertSchema = z
  .object({
    key: z.string().min(1).max(ALERT_LIMITS.key),
    status: z.enum(['firing', 'resolved']).default('firing'),
    severity: SeveritySchema,
    summary: z.string().min(1).max(ALERT_LIMITS.summary),
    service: z.string().min(1).max(ALERT_LIMITS.service),
    labels: Labels.default({}),
    annotations: Labels.default({}),
    links: z.array(Link).max(ALERT_LIMITS.links).default([]),
    startsAt: Time.optional(),
  })
  .strict();

export const NativeBatchSchema = z.object({ alerts: z.array(NativeAlertSchema).min(1) }).strict();

/** One alert, or `{ alerts: [...] }`; chosen by shape so an error names its field (`alerts[3].severity`), not "invalid input". */
export function parseNative(body: unknown): { success: true; data: z.infer<typeof NativeAlertSchema>[] } | { success: false; error: z.ZodError } {
  const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'alerts' in body;
  if (batch) {
    const r = NativeBatchSchema.safeParse(body);
    return r.success ? { success: true, data: r.data.alerts } : { success: false, error: r.error };
  }
  const r = NativeAlertSchema.safeParse(body);
  return r.success ? { success: true, data: [r.data] } : { success: false, error: r.error };
}

export interface SeverityPolicy {
  map: Record<string, Severity>;
  fallback: Severity;
}

/** An explicit SEV label wins; otherwise the sender's severity word through the configured map. */
export function mapSeverity(labels: Record<string, string>, word: string | undefined, policy: SeverityPolicy): Severity {
  const explicit = labels.medical_severity ?? labels.oncall_severity;
  if (explicit && (SEVERITIES as readonly string[]).includes(explicit.toUpperCase())) return explicit.toUpperCase() as Severity;
  return (word && policy.map[word.toLowerCase()]) || policy.fallback;
}

function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * The group's common entries overlaid by the alert's own (as `{ ...common, ...own }`), at most 64 of them,
 * names and values cut to the console's limits (an over-long Alertmanager label is kept, shortened).
 */
function clip(common: Record<string, string>, own: Record<string, string> = {}): Record<string, string> {
  // Alertmanager's common entries are those every alert of the group carries with the same value: then the alert's own
  // map is the overlay, and within the limits it is kept as it came (a storm's alerts are not copied twice each)
  if (covers(own, common) && withinLimits(own)) return own;
  const merged = Object.keys(common).length === 0 ? own : { ...common, ...own };
  const out: Record<string, string> = {};
  let n = 0;
  for (const k in merged) {
    if (!Object.hasOwn(merged, k)) continue;
    if (n++ >= ALERT_LIMITS.maxEntries) break;
    const v = merged[k]!;
    out[k.length > ALERT_LIMITS.keyChars ? k.slice(0, ALERT_LIMITS.keyChars) : k] = v.length > ALERT_LIMITS.valueChars ? v.slice(0, ALERT_LIMITS.valueChars) : v;
  }
  return out;
}

/** Every entry of `common` is in `own`, with the same value. */
function covers(own: Record<string, string>, common: Record<string, string>): boolean {
  for (const k in common) if (!Object.hasOwn(common, k) || !Object.hasOwn(own, k) || own[k] !== common[k]) return false;
  return true;
}

/** A map clip would copy unchanged: at most 64 entries, names and values within their limits, no entry named __proto__ (which a copy drops). */
function withinLimits(m: Record<string, string>): boolean {
  let n = 0;
  for (const k in m) {
    if (!Object.hasOwn(m, k) || ++n > ALERT_LIMITS.maxEntries || k.length > ALERT_LIMITS.keyChars || k === '__proto__' || m[k]!.length > ALERT_LIMITS.valueChars) return false;
  }
  return true;
}

function clipLinks(links: { href: string; text?: string }[]): NewAlert['links'] {
  return links.slice(0, ALERT_LIMITS.links).map((l) => ({ href: l.href.slice(0, ALERT_LIMITS.href), ...(l.text !== undefined ? { text: l.text.slice(0, ALERT_LIMITS.linkText) } : {}) }));
}

/** The last time text found usable (the alerts of one group often share their startsAt). */
let lastUsable = '';

/** An RFC 3339 time as the sender wrote it, or now when absent or unusable. */
function time(t: string | undefined, now: string): string {
  if (t && t === lastUsable) return t; // (not an empty one: the memo starts empty)
  if (t && t.length <= ALERT_LIMITS.time && !Number.isNaN(Date.parse(t))) return (lastUsable = t);
  return now;
}

/**
 * The group a delivery speaks for: Alertmanager's groupKey (unique per route
 * and group labels), or, from a sender that leaves it out, the receiver and
 * the group labels it names. Hashed: the key may be long and holds label values.
 */
export function alertmanagerGroup(p: Pick<z.infer<typeof AlertmanagerSchema>, 'groupKey' | 'receiver' | 'groupLabels'>): string {
  const identity = p.groupKey ?? `${p.receiver}\u0000${labelsFingerprint(p.groupLabels)}`;
  return `amg:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

export function fromAlertmanager(p: z.infer<typeof AlertmanagerSchema>, policy: SeverityPolicy, now: string): NewAlert[] {
  const group = alertmanagerGroup(p);
  const truncated = p.truncatedAlerts && p.truncatedAlerts > 0 ? { groupTruncated: Math.min(p.truncatedAlerts, 1e9) } : {};
  return p.alerts.map((a) => {
    const labels = clip(p.commonLabels, a.labels);
    const annotations = clip(p.commonAnnotations, a.annotations);
    const links: { href: string; text: string }[] = [];
    if (a.generatorURL) links.push({ href: a.generatorURL, text: 'Source' });
    if (annotations.runbook_url) links.push({ href: annotations.runbook_url, text: 'Runbook' });
    if (p.externalURL) links.push({ href: p.externalURL, text: 'Alertmanager' });
    const fingerprint = a.fingerprint && /^[0-9a-zA-Z]{1,64}$/.test(a.fingerprint) ? a.fingerprint : labelsFingerprint(a.labels);
    return {
      key: `am:${fingerprint}`,
      source: 'alertmanager',
      status: a.status,
      severity: mapSeverity(labels, labels.severity, policy),
      summary: (annotations.summary ?? annotations.description ?? labels.alertname ?? 'Alertmanager alert').slice(0, 1024),
      service: (labels.service ?? labels.job ?? labels.alertname ?? 'unknown').slice(0, 256),
      labels,
      annotations,
      links: clipLinks(links),
      startsAt: time(a.startsAt, now),
      group,
      ...truncated,
    };
  });
}

/** A previous alert with the same key, for acknowledge/resolve events that carry no payload. */
export type PreviousLookup = (key: string) => Pick<Alert, 'severity' | 'summary' | 'service' | 'labels'> | undefined;

export function fromPagerDuty(e: z.infer<typeof PagerDutySchema>, policy: SeverityPolicy, now: string, previous: PreviousLookup): { alert: NewAlert; dedupKey: string } {
  const dedupKey = e.dedup_key ?? randomUUID();
  const key = `pd:${dedupKey}`;
  const status = e.event_action === 'trigger' ? 'firing' : e.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
  const p = e.payload;
  const prev = previous(key);
  const labels: Record<string, string> = p
    ? Object.fromEntries(
        Object.entries({ source: p.source, component: p.component, group: p.group, class: p.class, severity: p.severity }).filter(
          (kv): kv is [string, string] => typeof kv[1] === 'string',
        ),
      )
    : (prev?.labels ?? {});
  const annotations: Record<string, string> = {};
  if (p?.custom_details !== undefined) annotations.custom_details = JSON.stringify(p.custom_details).slice(0, 4096);
  if (e.client) annotations.client = e.client;
  const links = [...(e.links ?? []), ...(e.client_url ? [{ href: e.client_url, text: e.client ?? 'Client' }] : [])].slice(0, 16);
  return {
    dedupKey,
    alert: {
      key,
      source: 'pagerduty',
      status,
      severity: p ? mapSeverity(labels, p.severity, policy) : (prev?.severity ?? policy.fallback),
      summary: p?.summary ?? prev?.summary ?? `PagerDuty ${e.event_action} ${dedupKey}`.slice(0, 1024),
      service: (p?.component ?? p?.source ?? prev?.service ?? 'unknown').slice(0, 256),
      labels,
      annotations,
      links,
      startsAt: time(p?.timestamp, now),
    },
  };
}

export function fromNative(list: z.infer<typeof NativeAlertSchema>[], now: string): NewAlert[] {
  return list.map((a) => ({
    key: `native:${a.key}`,
    source: 'native',
    status: a.status,
    severity: a.severity,
    summary: a.summary,
    service: a.service,
    labels: a.labels,
    annotations: a.annotations,
    links: a.links,
    startsAt: time(a.startsAt, now),
  }));
}
