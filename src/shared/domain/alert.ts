import { z } from 'zod';

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = z.enum(SEVERITIES);

export const ALERT_SOURCES = ['alertmanager', 'pagerduty', 'native'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** firing: needs attention; acknowledged: a sender (e.g. PagerDuty) says someone has it; resolved: over. */
export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const Text = (max: number) => z.string().max(max);
const StringMap = z.record(z.string().max(128), z.string().max(4096)).refine((m) => Object.keys(m).length <= 64, 'at most 64 entries');

/** The normalised alert the relay stores and streams; validated again by each console. */
export const AlertSchema = z
  .object({
    relayId: z.string().min(1).max(64),
    seq: z.number().int().positive(),
    key: Text(512).min(1),
    source: z.enum(ALERT_SOURCES),
    status: z.enum(ALERT_STATUSES),
    severity: SeveritySchema,
    summary: Text(1024),
    service: Text(256),
    labels: StringMap,
    annotations: StringMap,
    links: z.array(z.object({ href: Text(2048), text: Text(256).optional() }).strict()).max(16),
    startsAt: z.string().max(40),
    receivedAt: z.string().max(40),
    /** the sender's group this alert came in (Alertmanager's groupKey, hashed): alerts of one group are one incident */
    group: z.string().min(1).max(128).optional(),
    /** Alertmanager's truncatedAlerts: alerts of the group it left out of the delivery (max_alerts) */
    groupTruncated: z.number().int().min(0).max(1e9).optional(),
  })
  .strict();

export type Alert = z.infer<typeof AlertSchema>;

/** An alert before the relay gives it a sequence number: what the relay stores, with the limits every console enforces. */
export const NewAlertSchema = AlertSchema.omit({ relayId: true, seq: true, receivedAt: true });
export type NewAlert = z.infer<typeof NewAlertSchema>;
