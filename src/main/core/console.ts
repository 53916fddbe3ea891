import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { systemClock, isoTime } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { openAuditLog } from '../audit/open-audit.js';
import { FileKeyStore } from '../audit/key-store.js';
import { closeDatabase, openDatabase } from '../store/database.js';
import { WalCheckpointer } from '../store/wal-checkpointer.js';
import { PROFILES } from '../../shared/domain/profile.js';
import type { ConsoleConfig } from './config.js';
import { EventBus } from './events.js';
import { buildServices } from './build-services.js';
import { AuditWatch } from '../audit/audit-watch.js';
import { projectStatus } from '../status/status-projection.js';
import { createHandlers } from './handlers.js';
import type { HandlerTable } from './dispatch.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { DATABASE_FILE } from '../platform/paths.js';
import { DisposableStore } from '../platform/disposables.js';
import { throttle } from '../platform/emitter.js';

export { AUDIT_BREAK_KEY } from '../audit/audit-watch.js';

export type { ConsoleDeps } from './services.js';

import type { ConsoleDeps, RunningServices } from './services.js';

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
  let lifetime = new DisposableStore(deps.timers);
  /** the audit trail's background verification, checkpoints and integrity pages, per run */
  let watch: AuditWatch | null = null;
  let checkpointer: WalCheckpointer | null = null;

  const services = (): RunningServices => {
    if (!running) throw new ConsoleError('E_NOT_RUNNING', 'state', 'the console is not running (starting up or shutting down)');
    return running;
  };

  const instance = randomUUID();
  let serial = 0;
  const status = (): ConsoleStatus => projectStatus({ config, startedAt, now: clock.now(), serial: ++serial, instance, running, verifying: watch?.verifying ?? false });

  // Status is pushed at most every 250 ms: a storm of changes must not become a storm of events. Counting tens of
  // thousands of open incidents takes a while: then at most a tenth of the time goes to it.
  let statusCostMs = 0;
  const pushStatus = () => {
    if (!running) return;
    const t0 = performance.now();
    events.emit('status.changed', status());
    statusCostMs = performance.now() - t0;
  };
  const statusEvery = () => Math.max(250, Math.min(5_000, statusCostMs * 10));
  let statusPush = throttle(lifetime, statusEvery, pushStatus);
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
      if (running) return; // already running: its timers stay as they are
      lifetime = new DisposableStore(deps.timers);
      statusPush = throttle(lifetime, statusEvery, pushStatus);
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const keyStore = deps.keyStore ?? new FileKeyStore(config.dataDir);
      const dbFile = join(config.dataDir, DATABASE_FILE);
      const db = openDatabase(dbFile);
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
        running = buildServices({ config, deps, clock, logger, events, lifetime, publishStatus, publishStatusNow, guardFeed, readable: () => running !== null && running.operator.operator !== null && !running.operator.isLocked, watch: () => watch }, db, audit, startupVerification);
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
      const run = running;
      // the write-ahead log copied back into the database file on a second core, not inside a storm's commits
      checkpointer = new WalCheckpointer(db, dbFile, { onFault: (message) => logger.log('warn', 'W_STORE_CHECKPOINT', `${message}; the database checkpoints its log itself`) });
      checkpointer.start();
      watch = new AuditWatch({ ...run, logger, clock, changed: publishStatus, current: () => running === run });
      watch.start(lifetime, run.startupVerification.fault ?? run.audit.blocker(), (deps.tickMs ?? 5000) > 0);
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
        watch?.sendCheckpoint();
        await s.feed?.stop();
        try {
          s.audit.append({ operator: s.operator.actor(), action: 'console.stopped', subjectType: 'console', subjectId: config.mode });
          // Move the checkpoint so the next start-up verifies only what follows; keep the head outside the database.
          if (s.audit.verify('incremental').ok) s.audit.writeCheckpointFile();
        } finally {
          running = null;
          await checkpointer?.stop();
          checkpointer = null;
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
