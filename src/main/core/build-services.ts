// Building a running console's services, in dependency order, from the
// config and the opened database and audit log; wiring each service's
// callbacks to events, the status push and the other services.
import { wrap } from 'cockatiel';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { AuditVerifyReport } from '../../shared/domain/audit.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { PROFILES } from '../../shared/domain/profile.js';
import { configurePhiAllowList, phiKinds } from '../../shared/phi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditWatch } from '../audit/audit-watch.js';
import { AlertIntake } from '../feed/alert-intake.js';
import { FeedClient } from '../feed/feed-client.js';
import { FeedStore } from '../feed/feed-store.js';
import { FeedSilenceGuard } from '../feed/pipeline-guard.js';
import { IncidentEngine } from '../incidents/incident-engine.js';
import { OutboxSync } from '../incidents/outbox-sync.js';
import { KpiService } from '../kpi/kpi-service.js';
import { Pager, sinkFromSpec } from '../notify/pager.js';
import { StormGate } from '../notify/storm-gate.js';
import { systemTimers } from '../platform/timers.js';
import { OperatorSession } from '../operator/session.js';
import type { DisposableStore } from '../platform/disposables.js';
import { accumulate } from '../platform/emitter.js';
import type { Logger } from '../platform/logger.js';
import { resourcePath } from '../platform/paths.js';
import { readAllowListFile } from '../platform/allow-list-file.js';
import { probeFileOf } from '../probes/probe-config.js';
import { ProbeHistory } from '../probes/probe-history.js';
import { ProbeScheduler } from '../probes/probe-scheduler.js';
import { SafetyAssessor } from '../probes/safety-assessment.js';
import { ResilienceRegistry } from '../resilience/policies.js';
import { RunbookService } from '../runbooks/runbook-service.js';
import { buildSchedules } from '../schedules/load-schedules.js';
import type { Db } from '../store/database.js';
import type { ConsoleConfig } from './config.js';
import { contactsFileOf, loadConfigSets } from './config-files.js';
import type { EventBus } from './events.js';
import type { ConsoleDeps, RunningServices } from './services.js';

export interface BuildContext {
  config: ConsoleConfig;
  deps: ConsoleDeps;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  lifetime: DisposableStore;
  publishStatus(): void;
  publishStatusNow(): void;
  guardFeed(state: ConsoleStatus['feed']['state']): void;
  /** may changed incidents ride along in events (a signed-in operator, unlocked)? */
  readable(): boolean;
  watch(): AuditWatch | null;
}

