// Acknowledgements written back to the alerts' sources, opt-in per source:
//  - Alertmanager (--alertmanager-url, several allowed: tried in order, as a
//    cluster): an acknowledgement creates a silence matching exactly the
//    incident's firing alerts (POST /api/v2/silences), kept alive while they
//    fire; resolving the incident expires it (DELETE /api/v2/silence/{id}).
//  - PagerDuty (--pagerduty-events-url): acknowledge / resolve as Events API
//    v2 events with the original routing_key and dedup_key.
// Jobs are queued in the transaction that stores the console's action, sent
// one at a time, retried with backoff on 429, 5xx and unreachable, never on
// another 4xx; each outcome goes to every console as a timeline entry.
import { randomUUID } from 'node:crypto';
import { isoTime, type Clock } from '../shared/clock.js';
import type { RelayAck, WriteBackReport } from '../shared/relay-protocol.js';
import type { StoredWriteBack, WriteBackJob } from './store.js';
import type { RelayStorage } from './storage.js';
import type { NewAlert } from './normalize.js';
import { encodeAlert } from './ingest.js';
import type { RelayLog } from './log.js';
import type { RelayConfig } from './config.js';

/** The relay config's `writeBack` section (its schema documents each field). */
export type WriteBackConfig = RelayConfig['writeBack'];

interface Matcher { name: string; value: string; isRegex: boolean; isEqual: boolean }

/** RE2 (Alertmanager's regex engine): escape every metacharacter so a value matches only itself. */
function re2Escape(v: string): string {
  return v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Matchers that match exactly these alerts (by their label sets): the labels
 * they share as equalities, and one label that tells them apart as a regex of
 * its values. When no single label tells them apart, one silence per alert.
 */
export function silenceMatchers(labelSets: Record<string, string>[]): Matcher[][] {
  if (labelSets.length === 0) return [];
  const exact = (l: Record<string, string>) => Object.entries(l).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
  if (labelSets.length === 1) return [exact(labelSets[0]!)];
  const first = labelSets[0]!;
  const names = Object.keys(first).filter((n) => labelSets.every((l) => n in l));
  const common = names.filter((n) => labelSets.every((l) => l[n] === first[n]));
  // every alert must be told apart by the equalities plus one label; and its label set must hold nothing the others lack
  // (else a label present in some would not be matched by name)
  const sameNames = labelSets.every((l) => Object.keys(l).length === names.length);
  const apart = names.find((n) => !common.includes(n) && new Set(labelSets.map((l) => l[n])).size === labelSets.length);
  if (!sameNames || !apart) return labelSets.map(exact);
  return [[...common.sort().map((name) => ({ name, value: first[name]!, isRegex: false, isEqual: true })), { name: apart, value: labelSets.map((l) => re2Escape(l[apart]!)).sort().join('|'), isRegex: true, isEqual: true }]];
}

/** The incident key a job's report is for: the incident's (Alertmanager), or the PagerDuty alert's own `pd:` key. */
function incidentKeyOf(job: WriteBackJob): string {
  return job.target === 'pagerduty' ? `pd:${job.subject}` : job.subject;
}

function canonicalLabels(l: Record<string, string>): string {
  return JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));
}

class SendError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

async function call(url: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new SendError(`unreachable (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`.slice(0, 200), true);
  }
  const text = await res.text().catch(() => '');
  if (res.status === 429 || res.status >= 500) throw new SendError(`HTTP ${res.status}`, true);
  if (res.status >= 400) throw new SendError(`HTTP ${res.status}: ${text.slice(0, 160)}`, false);
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return {};
  }
}

export class WriteBack {
  private timer: NodeJS.Timeout | null = null;
  private lastSourceCheck = 0;
  private running = false;
  private stopped = false;
  readonly sent = { alertmanager: 0, pagerduty: 0 };

