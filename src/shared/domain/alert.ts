import { z } from 'zod';

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = z.enum(SEVERITIES);

export const ALERT_SOURCES = ['alertmanager', 'pagerduty', 'native'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** firing: needs attention; acknowledged: a sender (e.g. PagerDuty) says someone has it; resolved: over. */
export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Limits of one alert as stored and streamed (characters, entries): the schema below and `plainlyValid` read them. */
const LIMIT = { relayId: 64, key: 512, summary: 1024, service: 256, mapKey: 128, mapValue: 4096, mapEntries: 64, links: 16, href: 2048, linkText: 256, time: 40, group: 128, groupTruncated: 1e9 } as const;

const Text = (max: number) => z.string().max(max);
const StringMap = z.record(z.string().max(LIMIT.mapKey), z.string().max(LIMIT.mapValue)).refine((m) => Object.keys(m).length <= LIMIT.mapEntries, `at most ${LIMIT.mapEntries} entries`);

/** The normalised alert the relay stores and streams; validated again by each console. */
export const AlertSchema = z
  .object({
    relayId: z.string().min(1).max(LIMIT.relayId),
    seq: z.number().int().positive(),
    key: Text(LIMIT.key).min(1),
    source: z.enum(ALERT_SOURCES),
    status: z.enum(ALERT_STATUSES),
    severity: SeveritySchema,
    summary: Text(LIMIT.summary),
    service: Text(LIMIT.service),
    labels: StringMap,
    annotations: StringMap,
    links: z.array(z.object({ href: Text(LIMIT.href), text: Text(LIMIT.linkText).optional() }).strict()).max(LIMIT.links),
    startsAt: z.string().max(LIMIT.time),
    receivedAt: z.string().max(LIMIT.time),
    /** the sender's group this alert came in (Alertmanager's groupKey, hashed): alerts of one group are one incident */
    group: z.string().min(1).max(LIMIT.group).optional(),
    /** Alertmanager's truncatedAlerts: alerts of the group it left out of the delivery (max_alerts) */
    groupTruncated: z.number().int().min(0).max(LIMIT.groupTruncated).optional(),
  })
  .strict();

export type Alert = z.infer<typeof AlertSchema>;

/** An alert before the relay gives it a sequence number: what the relay stores, with the limits every console enforces. */
export const NewAlertSchema = AlertSchema.omit({ relayId: true, seq: true, receivedAt: true });
export type NewAlert = z.infer<typeof NewAlertSchema>;

const NEW_FIELDS = new Set(['key', 'source', 'status', 'severity', 'summary', 'service', 'labels', 'annotations', 'links', 'startsAt', 'group', 'groupTruncated']);
const STORED_FIELDS = new Set([...NEW_FIELDS, 'relayId', 'seq', 'receivedAt']);

/**
 * The schemas' judgement (NewAlertSchema; AlertSchema when `stored`) at a
 * fraction of their cost, for the plain objects JSON.parse and the relay's
 * normaliser make: an alert is checked once per hop, thousands a second in a
 * storm. It may only be stricter than the schema: anything it is not sure of
 * (another prototype, a symbol key in a map, a getter that throws) is false, and the
 * caller then asks the schema, for its answer and its message. Held to the
 * schemas by test/unit/alert-check.test.ts.
 */
export function plainlyValid(a: unknown, stored: boolean): boolean {
  try {
    if (!plainObject(a)) return false;
    const fields = stored ? STORED_FIELDS : NEW_FIELDS;
    for (const k in a) if (!fields.has(k)) return false; // (symbol keys the schema passes over too)
    const { key, source, status, severity, summary, service, labels, annotations, links, startsAt, group, groupTruncated } = a;
    if (!text(key, LIMIT.key, 1) || !text(summary, LIMIT.summary) || !text(service, LIMIT.service) || !text(startsAt, LIMIT.time)) return false;
    if (!(ALERT_SOURCES as readonly unknown[]).includes(source) || !(ALERT_STATUSES as readonly unknown[]).includes(status) || !(SEVERITIES as readonly unknown[]).includes(severity)) return false;
    if (group !== undefined && !text(group, LIMIT.group, 1)) return false;
    if (groupTruncated !== undefined && !(Number.isSafeInteger(groupTruncated) && (groupTruncated as number) >= 0 && (groupTruncated as number) <= LIMIT.groupTruncated)) return false;
    if (!plainStringMap(labels, MAP_LIMIT) || !plainStringMap(annotations, MAP_LIMIT) || !linkList(links)) return false;
    return !stored || (text(a.relayId, LIMIT.relayId, 1) && text(a.receivedAt, LIMIT.time) && Number.isSafeInteger(a.seq) && (a.seq as number) > 0);
  } catch {
    return false;
  }
}

/** An object of Object's own prototype or none: what JSON.parse and object literals make. */
export function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A string of min (0 or 1) to max characters, counted as the schema counts them: in code points (a surrogate pair is one). */
function text(v: unknown, max: number, min = 0): boolean {
  return typeof v === 'string' && v.length >= min && (v.length <= max || codePoints(v) <= max);
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

const MAP_LIMIT = { entries: LIMIT.mapEntries, key: LIMIT.mapKey, value: LIMIT.mapValue };

/**
 * A map of strings a schema's record takes as it is (within `limit`, counted as
 * the schema counts, when one is given). An own __proto__ key, which the schema
 * drops from its copy, and a symbol key, which it refuses, are false: left to it.
 */
export function plainStringMap(m: unknown, limit?: { entries: number; key: number; value: number }): m is Record<string, string> {
  if (!plainObject(m)) return false;
  // (for…in: the enumerable keys, as the schema reads them, and any inherited, which only makes it stricter)
  let n = 0;
  for (const k in m) {
    const v = m[k];
    if (k === '__proto__' || typeof v !== 'string') return false;
    if (limit && (++n > limit.entries || !text(k, limit.key) || !text(v, limit.value))) return false;
  }
  return Object.getOwnPropertySymbols(m).length === 0;
}

function linkList(v: unknown): boolean {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || v.length > LIMIT.links) return false;
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!plainObject(l)) return false;
    for (const k in l) if (k !== 'href' && k !== 'text') return false;
    if (!text(l.href, LIMIT.href) || (l.text !== undefined && !text(l.text, LIMIT.linkText))) return false;
  }
  return true;
}

/** AlertSchema's answer: a plainly valid alert as it is, anything else as the schema judges it (with its message). */
export function parseAlert(v: unknown): { success: true; data: Alert } | { success: false; error: z.ZodError } {
  return plainlyValid(v, true) ? { success: true, data: v as Alert } : AlertSchema.safeParse(v);
}

/** NewAlertSchema's answer, the same way. */
export function parseNewAlert(v: unknown): { success: true; data: NewAlert } | { success: false; error: z.ZodError } {
  return plainlyValid(v, false) ? { success: true, data: v as NewAlert } : NewAlertSchema.safeParse(v);
}
