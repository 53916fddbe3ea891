// Sender payloads (Alertmanager webhook v4, PagerDuty Events API v2, native
// JSON): their schemas and their mapping onto the one normalised alert.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SEVERITIES, SeveritySchema, type Alert, type Severity } from '../shared/domain/alert.js';

/** An alert before the relay gives it a sequence number. */
export type NewAlert = Omit<Alert, 'relayId' | 'seq' | 'receivedAt'>;

const Labels = z.record(z.string().max(128), z.string().max(4096));
const Time = z.string().max(40);

// Alertmanager adds fields over time (groupKey, truncatedAlerts…): accept them, validate what we use.
export const AlertmanagerSchema = z.looseObject({
  version: z.literal('4', { message: 'must be "4" (Alertmanager webhook payload version)' }),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().max(2048).default(''),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: Labels,
        annotations: Labels.default({}),
        startsAt: Time,
        endsAt: Time.optional(),
        generatorURL: z.string().max(2048).optional(),
        fingerprint: z.string().max(64).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

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

const NativeAlertSchema = z
  .object({
    key: z.string().min(1).max(480),
    status: z.enum(['firing', 'resolved']).default('firing'),
    severity: SeveritySchema,
    summary: z.string().min(1).max(1024),
    service: z.string().min(1).max(256),
    labels: Labels.default({}),
    annotations: Labels.default({}),
    links: z.array(z.object({ href: z.string().max(2048), text: z.string().max(256).optional() }).strict()).max(16).default([]),
    startsAt: Time.optional(),
  })
  .strict();

export const NativeSchema = z.union([NativeAlertSchema, z.object({ alerts: z.array(NativeAlertSchema).min(1).max(1000) }).strict()]);

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

function clip(map: Record<string, string>, max = 64): Record<string, string> {
  return Object.fromEntries(Object.entries(map).slice(0, max));
}

export function fromAlertmanager(p: z.infer<typeof AlertmanagerSchema>, policy: SeverityPolicy, now: string): NewAlert[] {
  return p.alerts.map((a) => {
    const labels = clip({ ...p.commonLabels, ...a.labels });
    const annotations = clip({ ...p.commonAnnotations, ...a.annotations });
    const links: NewAlert['links'] = [];
    if (a.generatorURL) links.push({ href: a.generatorURL, text: 'Source' });
    if (annotations.runbook_url) links.push({ href: annotations.runbook_url, text: 'Runbook' });
    if (p.externalURL) links.push({ href: p.externalURL, text: 'Alertmanager' });
    return {
      key: `am:${a.fingerprint ?? labelsFingerprint(a.labels)}`,
      source: 'alertmanager',
      status: a.status,
      severity: mapSeverity(labels, labels.severity, policy),
      summary: (annotations.summary ?? annotations.description ?? labels.alertname ?? 'Alertmanager alert').slice(0, 1024),
      service: (labels.service ?? labels.job ?? labels.alertname ?? 'unknown').slice(0, 256),
      labels,
      annotations,
      links,
      startsAt: a.startsAt || now,
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
      startsAt: p?.timestamp ?? now,
    },
  };
}

export function fromNative(body: z.infer<typeof NativeSchema>, now: string): NewAlert[] {
  const list = 'alerts' in body ? body.alerts : [body];
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
    startsAt: a.startsAt ?? now,
  }));
}
