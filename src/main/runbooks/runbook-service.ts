import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Incident } from '../../shared/domain/incident.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { ProbeView } from '../../shared/domain/probe.js';
import type { Runbook, RunbookRun, RunStepView, StepStatus } from '../../shared/domain/runbook.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db, Statement } from '../store/database.js';
import { Emitter } from '../platform/emitter.js';
import { timeOrderedId } from '../store/time-ordered-id.js';

interface RunRow {
  id: string;
  runbook_id: string;
  title: string;
  incident_id: string | null;
  started_at: string;
  started_by: string;
  state: 'active' | 'completed';
  completed_at: string | null;
}
interface StepRow {
  step_id: string;
  status: Exclude<StepStatus, 'pending' | 'not_applicable'>;
  answer: string | null;
  note: string | null;
  by: string;
  at: string;
}

export interface RunbookServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  runbooks: Runbook[];
  /** live probe states, for probe-verified steps */
  probes: () => ProbeView[];
}

/**
 * Runbooks attached to incidents (or started on their own), with progress per
 * step stored and audited through the one write path. Works with no network:
 * everything is local state.
 */
export class RunbookService {
  /** after commit: the runs that changed */
  readonly changed = new Emitter<string[]>();
  constructor(private readonly deps: RunbookServiceDeps) {}

  catalogue(): Runbook[] {
    return this.deps.runbooks;
  }

  private runbook(id: string): Runbook {
    const r = this.deps.runbooks.find((x) => x.id === id);
    if (!r) throw new ConsoleError('E_RUNBOOK_NOT_FOUND', 'input', `no runbook "${id}"`);
    return r;
  }

  private now(): string {
    return isoTime(this.deps.clock.now());
  }

  /** Runbooks that apply to an incident: its severity, and its category when the runbook names categories. */
  matching(severity: Incident['severity'], category: string | undefined): Runbook[] {
    return this.deps.runbooks.filter((r) => {
      if (!r.appliesTo.auto || !r.appliesTo.severities.includes(severity)) return false;
      if (r.appliesTo.categories.length === 0) return true;
      return category !== undefined && r.appliesTo.categories.includes(category);
    });
  }

  /** Attach the matching runbooks to a new incident (system action, audited). */
  attach(incident: Incident, category: string | undefined): string[] {
    return this.attachAll([{ incident, category }]);
  }

  /** Attach the matching runbooks to new incidents, in one transaction (a storm opens hundreds at once). */
  attachAll(opened: { incident: Pick<Incident, 'id' | 'severity'>; category: string | undefined }[]): string[] {
    const ids: string[] = [];
    const exists = (this.runExistsStatement ??= this.deps.db.prepare('SELECT id FROM runbook_run WHERE incident_id = ? AND runbook_id = ?').pluck());
    this.deps.audit.join(() => {
      for (const { incident, category } of opened) {
        for (const rb of this.matching(incident.severity, category)) {
          if (exists.get(incident.id, rb.id)) continue;
          ids.push(this.insertRun(rb, incident.id, 'system'));
        }
      }
      // inside the transaction that opens the incidents (the engine's): told once it commits
      if (ids.length) this.deps.audit.afterCommit(() => this.changed.emit(ids));
    });
    return ids;
  }

  private runExistsStatement: Statement | undefined;

  private insertRunStatement: Statement | undefined;

  private insertRun(rb: Runbook, incidentId: string | null, by: string): string {
    const id = timeOrderedId(this.deps.clock.now());
    (this.insertRunStatement ??= this.deps.db.prepare('INSERT INTO runbook_run (id, runbook_id, title, incident_id, started_at, started_by, state) VALUES (?, ?, ?, ?, ?, ?, ?)')).run(id, rb.id, rb.title, incidentId, this.now(), by, 'active');
    this.deps.audit.append({ operator: by, action: incidentId ? 'runbook.attached' : 'runbook.started', subjectType: 'runbook', subjectId: id, details: { runbook: rb.id, incident: incidentId } });
    return id;
  }

  start(runbookId: string, incidentId: string | null, operator: Operator | null): RunbookRun {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: runbook progress is attributed');
    const rb = this.runbook(runbookId);
    let id = '';
    this.deps.audit.transaction(() => {
      id = this.insertRun(rb, incidentId, operator.userId);
    });
    this.changed.emit([id]);
    return this.get(id);
  }

