import { useState } from 'react';
import type { RunbookRun, RunStepView } from '../../shared/domain/runbook.js';
import { useConsole } from '../state/context.js';
import { useNow } from './useNow.js';

function elapsed(fromIso: string, toMs: number): string {
  const s = Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const MARK: Record<RunStepView['status'], string> = { pending: '○', done: '✓', overridden: '⚑', answered: '✓', not_applicable: '–' };

/**
 * A button that opens a one-field form (a note, an override reason). Nothing is
 * recorded until the person submits it; Escape closes it.
 */
function OpenableForm(props: { action: string; opener: string; keyHint: string; label: string; placeholder: string; submit: string; disabled?: boolean; onSubmit: (text: string) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  if (!open) {
    return (
      <button type="button" data-action={props.action} onClick={() => setOpen(true)} title={props.keyHint}>
        {props.opener}
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) void props.onSubmit(text.trim()).then((ok) => ok && (setOpen(false), setText('')));
      }}
    >
      <input autoFocus aria-label={props.label} placeholder={props.placeholder} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)} />
      <button type="submit" disabled={props.disabled === true || !text.trim()}>
        {props.submit}
      </button>
    </form>
  );
}

function Step({ run, step, since, active, focused, numberKeys }: { run: RunbookRun; step: RunStepView; since: string; active: boolean; focused: boolean; numberKeys: boolean }) {
  const act = useConsole((s) => s.runbookAction);
  const now = useNow();
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
              step.options!.map((o, k) => (
                <button key={o} type="button" title={numberKeys && focused && k < 9 ? `key ${k + 1}` : undefined} onClick={() => void act('answer', run.id, step.id, { answer: o })}>
                  {numberKeys && focused && k < 9 && (
                    <kbd className="key-hint" aria-hidden="true">
                      {k + 1}
                    </kbd>
                  )}
                  {o}
                </button>
              ))
            ) : (
              <button type="button" className="primary" disabled={probeBlocked} title={probeBlocked ? 'Ticks itself when the probe passes; or continue without it (c)' : 'space'} onClick={() => void act('tick', run.id, step.id)}>
                {step.kind === 'contact' ? 'Contacted' : step.kind === 'probe' ? 'Confirm' : 'Done'}
              </button>
            )}
            {step.kind !== 'decision' && (
              <OpenableForm action="note" opener="Note…" keyHint="n" label="Step note" placeholder="Note" submit="Done with note" disabled={probeBlocked} onSubmit={(note) => act('tick', run.id, step.id, { note })} />
            )}
            {probeBlocked && (
              <button type="button" data-action="cannot-verify" title="c" onClick={() => void act('cannotVerify', run.id, step.id)}>
                Cannot verify — continue
              </button>
            )}
            <OpenableForm action="override" opener="Override…" keyHint="o" label="Override reason" placeholder="Reason (required)" submit="Override" onSubmit={(reason) => act('override', run.id, step.id, { reason })} />
          </div>
        )}
      </div>
    </li>
  );
}

/** `numberKeys`: the view answers the focused decision with keys 1–9 (the Runbooks view), so the buttons show them. */
export function RunbookChecklist({ run, focusedStepId, numberKeys = false }: { run: RunbookRun; focusedStepId?: string | null; numberKeys?: boolean }) {
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
          return <Step key={s.id} run={run} step={s} since={from} active={s.id === run.nextStepId} focused={s.id === focusedStepId} numberKeys={numberKeys} />;
        })}
      </ol>
    </section>
  );
}
