// One HTTP delivery's body → normalised alerts, per sender format. Errors are
// 400s that name the field; everything a sender may legally send is accepted.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { describeIssues } from '../shared/contract.js';
import { parseNewAlert, type AlertSource, type AlertStatus, type Severity } from '../shared/domain/alert.js';
import { jsonDepth } from '../shared/json-limits.js';
import { HttpError } from './http-guard.js';
import type { EncodedAlert } from './storage.js';
import { fromAlertmanager, fromNative, fromPagerDuty, parseAlertmanager, parseNative, PagerDutySchema, type NewAlert, type PreviousLookup, type SeverityPolicy } from './normalize.js';

export const MAX_JSON_DEPTH = 32;

/**
 * A normalised alert as the relay handles it after parsing: its key and its
 * JSON (serialised once, where it was parsed and checked), and the few fields
 * the relay itself decides by. Strings only, and packed (packed.ts) where it
 * crosses between threads: a structured clone of the alert object costs more
 * than parsing it did.
 */
export interface IngestedAlert extends EncodedAlert {
  source: AlertSource;
  status: AlertStatus;
  severity: Severity;
  /** the alertname label, if any (the Watchdog is known by it) */
  alertname?: string;
}

export function encodeAlert(a: NewAlert): IngestedAlert {
  const e: IngestedAlert = { key: a.key, json: JSON.stringify(a), source: a.source, status: a.status, severity: a.severity };
  if (a.labels.alertname !== undefined) e.alertname = a.labels.alertname;
  return e;
}

/** A stored alert a PagerDuty event without payload takes its text from (looked up before parsing). */
export interface Previous {
  key: string;
  alert: NewAlert;
}

/** What a PagerDuty event's dedup key looked up before parsing answers to the parser. */
export function lookupOf(previous: Previous | undefined): PreviousLookup {
  return (key) => (previous && previous.key === key ? previous.alert : undefined);
}

export interface Delivery {
  alerts: IngestedAlert[];
  /** PagerDuty answers carry the dedup_key */
  dedupKey?: string;
  /** PagerDuty's routing_key, kept by the relay for acknowledgements sent back */
  routingKey?: string;
}

export interface IngestLimits {
  maxAlertsPerRequest: number;
  /** a single normalised alert may not exceed this (it must fit in one frame to a console) */
  maxAlertBytes: number;
}

export function deliveryDigest(source: AlertSource, raw: Buffer, idempotencyKey: string | undefined): string {
  const h = createHash('sha256').update(source).update('\0');
  if (idempotencyKey) h.update('key:').update(idempotencyKey);
  else h.update('body:').update(raw);
  return h.digest('hex');
}

/** Parse and normalise; `quarantine` is told why a body was refused (never what it held). */
export function parseDelivery(source: AlertSource, raw: Buffer, policy: SeverityPolicy, previous: PreviousLookup, receivedAt: string, limits: IngestLimits): Delivery {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'E_BAD_JSON', 'the body is not valid JSON');
  }
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new HttpError(400, 'E_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  const invalid = (error: z.ZodError) => new HttpError(400, 'E_SCHEMA', describeIssues(error));
  let alerts: NewAlert[];
  let pd: Pick<Delivery, 'dedupKey' | 'routingKey'> = {};
  if (source === 'alertmanager') {
    const p = parseAlertmanager(body);
    if (!p.success) throw invalid(p.error);
    alerts = fromAlertmanager(p.data, policy, receivedAt);
  } else if (source === 'pagerduty') {
    const p = PagerDutySchema.safeParse(body);
    if (!p.success) throw invalid(p.error);
    const { alert, dedupKey } = fromPagerDuty(p.data, policy, receivedAt, previous);
    alerts = [alert];
    pd = { dedupKey, routingKey: p.data.routing_key };
  } else {
    const p = parseNative(body);
    if (!p.success) throw invalid(p.error);
    alerts = fromNative(p.data, receivedAt);
  }
  if (alerts.length > limits.maxAlertsPerRequest) {
    throw new HttpError(413, 'E_TOO_MANY', `${alerts.length} alerts in one request; at most ${limits.maxAlertsPerRequest} (maxAlertsPerRequest)`);
  }
  // The relay never accepts what a console would refuse: the one shared schema, per alert.
  const encoded = alerts.map((a, i) => {
    const check = parseNewAlert(a);
    const at = source === 'native' && alerts.length > 1 ? `alerts[${i}]` : source === 'alertmanager' ? `alerts[${i}]` : '';
    if (!check.success) throw new HttpError(400, 'E_SCHEMA', describeIssues(check.error).replace(/(^|; )/g, `$1${at}${at ? '.' : ''}`));
    const e = encodeAlert(a);
    const bytes = Buffer.byteLength(e.json);
    if (bytes > limits.maxAlertBytes) throw new HttpError(413, 'E_ALERT_TOO_LARGE', `${at || 'the alert'} is ${bytes} bytes once normalised; at most ${limits.maxAlertBytes} (maxPageBytes)`);
    return e;
  });
  return { alerts: encoded, ...pd };
}