  /** Runs, newest first: at most `limit` (default 200; Infinity for every one), with how many there are in all. */
  runsPage(filter: { incidentId?: string | undefined; state?: 'active' | 'completed' | 'all' | undefined; limit?: number | undefined }): { runs: RunbookRun[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.incidentId) (where.push('incident_id = ?'), params.push(filter.incidentId));
    if (filter.state && filter.state !== 'all') (where.push('state = ?'), params.push(filter.state));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = filter.limit ?? 200;
    const rows = this.deps.db.prepare(`SELECT id FROM runbook_run ${w} ORDER BY started_at DESC, rowid DESC LIMIT ?`).pluck().all(...params, Number.isFinite(limit) ? limit : -1) as string[];
    const total = rows.length < limit ? rows.length : (this.deps.db.prepare(`SELECT count(*) FROM runbook_run ${w}`).pluck().get(...params) as number);
    return { runs: rows.map((id) => this.get(id)), total };
  }

  runs(filter: { incidentId?: string | undefined; state?: 'active' | 'completed' | 'all' | undefined; limit?: number | undefined }): RunbookRun[] {
    return this.runsPage(filter).runs;
  }

  get(runId: string): RunbookRun {
    const run = this.deps.db.prepare('SELECT * FROM runbook_run WHERE id = ?').get(runId) as RunRow | undefined;
    if (!run) throw new ConsoleError('E_RUN_NOT_FOUND', 'input', `no runbook run ${runId}`);
    const rb = this.deps.runbooks.find((r) => r.id === run.runbook_id);
    const progress = new Map((this.deps.db.prepare('SELECT step_id, status, answer, note, by, at FROM runbook_step WHERE run_id = ?').all(runId) as StepRow[]).map((r) => [r.step_id, r]));
    const probes = new Map(this.deps.probes().map((p) => [p.id, p]));
    const steps: RunStepView[] = (rb?.steps ?? []).map((s) => {
      const p = progress.get(s.id);
      const applicable = !s.when || progress.get(s.when.step)?.answer === s.when.answer;
      const decided = !s.when || progress.has(s.when.step);
      const status: StepStatus = p ? p.status : decided && !applicable ? 'not_applicable' : 'pending';
      const probe = s.probe ? probes.get(s.probe) : undefined;
      return {
        ...s,
        status,
        by: p?.by ?? null,
        at: p?.at ?? null,
        answer: p?.answer ?? null,
        note: p?.note ?? null,
        ...(s.kind === 'probe' ? { probeState: probe?.state ?? 'not configured', probeDetail: probe?.lastDetail ?? `no probe "${s.probe}" is configured` } : {}),
      };
    });
    const next = steps.find((s) => s.status === 'pending') ?? null;
    return {
      id: run.id,
      runbookId: run.runbook_id,
      title: run.title,
      incidentId: run.incident_id,
      startedAt: run.started_at,
      startedBy: run.started_by,
      state: run.state,
      completedAt: run.completed_at,
      steps,
      nextStepId: next?.id ?? null,
    };
  }

  private step(runId: string, stepId: string): { run: RunbookRun; step: RunStepView } {
    const run = this.get(runId);
    const step = run.steps.find((s) => s.id === stepId);
    if (!step) throw new ConsoleError('E_STEP_NOT_FOUND', 'input', `runbook ${run.runbookId} has no step "${stepId}"`);
    if (run.state === 'completed') throw new ConsoleError('E_RUN_COMPLETED', 'state', 'this runbook run is already complete');
    if (step.status === 'not_applicable') throw new ConsoleError('E_STEP_NOT_APPLICABLE', 'state', `step "${step.title}" does not apply after the answer given`);
    if (step.when && step.status === 'pending' && !run.steps.find((s) => s.id === step.when!.step)?.answer) {
      throw new ConsoleError('E_STEP_WAITING', 'state', `answer "${step.when.step}" first: this step depends on it`);
    }
    return { run, step };
  }

  private record(runId: string, stepId: string, status: StepRow['status'], by: string, action: string, extra: { answer?: string; note?: string }, details: Record<string, unknown>): RunbookRun {
    this.deps.audit.transaction(() => {
      this.deps.db
        .prepare(
          `INSERT INTO runbook_step (run_id, step_id, status, answer, note, by, at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(run_id, step_id) DO UPDATE SET status = excluded.status, answer = excluded.answer, note = coalesce(excluded.note, runbook_step.note), by = excluded.by, at = excluded.at`,
        )
        .run(runId, stepId, status, extra.answer ?? null, extra.note ?? null, by, this.now());
      this.deps.audit.append({ operator: by, action, subjectType: 'runbook', subjectId: runId, details: { step: stepId, ...details } });
      const after = this.get(runId);
      if (after.steps.every((s) => s.status !== 'pending')) {
        this.deps.db.prepare(`UPDATE runbook_run SET state = 'completed', completed_at = ? WHERE id = ?`).run(this.now(), runId);
        this.deps.audit.append({ operator: by, action: 'runbook.completed', subjectType: 'runbook', subjectId: runId, details: { runbook: after.runbookId, incident: after.incidentId } });
      }
    });
    this.changed.emit([runId]);
    return this.get(runId);
  }

