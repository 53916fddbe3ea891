import { useState } from 'react';
import type { RunbookRun, RunStepView } from '../../shared/domain/runbook.js';
import { useConsole } from '../state/context.js';
import { useNow } from './useNow.js';

function elapsed(fromIso: string, toMs: number): string {
  const s = Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const MARK: Record<RunStepView['status'], string> = { pending: '○', done: '✓', overridden: '⚑', answered: '✓', not_applicable: '–' };

function Step({ run, step, since, active, focused }: { run: RunbookRun; step: RunStepView; since: string; active: boolean; focused: boolean }) {
  const act = useConsole((s) => s.runbookAction);
  const now = useNow();
  const [reason, setReason] = useState('');
  const [overriding, setOverriding] = useState(false);
  const [noting, setNoting] = useState(false);
  const [note, setNote] = useState('');
  const probeBlocked = step.kind === 'probe' && step.probeState !== 'up' && step.probeState !== 'warning';
  const overLimit = active && step.timeLimitMinutes !== undefined && now - Date.parse(since) > step.timeLimitMinutes * 60_000;
  return (
    <li className={`step step-${step.status}${active ? ' step-next' : ''}${focused ? ' step-focused' : ''}`} data-testid="runbook-step" data-step-id={step.id}>
      <span className="step-mark" aria-hidden="true">
        {MARK[step.status]}
      </span>
      <div className="step-body">
        <div className="step-title">
          <span>{step.title}</span>
          <span className={overLimit ? 'bad step-time' : 'muted step-time'} title={step.timeLimitMinutes ? `time limit ${step.timeLimitMinutes} min` : undefined}>
            {step.status === 'pending' ? (active ? elapsed(since, now) : '') : step.at ? elapsed(since, Date.parse(step.at)) : ''}
          </span>
        </div>
        {step.detail && <div className="muted step-detail">{step.detail}</div>}
        {step.kind === 'probe' && (
          <div className={`step-probe state-${step.probeState}`} data-testid="step-probe">
            probe {step.probe}: {step.probeState} — {step.probeDetail}
          </div>
        )}
        {step.status !== 'pending' && step.status !== 'not_applicable' && (
          <div className="muted step-by" data-testid="step-by">
            {step.status === 'answered' ? `answered “${step.answer}”` : step.status === 'overridden' ? 'overridden' : 'done'} by {step.by} at {step.at ? new Date(step.at).toLocaleTimeString() : ''}
            {step.note ? ` — ${step.note}` : ''}
          </div>
        )}
        {step.status === 'pending' && run.state === 'active' && (
          <div className="step-actions">
            {step.kind === 'decision' ? (
              step.options!.map((o) => (
                <button key={o} type="button" onClick={() => void act('answer', run.id, step.id, { answer: o })}>
                  {o}
                </button>
              ))
            ) : (
              <button type="button" className="primary" disabled={probeBlocked} title={probeBlocked ? 'Ticks itself when the probe passes; or override with a reason' : 'space'} onClick={() => void act('tick', run.id, step.id)}>
                {step.kind === 'contact' ? 'Contacted' : step.kind === 'probe' ? 'Confirm' : 'Done'}
              </button>
            )}
            {step.kind !== 'decision' &&
              (!noting ? (
                <button type="button" data-action="note" onClick={() => setNoting(true)} title="n">
                  Note…
                </button>
              ) : (
                <form
                  className="inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (note.trim()) void act('tick', run.id, step.id, { note: note.trim() }).then((ok) => ok && (setNoting(false), setNote('')));
                  }}
                >
                  <input autoFocus aria-label="Step note" placeholder="Note" value={note} onChange={(e) => setNote(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setNoting(false)} />
                  <button type="submit" disabled={probeBlocked || !note.trim()}>
                    Done with note
                  </button>
                </form>
              ))}
            {!overriding ? (
              <button type="button" data-action="override" onClick={() => setOverriding(true)} title="o">
                Override…
              </button>
            ) : (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act('override', run.id, step.id, { reason }).then((ok) => ok && (setOverriding(false), setReason('')));
                }}
              >
                <input autoFocus aria-label="Override reason" placeholder="Reason (required)" value={reason} onChange={(e) => setReason(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setOverriding(false)} />
                <button type="submit">Override</button>
              </form>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

export function RunbookChecklist({ run, focusedStepId }: { run: RunbookRun; focusedStepId?: string | null }) {
  const applicable = run.steps.filter((s) => s.status !== 'not_applicable');
  const done = applicable.filter((s) => s.status !== 'pending').length;
  let since = run.startedAt;
  return (
    <section className="checklist" data-testid="runbook" data-runbook-id={run.runbookId} aria-label={run.title}>
      <h3>
        {run.title}{' '}
        <span className={run.state === 'completed' ? 'ok' : 'muted'}>
          {run.state === 'completed' ? 'completed' : `${done}/${applicable.length}`}
        </span>
      </h3>
      <ol>
        {run.steps.map((s) => {
          const from = since;
          if (s.at) since = s.at;
          return <Step key={s.id} run={run} step={s} since={from} active={s.id === run.nextStepId} focused={s.id === focusedStepId} />;
        })}
      </ol>
    </section>
  );
}
