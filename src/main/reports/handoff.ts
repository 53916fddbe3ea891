import { randomUUID } from 'node:crypto';
import { isoTime } from '../../shared/clock.js';
import { handoffSections, type HandoffReport } from '../../shared/domain/report.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { maskPhi, type PhiLevel } from '../../shared/phi.js';
import type { IncidentEngine } from '../incidents/incident-engine.js';
import type { RunbookService } from '../runbooks/runbook-service.js';
import type { ReadableDb } from '../store/database.js';

/** At most this many actions are listed; the report says when there were more. */
export const HANDOFF_MAX_ACTIONS = 300;

export interface HandoffDeps {
  db: ReadableDb;
  incidents: IncidentEngine;
  runbooks: RunbookService;
  status: () => ConsoleStatus;
  phiLevel: PhiLevel;
  /** who is on call per role between two instants */
  onCall?: (fromMs: number, toMs: number) => HandoffReport['onCall'];
}

/** Gather the hand-off report for the shift that began at `sinceMs`, masking every free-text field. */
export function buildHandoff(deps: HandoffDeps, sinceMs: number, nowMs: number, preparedBy: string, own: { summary: string; todos: string[] } = { summary: '', todos: [] }): HandoffReport {
  const mask = (text: string) => maskPhi(text, deps.phiLevel);
  const since = isoTime(sinceMs);
  const status = deps.status();

  // every open incident and every active run: a hand-off never drops what the next shift must see
  const open = deps.incidents.list({ state: 'open', limit: 1_000_000 });
  const openIds = new Set(open.map((i) => i.id));
  const actionRows = deps.db
    .prepare(
      `SELECT ts, operator, action, subject_type AS subjectType, subject_id AS subjectId, details
         FROM audit_log WHERE ts >= ? AND operator != 'system' ORDER BY seq DESC LIMIT ?`,
    )
    .all(since, HANDOFF_MAX_ACTIONS + 1) as { ts: string; operator: string; action: string; subjectType: string; subjectId: string; details: string }[];

  const runs = deps.runbooks.runs({ state: 'active', limit: Infinity });
  const pending = deps.incidents.pendingOutbox();

  return {
    id: randomUUID(),
    generatedAt: isoTime(nowMs),
    summary: mask(own.summary.trim()),
    todos: own.todos.map(mask),
    since,
    preparedBy, // the signed-in operator: an allow-listed field, never alert text
    phiLevel: deps.phiLevel,
    system: {
      feed: status.feed.state,
      feedDetail: mask(status.feed.detail),
      degradation: status.degradation,
      probesDown: status.probes.down,
      criticalProbesDown: status.probes.criticalDown,
      auditOk: status.audit.lastVerification?.ok ?? null,
    },
    openIncidents: open.map((i) => ({
      id: i.id,
      severity: i.severity,
      state: i.state,
      service: mask(i.service),
      summary: mask(i.summary),
      openedAt: i.openedAt,
      acknowledgedBy: i.acknowledgedBy === null ? null : mask(i.acknowledgedBy),
      assignee: i.assignee === null ? null : mask(i.assignee),
      escalationLevel: i.escalationLevel,
      pendingSync: i.pendingSync,
    })),
    // audit details are masked when written; masked again here in case the level is stricter now
    actions: actionRows.slice(0, HANDOFF_MAX_ACTIONS).map((r) => ({
      at: r.ts,
      operator: mask(r.operator),
      action: r.action,
      subject: `${r.subjectType} ${r.subjectId}`,
      details: r.details === '{}' ? '' : mask(r.details),
    })),
    actionsTruncated: actionRows.length > HANDOFF_MAX_ACTIONS,
    // runs attached to incidents that closed before anyone worked on them are not "in progress"
    runbooksInProgress: runs.flatMap((run) => {
      const applicable = run.steps.filter((s) => s.status !== 'not_applicable');
      const done = applicable.filter((s) => s.status !== 'pending').length;
      const incidentOpen = run.incidentId === null || openIds.has(run.incidentId);
      if (!incidentOpen && done === 0) return [];
      const next = run.steps.find((s) => s.id === run.nextStepId);
      return [
        {
          runId: run.id,
          title: mask(run.title),
          incidentId: run.incidentId,
          incidentResolved: !incidentOpen,
          startedBy: mask(run.startedBy),
          startedAt: run.startedAt,
          done,
          total: applicable.length,
          nextStep: next ? mask(next.title) : null,
        },
      ];
    }),
    pendingSync: pending.map((p) => ({
      id: p.id,
      incidentId: p.incidentId,
      action: p.payload.action,
      at: p.payload.at,
      operator: mask(`${p.payload.operator.displayName} (${p.payload.operator.userId})`),
    })),
    onCall: deps.onCall?.(nowMs, nowMs + 12 * 3_600_000) ?? [],
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Every value goes into the page as text, never as markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A self-contained, printable HTML page. Its own CSP forbids scripts and every
 * fetch, so opening the file later cannot run or load anything.
 */
export function handoffHtml(r: HandoffReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Shift hand-off ${escapeHtml(r.generatedAt)}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 20px; margin: 0 0 .2em; } h2 { font-size: 15px; margin: 1.6em 0 .4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #eee; } .meta { color: #444; } .empty { color: #666; font-style: italic; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Shift hand-off — Medical AI On-Call Console</h1>
<p class="meta">Prepared by ${escapeHtml(r.preparedBy)} at ${escapeHtml(r.generatedAt)}; covers ${escapeHtml(r.since)} to then. PHI masked at level ${escapeHtml(r.phiLevel)}.</p>
${handoffSections(r)
  .map((section) => `<h2>${escapeHtml(section.title)}</h2>
${table(section.headers, section.rows, section.empty)}`)
  .join('\n')}
</body>
</html>
`;
}
