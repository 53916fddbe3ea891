import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { openAuditLog } from '../audit/open-audit.js';
import { localAlert } from '../probes/probe-scheduler.js';
import type { AuditFault } from '../../shared/domain/audit.js';
import { FileKeyStore, type AuditKeyStore } from '../audit/key-store.js';
import { closeDatabase, openDatabase } from '../store/database.js';
import { OperatorSession } from '../operator/session.js';
import { FeedStore } from '../feed/feed-store.js';
import { FeedClient } from '../feed/feed-client.js';
import { AlertIntake } from '../feed/alert-intake.js';
import { FeedSilenceGuard } from '../feed/pipeline-guard.js';
import { WATCHDOG_KEY } from '../../shared/domain/pipeline.js';
import { IncidentEngine } from '../incidents/incident-engine.js';
import { OutboxSync } from '../incidents/outbox-sync.js';
import { Pager, sinkFromSpec, type NotificationSink } from '../notify/pager.js';
import { ProbeHistory } from '../probes/probe-history.js';
import { ProbeScheduler } from '../probes/probe-scheduler.js';
import { SafetyAssessor } from '../probes/safety-assessment.js';
import { loadProbeFile, type ProbeFileResult } from '../probes/probe-config.js';
import { PROFILES } from '../../shared/domain/profile.js';
import { contactsFileOf, loadConfigSets } from './config-files.js';
import { RunbookService } from '../runbooks/runbook-service.js';
import { KpiService } from '../kpi/kpi-service.js';
import { ResilienceRegistry } from '../resilience/policies.js';
import { configurePhiAllowList, findPhi } from '../../shared/phi.js';
import { wrap } from 'cockatiel';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { ConsoleConfig } from './config.js';
import { EventBus } from './events.js';
import { createHandlers } from './handlers.js';
import type { HandlerTable } from './dispatch.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { DATABASE_FILE } from '../platform/paths.js';
import { DisposableStore } from '../platform/disposables.js';
import { accumulate, throttle } from '../platform/emitter.js';

/** The local incident an audit integrity fault opens. */
export const AUDIT_BREAK_KEY = 'audit:integrity';