  /** Tick a manual or contact step; a probe step only while its probe passes. */
  tick(runId: string, stepId: string, operator: Operator | null, note?: string): RunbookRun {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: runbook progress is attributed');
    const { run, step } = this.step(runId, stepId);
    if (step.kind === 'decision') throw new ConsoleError('E_STEP_DECISION', 'input', `"${step.title}" needs an answer: ${step.options!.join(' / ')}`);
    if (step.kind === 'probe' && step.probeState !== 'up' && step.probeState !== 'warning') {
      throw new ConsoleError('E_PROBE_NOT_PASSING', 'state', `probe "${step.probe}" is ${step.probeState} (${step.probeDetail}): the step ticks itself when it passes, or override it with a reason`);
    }
    return this.record(runId, stepId, 'done', operator.userId, step.kind === 'contact' ? 'runbook.contacted' : 'runbook.step_done', note ? { note } : {}, { runbook: run.runbookId, incident: run.incidentId, title: step.title });
  }

  override(runId: string, stepId: string, reason: string, operator: Operator | null): RunbookRun {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: runbook progress is attributed');
    if (reason.trim().length < 5) throw new ConsoleError('E_OVERRIDE_REASON', 'input', 'an override needs a reason of at least 5 characters');
    const { run, step } = this.step(runId, stepId);
    return this.record(runId, stepId, 'overridden', operator.userId, 'runbook.step_overridden', { note: reason.trim() }, { runbook: run.runbookId, incident: run.incidentId, title: step.title, reason: reason.trim() });
  }

  /**
   * A probe-verified step whose check cannot pass during the outage it is
   * for: continue without it, as a first-class, audited answer (not an
   * override to argue for).
   */
  cannotVerify(runId: string, stepId: string, operator: Operator | null): RunbookRun {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: runbook progress is attributed');
    const { run, step } = this.step(runId, stepId);
    if (step.kind !== 'probe') throw new ConsoleError('E_STEP_NOT_PROBE', 'input', `"${step.title}" is not checked by a probe: tick it or override it`);
    const note = `could not be verified (probe ${step.probe} not passing); continued`;
    return this.record(runId, stepId, 'overridden', operator.userId, 'runbook.step_unverified', { note }, { runbook: run.runbookId, incident: run.incidentId, title: step.title, probe: step.probe ?? null });
  }

  answer(runId: string, stepId: string, answer: string, operator: Operator | null): RunbookRun {
    if (!operator) throw new ConsoleError('E_NOT_SIGNED_IN', 'state', 'sign in first: runbook progress is attributed');
    const { run, step } = this.step(runId, stepId);
    if (step.kind !== 'decision') throw new ConsoleError('E_STEP_NOT_DECISION', 'input', `"${step.title}" is not a decision`);
    if (!step.options!.includes(answer)) throw new ConsoleError('E_STEP_ANSWER', 'input', `answer one of ${step.options!.join(' / ')}`);
    return this.record(runId, stepId, 'answered', operator.userId, 'runbook.step_answered', { answer }, { runbook: run.runbookId, incident: run.incidentId, title: step.title, answer });
  }

  /** A probe passed: tick every pending step it verifies. */
  onProbePassed(probeId: string, detail: string): void {
    const runs = this.deps.db.prepare(`SELECT id FROM runbook_run WHERE state = 'active'`).pluck().all() as string[];
    for (const runId of runs) {
      const run = this.get(runId);
      for (const s of run.steps) {
        if (s.kind !== 'probe' || s.probe !== probeId || s.status !== 'pending') continue;
        if (s.when && !run.steps.find((x) => x.id === s.when!.step)?.answer) continue;
        this.record(runId, s.id, 'done', 'system', 'runbook.step_verified', { note: `verified by probe ${probeId}: ${detail}` }, { runbook: run.runbookId, incident: run.incidentId, title: s.title, probe: probeId });
      }
    }
  }
}
