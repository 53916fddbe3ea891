// Alerts as they cross between the relay's threads (parse-pool.ts, log-writer.ts).
import { ALERT_SOURCES, ALERT_STATUSES, SEVERITIES } from '../shared/domain/alert.js';
import type { IngestedAlert } from './ingest.js';
import type { AppendRequest, EncodedAlert } from './storage.js';

/**
 * Alerts as they cross between the relay's threads: every alert's JSON in one
 * string, a line each (JSON.stringify never writes a raw line feed), and its
 * key in a list. One long string is copied at memory speed; a hundred objects
 * of six strings each cost more to copy than to parse (and a JSON text split
 * from it is a slice, not a copy).
 */
export interface PackedAlerts {
  json: string;
  keys: string[];
}

/** …and what the relay decides by: source, status and severity as three digits an alert, its alertname or null. */
export interface PackedIngested extends PackedAlerts {
  codes: string;
  alertnames: (string | null)[];
}

export function packAlerts(alerts: readonly EncodedAlert[]): PackedAlerts {
  return { json: alerts.map((a) => a.json).join('\n'), keys: alerts.map((a) => a.key) };
}

export function unpackAlerts(p: PackedAlerts): EncodedAlert[] {
  const json = p.keys.length ? p.json.split('\n') : [];
  if (json.length !== p.keys.length) throw new Error(`packed alerts: ${p.keys.length} keys but ${json.length} JSON texts`);
  return p.keys.map((key, i) => ({ key, json: json[i]! }));
}

export function packIngested(alerts: readonly IngestedAlert[]): PackedIngested {
  let codes = '';
  for (const a of alerts) codes += `${ALERT_SOURCES.indexOf(a.source)}${ALERT_STATUSES.indexOf(a.status)}${SEVERITIES.indexOf(a.severity)}`;
  return { ...packAlerts(alerts), codes, alertnames: alerts.map((a) => a.alertname ?? null) };
}

export function unpackIngested(p: PackedIngested): IngestedAlert[] {
  return unpackAlerts(p).map((e, i) => {
    const a: IngestedAlert = { key: e.key, json: e.json, source: ALERT_SOURCES[+p.codes[3 * i]!]!, status: ALERT_STATUSES[+p.codes[3 * i + 1]!]!, severity: SEVERITIES[+p.codes[3 * i + 2]!]! };
    const name = p.alertnames[i];
    if (name !== null && name !== undefined) a.alertname = name;
    return a;
  });
}

/** Append requests as they cross to the log writer. */
export type PackedAppend = Omit<AppendRequest, 'alerts'> & { alerts: PackedAlerts };
