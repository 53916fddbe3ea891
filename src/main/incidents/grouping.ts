// Which incident an alert belongs to, decided in this order: the sender's
// group (Alertmanager's groupKey, carried by the relay as `group`); the
// PagerDuty dedup key (the alert's own key); a grouping rule on labels within
// a time window, for native and local alerts; otherwise the alert's own key.
// Every console decides from the alert alone and the relay's receive time, so
// consoles on one relay agree on the incident an action names.
import { createHash } from 'node:crypto';
import type { Alert } from '../../shared/domain/alert.js';

export interface GroupingRule {
  /** labels whose values make a group (`service` is the alert's service); empty: no rule */
  labels: string[];
  /** an alert joins a rule's incident while its last alert came less than this long ago */
  windowMs: number;
  /** auto: an incident resolves when its last alert resolves; manual: a person resolves it */
  resolve: 'auto' | 'manual';
}

export const DEFAULT_GROUPING: GroupingRule = { labels: [], windowMs: 5 * 60_000, resolve: 'auto' };

export interface AlertGroup {
  key: string;
  /** a rule's group: joined only within the window, and each incident of it has its own key */
  windowed: boolean;
}

export function groupOf(a: Alert, rule: GroupingRule): AlertGroup {
  if (a.group) return { key: a.group, windowed: false };
  if (a.source === 'pagerduty' || rule.labels.length === 0) return { key: a.key, windowed: false };
  const values = rule.labels.map((l) => (l === 'service' ? a.service : a.labels[l]));
  if (values.every((v) => v === undefined || v === '')) return { key: a.key, windowed: false };
  const identity = JSON.stringify([rule.labels, values]);
  return { key: `rule:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`, windowed: true };
}

/** Parse `--group-by service,alertname` (label names as Prometheus defines them). */
export function parseGroupLabels(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