  constructor(
    private readonly store: RelayStorage,
    private readonly config: WriteBackConfig,
    private readonly clock: Clock,
    private readonly log: RelayLog,
    /** a report was stored for the consoles */
    private readonly reported: () => void,
  ) {
    store.planWriteBack = (ack) => this.plan(ack);
  }

  get enabled(): boolean {
    return this.config.alertmanagerUrls.length > 0 || this.config.pagerdutyEventsUrl !== null;
  }

  /** What a console's action asks of the sources that opted in. */
  plan(ack: RelayAck): WriteBackJob[] {
    if (ack.action !== 'acknowledge' && ack.action !== 'resolve') return [];
    const jobs: WriteBackJob[] = [];
    const keys = ack.alertKeys ?? [ack.alertKey];
    const who = { userId: ack.operator.userId, displayName: ack.operator.displayName, incidentId: ack.incidentId ?? null };
    if (this.config.alertmanagerUrls.length) {
      const am = keys.filter((k) => k.startsWith('am:'));
      if (ack.action === 'acknowledge' && am.length) jobs.push({ target: 'alertmanager', op: 'silence', subject: ack.alertKey, payload: { alertKeys: am, ...who } });
      if (ack.action === 'resolve' && ack.scope === undefined) jobs.push({ target: 'alertmanager', op: 'expire', subject: ack.alertKey, payload: who });
    }
    if (this.config.pagerdutyEventsUrl) {
      for (const k of keys.filter((x) => x.startsWith('pd:'))) jobs.push({ target: 'pagerduty', op: ack.action, subject: k.slice(3), payload: who });
    }
    return jobs;
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.run(), this.config.intervalMs);
    this.timer.unref();
    void this.run();
  }

  /** Look now (after an action was stored). */
  kick(): void {
    if (this.enabled && !this.stopped) void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (;;) {
        const due = await this.store.dueWriteBacks(this.clock.now(), 20);
        if (due.length === 0 || this.stopped) break;
        for (const job of due) {
          if (this.stopped) break;
          await this.attempt(job);
        }
      }
      if (!this.stopped && this.config.alertmanagerUrls.length) {
        await this.extendSilences();
        if (Date.now() - this.lastSourceCheck >= this.config.sourceCheckMs) {
          this.lastSourceCheck = Date.now();
          await this.checkSilencedAlerts();
        }
      }
    } catch (err) {
      this.log('error', 'E_WRITEBACK', `write-back stopped for now: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async attempt(job: StoredWriteBack): Promise<void> {
    try {
      await this.perform(job);
      if (this.stopped) return;
      await this.store.finishWriteBack(job.id, 'done', this.clock.now());
    } catch (err) {
      if (this.stopped) return;
      const e = err instanceof SendError ? err : new SendError((err as Error).message, true);
      if (e.retry) {
        const wait = Math.min(this.config.retry.maxMs, this.config.retry.initialMs * 2 ** Math.min(job.attempts, 20));
        await this.store.retryWriteBack(job.id, this.clock.now() + wait, e.message);
        this.log('warn', 'W_WRITEBACK_RETRY', `${job.target} ${job.op} for ${job.subject.slice(0, 60)}: ${e.message}; retrying in ${Math.round(wait / 1000)} s`);
        if (job.attempts === 0) this.report(incidentKeyOf(job), { target: job.target, op: 'failed', detail: `${e.message}; retrying until it answers`, forAck: job.ackId }, job);
      } else {
        await this.store.finishWriteBack(job.id, 'failed', this.clock.now(), e.message);
        this.log('error', 'E_WRITEBACK_REFUSED', `${job.target} refused ${job.op} for ${job.subject.slice(0, 60)}: ${e.message}; not retried`);
        this.report(incidentKeyOf(job), { target: job.target, op: 'failed', detail: `refused (${e.message.slice(0, 120)}); not retried`, forAck: job.ackId }, job);
      }
    }
  }

  private async perform(job: StoredWriteBack): Promise<void> {
    const p = job.payload as { alertKeys?: string[]; userId: string; displayName: string; incidentId: string | null };
    if (job.target === 'pagerduty') {
      const routingKey = await this.store.routingKey(job.subject);
      if (!routingKey) throw new SendError('no routing key stored for this dedup key (the trigger did not come through this relay)', false);
      await call(this.config.pagerdutyEventsUrl!, 'POST', { routing_key: routingKey, event_action: job.op, dedup_key: job.subject });
      this.sent.pagerduty++;
      this.report(`pd:${job.subject}`, { target: 'pagerduty', op: 'event.sent', detail: job.op, ref: job.subject, forAck: job.ackId }, job);
      return;
    }
    if (job.op === 'expire') {
      for (const s of await this.store.activeSilences(job.subject)) {
        await call(`${s.amUrl}/api/v2/silence/${encodeURIComponent(s.silenceId)}`, 'DELETE').catch((err: unknown) => {
          // already expired or gone in Alertmanager: nothing left to do
          if (err instanceof SendError && !err.retry) return;
          throw err;
        });
        await this.store.endSilence(s.silenceId, 'expired');
        this.sent.alertmanager++;
        this.report(job.subject, { target: 'alertmanager', op: 'silence.expired', ref: s.silenceId, forAck: job.ackId }, job);
      }
      return;
    }
    // silence: the firing alerts' label sets as last stored
    const labelSets: Record<string, string>[] = [];
    for (const k of p.alertKeys ?? []) {
      const a = await this.store.latestByKey(k);
      if (a && a.status !== 'resolved') labelSets.push(a.labels);
    }
    const now = this.clock.now();
    const endsAt = now + this.config.silenceMinutes * 60_000;
    for (const matchers of silenceMatchers(labelSets)) {
      const body = {
        matchers,
        startsAt: isoTime(now),
        endsAt: isoTime(endsAt),
        createdBy: `oncall-console:${p.userId}`,
        comment: `Acknowledged in the on-call console${p.incidentId ? ` (incident ${p.incidentId})` : ''} by ${p.displayName} (${p.userId}); extended while the alerts fire, expired when the incident is resolved`,
      };
      const { url, answer } = await this.toAlertmanager('/api/v2/silences', body);
      const silenceId = String((answer as { silenceID?: unknown }).silenceID ?? '');
      if (!silenceId) throw new SendError('Alertmanager answered without a silenceID', true);
      await this.store.putSilence({ silenceId, incidentKey: job.subject, amUrl: url, alertKeys: p.alertKeys ?? [], body: JSON.stringify(body), endsAtMs: endsAt });
      this.sent.alertmanager++;
      this.report(job.subject, { target: 'alertmanager', op: 'silence.created', ref: silenceId, until: isoTime(endsAt), forAck: job.ackId }, job);
    }
  }

  /** The configured Alertmanagers in order, as one cluster: the first that accepts. */
  private async toAlertmanager(path: string, body: unknown): Promise<{ url: string; answer: unknown }> {
    let last: SendError | null = null;
    for (const url of this.config.alertmanagerUrls) {
      try {
        return { url, answer: await call(`${url}${path}`, 'POST', body) };
      } catch (err) {
        if (err instanceof SendError && !err.retry) throw err;
        last = err as SendError;
      }
    }
    throw last ?? new SendError('no Alertmanager configured', false);
  }

  /** Silences whose alerts still fire are extended before they run out; the others are left to lapse. */
  private async extendSilences(): Promise<void> {
    const now = this.clock.now();
    const lead = Math.min(this.config.silenceMinutes * 60_000 / 2, 10 * 60_000);
    for (const s of await this.store.activeSilences()) {
      if (s.endsAtMs - now > lead) continue;
      let firing = false;
      for (const k of s.alertKeys) if ((await this.store.latestByKey(k))?.status === 'firing') (firing = true);
      if (!firing) {
        await this.store.endSilence(s.silenceId, 'lapsed');
        continue;
      }
      const endsAt = now + this.config.silenceMinutes * 60_000;
      // only endsAt changes — against the silence as Alertmanager holds it (it moves a past startsAt to its own now):
      // Alertmanager then extends it in place, keeping its id
      const held = (await call(`${s.amUrl}/api/v2/silence/${encodeURIComponent(s.silenceId)}`, 'GET').catch(() => null)) as { matchers?: unknown; startsAt?: unknown; createdBy?: unknown; comment?: unknown } | null;
      const base = held && held.matchers && typeof held.startsAt === 'string' ? { matchers: held.matchers, startsAt: held.startsAt, createdBy: held.createdBy, comment: held.comment } : (JSON.parse(s.body) as Record<string, unknown>);
      const body = { ...base, id: s.silenceId, endsAt: isoTime(endsAt) };
      try {
        const answer = await call(`${s.amUrl}/api/v2/silences`, 'POST', body);
        const id = String((answer as { silenceID?: unknown }).silenceID ?? s.silenceId);
        if (id !== s.silenceId) await this.store.endSilence(s.silenceId, 'replaced');
        await this.store.putSilence({ ...s, silenceId: id, body: s.body, endsAtMs: endsAt });
        this.report(s.incidentKey, { target: 'alertmanager', op: 'silence.extended', ref: id, until: isoTime(endsAt) }, null);
      } catch (err) {
        this.log('warn', 'W_SILENCE_EXTEND', `could not extend silence ${s.silenceId}: ${(err as Error).message}; trying again`);
      }
    }
  }

  /**
   * Alertmanager sends no notification for a silenced alert, not even its
   * resolution: while our silence holds, the relay asks Alertmanager which of
   * the silenced alerts are still active, and stores a `resolved` for each
   * that is gone, so the consoles see it resolve as if it had been sent.
   */
  private async checkSilencedAlerts(): Promise<void> {
    const active = await this.store.activeSilences();
    for (const url of new Set(active.map((s) => s.amUrl))) {
      let list: unknown;
      try {
        list = await call(`${url}/api/v2/alerts`, 'GET');
      } catch {
        continue; // unreachable now: asked again at the next check
      }
      if (!Array.isArray(list)) continue;
      const fingerprints = new Set<string>();
      const labelSets = new Set<string>();
      for (const a of list as { fingerprint?: unknown; labels?: unknown }[]) {
        if (typeof a.fingerprint === 'string') fingerprints.add(a.fingerprint);
        if (a.labels && typeof a.labels === 'object') labelSets.add(canonicalLabels(a.labels as Record<string, string>));
      }
      const now = this.clock.now();
      const resolved: NewAlert[] = [];
      for (const s of active.filter((x) => x.amUrl === url)) {
        for (const k of s.alertKeys) {
          const latest = await this.store.latestByKey(k);
          if (latest?.status !== 'firing') continue;
          if (fingerprints.has(k.slice(3)) || labelSets.has(canonicalLabels(latest.labels))) continue;
          resolved.push({ ...latest, status: 'resolved' });
        }
      }
      if (resolved.length === 0) continue;
      await this.store.append([{ alerts: resolved.map(encodeAlert), receivedAt: isoTime(now), atMs: now }]);
      this.log('info', 'I_SILENCED_RESOLVED', `${resolved.length} silenced alert(s) no longer active in Alertmanager: stored as resolved`);
      this.reported();
    }
  }

  /** Tell every console, through the action log they already read. */
  private report(incidentKey: string, w: WriteBackReport, job: StoredWriteBack | null): void {
    const ack: RelayAck = { id: randomUUID(), alertKey: incidentKey, action: 'source.writeback', operator: { userId: 'relay', displayName: 'Relay' }, at: isoTime(this.clock.now()), writeback: w, ...(job?.payload.incidentId ? { incidentId: String(job.payload.incidentId) } : {}) };
    void (async () => {
      try {
        await this.store.storeAck(ack, 'relay', ack.at);
        this.reported();
      } catch (err) {
        this.log('error', 'E_WRITEBACK_REPORT', `could not store a write-back report: ${(err as Error).message}`);
      }
    })();
  }
}