export function buildServices(ctx: BuildContext, db: Db, audit: AuditLog, startupVerification: AuditVerifyReport): RunningServices {
  const { config, deps, clock, logger, events, publishStatus, publishStatusNow, guardFeed } = ctx;
    const operator = new OperatorSession(db, audit, clock, config.lockAfterMs);
    audit.onAppended((lastSeq) => events.emit('audit.appended', { lastSeq }));
    const feedStore = new FeedStore(db, clock);
    const resilience = new ResilienceRegistry(PROFILES[config.profile], clock, () => publishStatus());
    const bundledContacts = resourcePath('contacts.example.yaml');
    const contactsFile = contactsFileOf(config.dataDir, bundledContacts);
    const sets = loadConfigSets(db, clock, logger, {
      probes: probeFileOf(config.probes, config.dataDir),
      runbookDirs: [resourcePath('runbooks'), join(config.dataDir, 'runbooks')],
      contacts: contactsFile,
      bundledContacts,
    });
    const contacts = sets.contacts;
    const schedules = buildSchedules({ db, audit, clock, logger, dataDir: config.dataDir, bundled: resourcePath('schedules.example.yaml'), book: contacts.book, contactsAreBundled: contactsFile === bundledContacts });
    const runbookFiles = sets.runbooks;
    // the hospital's own on-call numbers, mailboxes and names, operators, probe targets and its own list are never PHI
    const ownList = readAllowListFile(config.dataDir);
    if (ownList.error) logger.log('error', 'E_PHI_ALLOWLIST', `the PHI allow-list was not read (${ownList.error})`);
    configurePhiAllowList([
      ...ownList.values,
      ...(contacts.book?.groups.flatMap((g) => g.contacts.flatMap((c) => [c.name, c.phone, c.email, c.pager])) ?? []),
      ...(contacts.book?.people.flatMap((p) => [p.name, p.phone, ...(p.pager ? [p.pager] : []), ...(p.email ? [p.email] : [])]) ?? []),
      ...(db.prepare('SELECT user_id, display_name FROM operator').all() as { user_id: string; display_name: string }[]).flatMap((o) => [o.user_id, o.display_name]),
      ...sets.probeFile.probes.flatMap((p) => [p.id, p.name, ...('host' in p && typeof p.host === 'string' ? [p.host] : [])]),
    ]);
    const incidents = new IncidentEngine({
      db,
      audit,
      clock,
      logger,
      ...(contacts.book ? { escalation: contacts.book.levels.map((l) => ({ level: l.level, afterMinutes: l.afterMinutes, description: l.description, contacts: l.contacts, actions: l.actions })) } : {}),
      whoToCall: (role, at) => schedules.service.resolve(role, at),
      grouping: config.grouping,
      ackTimeoutMin: config.ackTimeoutMin,
    });
    const profile = PROFILES[config.profile];
    const probeFile = sets.probeFile;
    const history = new ProbeHistory(db, undefined, deps.timers);
    const probesChanged = accumulate<string>(ctx.lifetime, 250, (ids) => {
      events.emit('probes.changed', { ids: [...new Set(ids)] });
      publishStatus();
    });
    const probes = new ProbeScheduler(probeFile.probes, {
      clock,
      ...(deps.timers ? { timers: deps.timers } : {}),
      profile,
      history,
      incidents,
      feedStore,
      logger,
      breakerFor: (c, intervalMs) => resilience.breaker(`probe:${c.id}`, { patientSafety: c.critical, threshold: Math.max(3, profile.failureThreshold), halfOpenAfterMs: intervalMs }),
    });
    const runbooks = new RunbookService({
      db,
      audit,
      clock,
      runbooks: runbookFiles.runbooks,
      probes: () => probes.views(),
    });
    const pager = new Pager({
      policy: wrap(resilience.retry('critical'), resilience.breaker('notify:os', { threshold: 3, halfOpenAfterMs: 60_000 })),
      sink: deps.notificationSink !== undefined ? deps.notificationSink : sinkFromSpec(config.notifySink),
      audit,
      logger,
    });
    let lastSeqSeen = 0;
    const intake = new AlertIntake({
      feedStore,
      incidents,
      audit,
      logger,
    });
    let feedSilence: FeedSilenceGuard | null = null;
    const feed = config.relay
      ? new FeedClient(
          { url: config.relay.url, token: config.relay.token, pingIntervalMs: config.relay.pingIntervalMs },
          {
            store: feedStore,
            clock,
            logger,
            ...(deps.timers ? { timers: deps.timers } : {}),
            breaker: resilience.breaker('feed:relay', { halfOpenAfterMs: 10_000 }),
            receive: (relayId, items) => intake.receive(relayId, items),
          },
        )
      : null;
    const outbox = new OutboxSync([incidents, schedules.service], feed, logger);
    // the incident engine's events, subscribed once every service they reach exists (no forward references)
    const { lifetime } = ctx;
    lifetime.add(
      incidents.changed.on((ids) => {
        // the changed incidents ride along for a signed-in, unlocked operator: the renderer merges them without asking again
        events.emit('incidents.changed', ctx.readable() && ids.length <= 100 ? { ids, incidents: incidents.byIds(ids) } : { ids });
        publishStatus();
      }),
    );
    // in a storm, pages below SEV1 are summarised per severity; a SEV1 always goes out at once
    const gate = new StormGate({ page: (req) => void pager.page(req), summary: (sev, held) => void pager.summary(sev, held) }, deps.timers ?? systemTimers);
    lifetime.add(() => gate.dispose());
    // a SEV1 the relay sent ahead of a storm is paged now; when its incident opens in order, that page is not sent again
    const earlyPaged = new Map<string, number>();
    lifetime.add(
      incidents.page.on((req) => {
        const at = earlyPaged.get(req.incident.key);
        if (req.reason === 'new' && req.incident.severity === 'SEV1' && at !== undefined && clock.now() - at < 15 * 60_000) {
          earlyPaged.delete(req.incident.key);
          return;
        }
        gate.offer(req);
      }),
    );
    if (feed) {
      lifetime.add(
        feed.priority.on((alerts) => {
          for (const a of alerts) {
            const key = a.group ?? a.key;
            if (earlyPaged.has(key) || incidents.findOpen(a.key)?.severity === 'SEV1') continue; // paged already, or its SEV1 incident is open
            earlyPaged.set(key, clock.now());
            void pager.early(a.severity, a.service);
            try {
              audit.append({ operator: 'system', action: 'notify.early', subjectType: 'incident', subjectId: a.key.slice(0, 120), details: { severity: a.severity, relayId: a.relayId, seq: a.seq } });
            } catch {
              // the page went out; a full disk must not stop the next one
            }
          }
          // forget early pages whose incident never came (another console resolved it first, say)
          for (const [k, t] of earlyPaged) if (clock.now() - t > 15 * 60_000) earlyPaged.delete(k);
        }),
      );
    }
    lifetime.add(incidents.outboxWritten.on(() => void outbox.drain()));
    // a new incident's runbooks are attached in the transaction that opens it: a crash leaves both or neither
    lifetime.add(incidents.opening.on((opened) => void runbooks.attachAll(opened.map(({ id, severity, category }) => ({ incident: { id, severity }, category })))));
    lifetime.add(runbooks.changed.on((runIds) => events.emit('runbooks.changed', { runIds })));
    lifetime.add(
      schedules.service.changed.on((role) => {
        events.emit('schedules.changed', { role });
        void outbox.drain();
        publishStatus();
      }),
    );
    lifetime.add(operator.changed.on(() => publishStatusNow()));
    lifetime.add(pager.paged.on((page) => events.emit('page', page)));
    lifetime.add(pager.focus.on((id) => events.emit('incident.focus', { id })));
    lifetime.add(pager.failed.on(() => resilience.error('service_unavailable')));
    if (feed) {
      lifetime.add(feed.connectFailed.on(() => resilience.error('service_unavailable')));
      lifetime.add(feed.checkpoint.on((cp) => ctx.watch()?.onRelayCheckpoint(cp)));
      // another console's action is applied before the feed moves its cursor (the emit is synchronous)
      lifetime.add(feed.acks.on(({ ack, consoleId, receivedAt }) => (ack.action === 'schedule.override' ? schedules.service.applyRemote(ack, consoleId) : incidents.applyRemote(ack, consoleId, receivedAt))));
      lifetime.add(
        feed.statusChanged.on((st) => {
          if (st.state === 'connected') {
            void outbox.drain();
            ctx.watch()?.sendCheckpoint();
          }
          guardFeed(st.state);
          publishStatus();
        }),
      );
    }
    lifetime.add(
      intake.quarantined.on(() => {
        resilience.error('data_corruption');
        publishStatus();
      }),
    );
    lifetime.add(
      intake.applied.on((alerts) => {
        lastSeqSeen = alerts.at(-1)!.seq;
        // PHI in incoming alert text: counted and audited by kind, never by value
        for (const a of alerts) {
          const kinds = [...phiKinds(a.summary)];
          if (kinds.length) {
            resilience.error('phi_violation');
            audit.append({ operator: 'system', action: 'phi.detected', subjectType: 'incident', subjectId: a.key.slice(0, 120), details: { kinds, relayId: a.relayId, seq: a.seq } });
          }
        }
        events.emit('alerts.received', { count: alerts.length, lastSeq: lastSeqSeen });
      }),
    );
    lifetime.add(probes.down.on(() => resilience.error('service_unavailable')));
    lifetime.add(
      probes.result.on((r) => {
        if (r.state === 'up' || r.state === 'warning') runbooks.onProbePassed(r.probeId, r.detail);
        probesChanged(r.probeId);
      }),
    );
    const safety = new SafetyAssessor({ scheduler: probes, history, incidents, feedStore, clock });
    if (feed) feedSilence = new FeedSilenceGuard({ clock, incidents, feedStore, silenceMs: config.feedSilencePageS * 1000, criticalDown: () => probes.criticalDown() });
    const kpis = new KpiService(db, clock, () => new Map(probes.configs().map((c) => [c.id, c.name])));
  return { db, audit, operator, startupVerification, feedStore, feed, intake, feedSilence, incidents, pager, outbox, profile, probes, probeErrors: probeFile.errors, safety, runbooks, runbookErrors: runbookFiles.errors, contacts, schedules: schedules.service, scheduleError: schedules.error, resilience, kpis };
}