/** A bundled resource, from the source tree, the built bundle, or the packaged app. */
export function resourcePath(name: string): string {
  const candidates = [resolvePath(__dirname, '../../resources', name), resolvePath(__dirname, '../../../resources', name), resolvePath(process.cwd(), 'resources', name)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
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

export interface ConsoleDeps {
  clock?: Clock;
  logger?: Logger;
  /** defaults to a 0600 key file in the data dir; Electron passes safeStorage */
  keyStore?: AuditKeyStore;
  /** overrides config.notifySink (tests) */
  notificationSink?: NotificationSink | null;
  /** how often escalation and repeat pages are checked (ms); 0 = only when tick() is called */
  tickMs?: number;
}

import type { RunningServices } from './services.js';

export type { RunningServices } from './services.js';

export interface OnCallConsole {
  readonly config: ConsoleConfig;
  readonly events: EventBus;
  readonly handlers: HandlerTable;
  readonly logger: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ConsoleStatus;
  /** throws E_NOT_RUNNING before start() and after stop() */
  services(): RunningServices;
}

/** The composition root: builds every service from config; nothing Electron-specific. */
export function createConsole(config: ConsoleConfig, deps: ConsoleDeps = {}): OnCallConsole {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const events = new EventBus();
  const startedAt = isoTime(clock.now());
  let running: RunningServices | null = null;
  let stopping: Promise<void> | null = null;
  /** Every timer of a running console: created at start, disposed at stop. */
  let lifetime = new DisposableStore();
  let verifying = false;
  /** set once running: pages an audit_trail_break */
  let raiseAuditBreakRef: (fault: AuditFault) => void = () => undefined;
  /** the audit head, signed, to the relay (which keeps the newest per console) */
  const sendCheckpoint = () => {
    const s = running;
    if (!s?.feed) return;
    try {
      const c = s.audit.checkpoint();
      if (c) s.feed.sendCheckpoint(c);
    } catch (err) {
      logger.log('warn', 'W_AUDIT_CHECKPOINT', `could not send the audit checkpoint: ${(err as Error).name}`);
    }
  };

  const services = (): RunningServices => {
    if (!running) throw new ConsoleError('E_NOT_RUNNING', 'state', 'the console is not running (starting up or shutting down)');
    return running;
  };

  /** normal; degraded: the feed is down but local probes run; emergency: feed down and a critical probe failing. */
  const degradation = (s: RunningServices | null): ConsoleStatus['degradation'] => {
    if (!s?.feed) return 'normal';
    const feedDown = s.feed.status().state !== 'connected';
    if (!feedDown) return 'normal';
    return s.probes.criticalDown() > 0 ? 'emergency' : 'degraded';
  };

  const status = (): ConsoleStatus => {
    const s = running;
    const audit = s ? { ...s.audit.stats(), segmentRecords: s.audit.segmentRecords() } : { records: 0, lastSeq: 0, segmentRecords: 0 };
    return {
      version: config.version,
      mode: config.mode,
      electronRuntime: config.electronRuntime,
      startedAt,
      now: isoTime(clock.now()),
      feed: s?.feed
        ? (() => {
            const f = s.feed.status();
            return { state: f.state, since: f.since, detail: f.detail, breaker: f.breaker, relayId: f.relayId, lastSeq: f.lastSeq, alertsStored: s.feedStore.count(), quarantined: s.feedStore.quarantinedCount(), applyPending: s.intake.pending, relayStorageFault: f.relayStorageFault };
          })()
        : { state: 'not_configured', since: startedAt, detail: 'no relay configured: local mode', breaker: 'closed', relayId: null, lastSeq: 0, alertsStored: s?.feedStore.count() ?? 0, quarantined: s?.feedStore.quarantinedCount() ?? 0, applyPending: s?.intake.pending ?? false, relayStorageFault: null },
      pipeline: {
        feedSilentSince: s?.feedSilence?.silentSince() ?? null,
        watchdogSilentSince: (s && s.incidents.findOpen(WATCHDOG_KEY)?.openedAt) ?? null,
      },
      degradation: degradation(s),
      resilience: s?.resilience.status() ?? null,
      operator: s?.operator.operator ?? null,
      locked: s?.operator.isLocked ?? false,
      lockAfterMs: config.lockAfterMs,
      probes: s
        ? { ...s.probes.counts(), errors: s.probeErrors.length, profile: s.profile.name }
        : { total: 0, down: 0, criticalDown: 0, errors: 0, profile: config.profile },
      incidents: s
        ? { ...s.incidents.counts(), pendingSync: s.incidents.pendingCount() }
        : { open: 0, unacknowledged: 0, bySeverity: { SEV1: 0, SEV2: 0, SEV3: 0 }, pendingSync: 0 },
      audit: { ...audit, lastVerification: s?.audit.lastVerification() ?? null, verifying, segment: s?.audit.segment ?? null },
    };
  };

  // Status is pushed at most every 250 ms: a storm of changes must not become a storm of events.
  let statusPush = throttle(lifetime, 250, () => running && events.emit('status.changed', status()));
  const publishStatus = () => statusPush.request();
  const publishStatusNow = () => statusPush.flush();

  /** The feed-silence guard never throws into a timer or a feed callback: a failure is logged and retried at the next check. */
  const guardFeed = (state: ConsoleStatus['feed']['state']) => {
    const g = running?.feedSilence;
    if (!g) return;
    const before = g.silentSince();
    try {
      g.update(state);
    } catch (err) {
      logger.log('error', 'E_PIPELINE_GUARD', `could not record the feed's silence: ${(err as Error).name}`);
    }
    if (g.silentSince() !== before) publishStatusNow();
  };

  const self: OnCallConsole = {
    config,
    events,
    logger,
    handlers: createHandlers({ services, status, clock }),
    status,
    services,

    async start() {
      lifetime = new DisposableStore();
      statusPush = throttle(lifetime, 250, () => running && events.emit('status.changed', status()));
      if (running) return;
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const keyStore = deps.keyStore ?? new FileKeyStore(config.dataDir);
      const db = openDatabase(join(config.dataDir, DATABASE_FILE));
      try {
        const { audit, keyProblem } = openAuditLog(db, config.dataDir, keyStore, clock);
        if (keyProblem) logger.log('error', 'E_AUDIT_KEY', keyProblem);
        audit.phiLevel = PROFILES[config.profile].phiLevel;
        // at least the newest 10,000 records or everything since the last full run; the full run follows in the background
        const startupVerification = audit.verify('startup');
        if (!startupVerification.ok) {
          // Keep paging: an integrity fault is shown, paged and audited, never a reason to go dark.
          logger.log('error', 'E_AUDIT_INTEGRITY', startupVerification.fault!.message, { seq: startupVerification.fault!.seq });
        }
        const operator = new OperatorSession(db, audit, clock, () => publishStatusNow(), config.lockAfterMs);
        audit.onAppended((lastSeq) => events.emit('audit.appended', { lastSeq }));
        const feedStore = new FeedStore(db, clock);
        const resilience = new ResilienceRegistry(PROFILES[config.profile], clock, () => publishStatus());
        const bundledContacts = resourcePath('contacts.example.yaml');
        const sets = loadConfigSets(db, clock, logger, {
          probes: probeFileOf(config.probes, config.dataDir),
          runbookDirs: [resourcePath('runbooks'), join(config.dataDir, 'runbooks')],
          contacts: contactsFileOf(config.dataDir, bundledContacts),
          bundledContacts,
        });
        const contacts = sets.contacts;
        const runbookFiles = sets.runbooks;
        // the hospital's own on-call numbers, mailboxes and names, operators and probe targets are never PHI
        configurePhiAllowList([
          ...(contacts.book?.groups.flatMap((g) => g.contacts.flatMap((c) => [c.name, c.phone, c.email, c.pager])) ?? []),
          ...(db.prepare('SELECT user_id, display_name FROM operator').all() as { user_id: string; display_name: string }[]).flatMap((o) => [o.user_id, o.display_name]),
          ...sets.probeFile.probes.flatMap((p) => [p.id, p.name, ...('host' in p && typeof p.host === 'string' ? [p.host] : [])]),
        ]);
        let runbooks: RunbookService;
        let probesRef: ProbeScheduler | null = null;
        let pager: Pager;
        let outbox: OutboxSync;
        const incidents = new IncidentEngine({
          db,
          audit,
          clock,
          logger,
          onChanged: (ids) => {
            // the changed incidents ride along for a signed-in, unlocked operator: the renderer merges them without asking again
            const readable = running !== null && running.operator.operator !== null && !running.operator.isLocked;
            events.emit('incidents.changed', readable && ids.length <= 100 ? { ids, incidents: incidents.byIds(ids) } : { ids });
            publishStatus();
          },
          onPage: (req) => void pager.page(req),
          onOutbox: () => void outbox.drain(),
          onOpened: (incident, alert) => void runbooks.attach(incident, alert.labels.category),
          ...(contacts.book ? { escalation: contacts.book.levels.map((l) => ({ level: l.level, afterMinutes: l.afterMinutes, description: l.description, contacts: l.contacts, actions: l.actions })) } : {}),
        });
        runbooks = new RunbookService({
          db,
          audit,
          clock,
          runbooks: runbookFiles.runbooks,
          probes: () => probesRef?.views() ?? [],
          onChanged: (runIds) => events.emit('runbooks.changed', { runIds }),
        });
        pager = new Pager({
          policy: wrap(resilience.retry('critical'), resilience.breaker('notify:os', { threshold: 3, halfOpenAfterMs: 60_000 })),
          onFailed: () => resilience.error('service_unavailable'),
          sink: deps.notificationSink !== undefined ? deps.notificationSink : sinkFromSpec(config.notifySink),
          audit,
          logger,
          emit: (page) => events.emit('page', page),
          focus: (id) => events.emit('incident.focus', { id }),
        });
        let lastSeqSeen = 0;
        const intake = new AlertIntake({
          feedStore,
          incidents,
          audit,
          logger,
          onQuarantined: () => {
            resilience.error('data_corruption');
            publishStatus();
          },
          onApplied: (alerts) => {
            lastSeqSeen = alerts.at(-1)!.seq;
            // PHI in incoming alert text: counted and audited by kind, never by value
            for (const a of alerts) {
              const kinds = [...new Set(findPhi(a.summary).map((f) => f.kind))];
              if (kinds.length) {
                resilience.error('phi_violation');
                audit.append({ operator: 'system', action: 'phi.detected', subjectType: 'incident', subjectId: a.key.slice(0, 120), details: { kinds, relayId: a.relayId, seq: a.seq } });
              }
            }
            events.emit('alerts.received', { count: alerts.length, lastSeq: lastSeqSeen });
          },
        });
        let feedSilence: FeedSilenceGuard | null = null;
        const feed = config.relay
          ? new FeedClient(
              { url: config.relay.url, token: config.relay.token, pingIntervalMs: config.relay.pingIntervalMs },
              {
                store: feedStore,
                clock,
                logger,
                breaker: resilience.breaker('feed:relay', { halfOpenAfterMs: 10_000 }),
                onConnectFailed: () => resilience.error('service_unavailable'),
                receive: (relayId, items) => intake.receive(relayId, items),
                onCheckpoint: (cp) => {
                  const fault = audit.checkExternalCheckpoint(cp, 'the relay');
                  if (fault) {
                    logger.log('error', 'E_AUDIT_INTEGRITY', fault.message, { seq: fault.seq });
                    setImmediate(() => raiseAuditBreakRef(fault));
                  }
                },
                onAck: (ack, consoleId, receivedAt) => incidents.applyRemote(ack, consoleId, receivedAt),
                onStatus: (st) => {
                  if (st.state === 'connected') {
                    void outbox.drain();
                    sendCheckpoint();
                  }
                  guardFeed(st.state);
                  publishStatus();
                },
              },
            )
          : null;
        outbox = new OutboxSync(incidents, feed, logger);
        const profile = PROFILES[config.profile];
        const probeFile = sets.probeFile;
        const history = new ProbeHistory(db);
        const probesChanged = accumulate<string>(lifetime, 250, (ids) => {
          events.emit('probes.changed', { ids: [...new Set(ids)] });
          publishStatus();
        });
        const probes = new ProbeScheduler(probeFile.probes, {
          clock,
          profile,
          history,
          incidents,
          feedStore,
          logger,
          breakerFor: (c, intervalMs) => resilience.breaker(`probe:${c.id}`, { patientSafety: c.critical, threshold: Math.max(3, profile.failureThreshold), halfOpenAfterMs: intervalMs }),
          onDown: () => resilience.error('service_unavailable'),
          onResult: (r) => {
            if (r.state === 'up' || r.state === 'warning') runbooks.onProbePassed(r.probeId, r.detail);
            probesChanged(r.probeId);
          },
        });
        probesRef = probes;
        const safety = new SafetyAssessor({ scheduler: probes, history, incidents, feedStore, clock });
        if (feed) feedSilence = new FeedSilenceGuard({ clock, incidents, feedStore, silenceMs: config.feedSilencePageS * 1000, criticalDown: () => probes.criticalDown() });
        const kpis = new KpiService(db, clock, () => new Map(probes.configs().map((c) => [c.id, c.name])));
        running = { db, audit, operator, startupVerification, feedStore, feed, intake, feedSilence, incidents, pager, outbox, profile, probes, probeErrors: probeFile.errors, safety, runbooks, runbookErrors: runbookFiles.errors, contacts, resilience, kpis };
        audit.append({
          operator: 'system',
          action: 'console.started',
          subjectType: 'console',
          subjectId: config.mode,
          details: {
            version: config.version,
            mode: config.mode,
            electronRuntime: config.electronRuntime,
            auditVerified: startupVerification.ok,
            ...(startupVerification.fault ? { auditFault: startupVerification.fault.kind, auditFaultSeq: startupVerification.fault.seq } : {}),
          },
        });
        logger.log('info', 'I_CONSOLE_STARTED', 'console started', { mode: config.mode, auditVerifyMs: startupVerification.durationMs });
      } catch (err) {
        running = null;
        closeDatabase(db);
        throw err;
      }
      // An integrity fault pages as an audit_trail_break (SEV1); the console keeps running and paging.
      const raiseAuditBreak = (fault: AuditFault) => {
        const s = running;
        if (!s) return;
        try {
          s.resilience.error('audit_trail_break');
          const now = isoTime(clock.now());
          const summary = `Audit trail integrity fault (${fault.kind}${fault.seq ? ` at record #${fault.seq}` : ''}): records continue in a separately keyed segment; tell the compliance officer`;
          s.incidents.ingest([localAlert(s.feedStore, AUDIT_BREAK_KEY, 'firing', 'SEV1', summary, 'audit-trail', { category: 'audit_trail_break', alertname: 'AuditTrailBreak' }, now)], 'local');
        } catch (err) {
          logger.log('error', 'E_AUDIT_BREAK_PAGE', `could not open the audit_trail_break incident: ${(err as Error).name}`);
        }
        publishStatus();
      };
      raiseAuditBreakRef = raiseAuditBreak;
      running.audit.onFault((fault) => setImmediate(() => raiseAuditBreak(fault)));
      const startFault = running.startupVerification.fault ?? running.audit.blocker();
      if (startFault) raiseAuditBreak(startFault);
      const fullVerify = () => {
        const s = running;
        if (!s || verifying) return;
        verifying = true;
        publishStatus();
        void s.audit
          .verifyAsync('full')
          .then((r) => {
            if (!r.ok && r.fault && running === s) raiseAuditBreak(r.fault);
            if (r.ok && running === s) s.audit.writeCheckpointFile();
          })
          .catch((err: unknown) => logger.log('error', 'E_AUDIT_VERIFY', `background verification failed to run: ${(err as Error).name}`))
          .finally(() => {
            verifying = false;
            publishStatus();
          });
      };
      if ((deps.tickMs ?? 5000) > 0) {
        lifetime.timeout(fullVerify, 1000, { unref: true });
        lifetime.interval(fullVerify, 24 * 3_600_000);
        lifetime.interval(() => {
          try {
            running?.audit.writeCheckpointFile();
            sendCheckpoint();
          } catch (err) {
            logger.log('warn', 'W_AUDIT_CHECKPOINT', `could not write the audit checkpoint file: ${(err as Error).name}`);
          }
        }, 5 * 60_000);
      }
      // Alerts a crash left stored but not yet made into incidents page now, before anything new arrives.
      try {
        const repaired = running.intake.applyPending();
        if (repaired > 0) logger.log('warn', 'W_FEED_REPAIRED', `${repaired} stored alert(s) had no incident after an interrupted run; applied now`);
      } catch (err) {
        logger.log('error', 'E_FEED_REPAIR', `could not apply stored alerts yet: ${(err as Error).name}`);
      }
      running.feed?.start();
      running.probes.start();
      if (running.feedSilence && (deps.tickMs ?? 5000) > 0) {
        lifetime.interval(() => guardFeed(running?.feed?.status().state ?? 'offline'), Math.max(100, Math.min(1000, config.feedSilencePageS * 250)));
      }
      if ((deps.tickMs ?? 5000) > 0) {
        lifetime.interval(() => running?.safety.assess(), 30_000);
      }
      if ((deps.tickMs ?? 5000) > 0) {
        // automatic logoff is checked often enough to lock within a quarter of the period
        lifetime.interval(() => running?.operator.checkIdle(), Math.min(5000, Math.max(250, config.lockAfterMs / 4)));
      }
      const tickMs = deps.tickMs ?? 5000;
      if (tickMs > 0) {
        lifetime.interval(() => {
          const s = running;
          if (!s) return;
          if (s.intake.pending) s.intake.applyPending();
          s.incidents.tick();
          void s.outbox.drain();
        }, tickMs);
      }
      publishStatusNow();
    },

    stop() {
      if (!running) return Promise.resolve();
      stopping ??= (async () => {
        const s = running!;
        // every timer of this run, the probe and status coalescers included
        lifetime.dispose();
        s.probes.stop();
        // Flush what can still reach the relay; what cannot stays in the outbox for next start.
        await Promise.race([s.outbox.drain(), new Promise((r) => setTimeout(r, 2000))]);
        sendCheckpoint();
        await s.feed?.stop();
        try {
          s.audit.append({ operator: s.operator.actor(), action: 'console.stopped', subjectType: 'console', subjectId: config.mode });
          // Move the checkpoint so the next start-up verifies only what follows; keep the head outside the database.
          if (s.audit.verify('incremental').ok) s.audit.writeCheckpointFile();
        } finally {
          running = null;
          closeDatabase(s.db);
          logger.log('info', 'I_CONSOLE_STOPPED', 'console stopped');
        }
      })();
      return stopping.finally(() => {
        stopping = null;
      });
    },
  };
  return self;
}
