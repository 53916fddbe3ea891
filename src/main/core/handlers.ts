import type { Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import type { RunningServices } from './services.js';
import type { HandlerTable } from './dispatch.js';
import { buildHandoff, handoffHtml } from '../reports/handoff.js';

/** The hand-off report covers this much by default: one long shift. */
const DEFAULT_SHIFT_MS = 12 * 3_600_000;

interface HandlerDeps {
  services: () => RunningServices;
  status: () => ConsoleStatus;
  clock: Clock;
}

/** Requests a locked console still answers: status (counts only), and the way back in. */
const OPEN_WHEN_LOCKED = new Set<string>(['console.status', 'operator.signIn', 'operator.unlock', 'operator.lock', 'operator.activity']);

/** The contract's handler table; both transports bind exactly this. */
export function createHandlers(deps: HandlerDeps): HandlerTable {
  const table = handlerTable(deps);
  // Automatic logoff is enforced here, in main, not only by hiding the UI.
  for (const name of Object.keys(table) as (keyof HandlerTable)[]) {
    if (OPEN_WHEN_LOCKED.has(name)) continue;
    const inner = table[name] as (input: never, ctx: never) => unknown;
    (table as Record<string, unknown>)[name] = (input: never, ctx: never) => {
      deps.services().operator.requireUnlocked();
      return inner(input, ctx);
    };
  }
  return table;
}

function handlerTable({ services, status, clock }: HandlerDeps): HandlerTable {
  return {
    'console.status': () => status(),

    'operator.signIn': ({ userId, displayName, pin }) => services().operator.signIn(userId, displayName, pin),
    'operator.unlock': ({ userId, pin }) => services().operator.unlock(userId, pin),
    'operator.lock': () => {
      services().operator.lock('manual');
      return { locked: services().operator.isLocked };
    },
    'operator.activity': () => {
      services().operator.touch();
      return { locked: services().operator.isLocked };
    },

    'operator.signOut': () => ({ signedOut: services().operator.signOut() }),
    'operators.list': () => ({ operators: services().operator.list() }),
    'operators.add': ({ userId, displayName, role, pin }) => services().operator.add(userId, displayName, role, pin),
    'operators.resetPin': ({ userId, pin }) => services().operator.resetPin(userId, pin),

    'incidents.list': ({ state, severity, search, limit }) => ({ incidents: services().incidents.list({ state, severity, search, limit }) }),
    'incidents.get': ({ id }) => services().incidents.detail(id),
    'incidents.byIds': ({ ids }) => ({ incidents: services().incidents.byIds(ids) }),
    'incidents.acknowledge': ({ id }) => services().incidents.acknowledge(id, services().operator.operator),
    'incidents.resolve': ({ id }) => services().incidents.resolve(id, services().operator.operator),
    'incidents.note': ({ id, text }) => services().incidents.note(id, text, services().operator.operator),
    'incidents.reassign': ({ id, to }) => services().incidents.reassign(id, to, services().operator.operator),
    'incidents.snooze': ({ id, minutes }) => services().incidents.snooze(id, minutes, services().operator.operator),
    'incidents.escalate': ({ id }) => services().incidents.escalate(id, services().operator.operator),

    'probes.list': () => {
      const s = services();
      return { probes: s.probes.views(), errors: s.probeErrors, safety: s.safety.last() ?? s.safety.compute(), profile: s.profile.name };
    },
    'probes.run': async ({ id }) => {
      const r = await services().probes.runOnce(id);
      if (!r) throw new ConsoleError('E_PROBE', 'input', `no probe "${id}", or it is running right now`);
      return r;
    },

    'runbooks.catalogue': () => ({ runbooks: services().runbooks.catalogue(), errors: services().runbookErrors }),
    'runbooks.runs': ({ incidentId, state }) => ({ runs: services().runbooks.runs({ incidentId, state }) }),
    'runbooks.start': ({ runbookId, incidentId }) => services().runbooks.start(runbookId, incidentId ?? null, services().operator.operator),
    'runbooks.tick': ({ runId, stepId, note }) => services().runbooks.tick(runId, stepId, services().operator.operator, note),
    'runbooks.override': ({ runId, stepId, reason }) => services().runbooks.override(runId, stepId, reason, services().operator.operator),
    'runbooks.answer': ({ runId, stepId, answer }) => services().runbooks.answer(runId, stepId, answer, services().operator.operator),
    'contacts.list': () => ({ book: services().contacts.book ?? null, error: services().contacts.error ?? null }),
    'incidents.contacted': ({ id, contact }) => services().incidents.contacted(id, contact, services().operator.operator),


    'audit.list': ({ limit, ...filter }) => services().audit.list(filter, limit),

    'kpi.dashboard': ({ from, to }) => services().kpis.dashboard(from, to),

    'report.handoff': ({ since }) => {
      const s = services();
      const who = s.operator.operator;
      if (!who) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in before preparing a hand-off: the report is attributed');
      const now = clock.now();
      const sinceMs = since ? Date.parse(since) : now - DEFAULT_SHIFT_MS;
      if (sinceMs > now) throw new ConsoleError('E_INPUT', 'input', 'since: must not be in the future');
      const report = buildHandoff({ db: s.db, incidents: s.incidents, runbooks: s.runbooks, status, phiLevel: s.audit.phiLevel }, sinceMs, now, `${who.displayName} (${who.userId})`);
      s.audit.append({
        operator: who.userId,
        action: 'report.handoff',
        subjectType: 'console',
        subjectId: 'handoff',
        details: { since: report.since, openIncidents: report.openIncidents.length, runbooks: report.runbooksInProgress.length, pendingSync: report.pendingSync.length },
      });
      const stamp = report.generatedAt.replace(/[:.]/g, '-');
      return { report, filename: `handoff-${stamp}.html`, mimeType: 'text/html', html: handoffHtml(report) };
    },

    'audit.verify': async ({ mode }) => {
      const s = services();
      const report = await s.audit.verifyAsync(mode);
      s.audit.append({
        operator: s.operator.actor(),
        action: 'audit.verified',
        subjectType: 'audit',
        subjectId: 'audit_log',
        details: { mode, ok: report.ok, checked: report.checked, ...(report.fault ? { fault: report.fault.kind, seq: report.fault.seq } : {}) },
      });
      return report;
    },

    'audit.export': ({ format, since, until }) => {
      const s = services();
      if (!s.operator.operator) {
        throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in before exporting the audit trail: exports are attributed');
      }
      const { content, records } = s.audit.export(format, { since, until });
      s.audit.append({
        operator: s.operator.actor(),
        action: 'audit.exported',
        subjectType: 'audit',
        subjectId: 'audit_log',
        details: { format, records, since: since ?? null, until: until ?? null },
      });
      const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
      return {
        filename: `audit-${stamp}.${format}`,
        mimeType: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        content,
        records,
      };
    },
  };
}
