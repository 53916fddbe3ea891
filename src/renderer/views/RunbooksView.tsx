import { useEffect, useState } from 'react';
import { useConsole } from '../state/context.js';
import { RunbookChecklist } from './RunbookChecklist.js';
import { isTyping } from './keyboard.js';

export function RunbooksView() {
  const catalogue = useConsole((s) => s.runbooks.catalogue);
  const errors = useConsole((s) => s.runbooks.errors);
  const runs = useConsole((s) => s.runbooks.runs);
  const runsTotal = useConsole((s) => s.runbooks.runsTotal);
  const selected = useConsole((s) => s.runbooks.selectedRunId);
  const load = useConsole((s) => s.loadRunbooks);
  const select = useConsole((s) => s.selectRun);
  const start = useConsole((s) => s.startRunbook);
  const act = useConsole((s) => s.runbookAction);
  const [focus, setFocus] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);
  const run = runs.find((r) => r.id === selected) ?? null;

  // keyboard: j/k move between steps, space tick, o override (focus its reason), n note
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!run || isTyping(e) || e.altKey || e.ctrlKey || e.metaKey) return;
      const pending = run.steps.filter((s) => s.status === 'pending');
      const current = run.steps.find((s) => s.id === focus && s.status === 'pending') ?? pending[0];
      if (!current) return;
      if (e.key === 'j' || e.key === 'k') {
        const i = pending.indexOf(current);
        setFocus(pending[Math.max(0, Math.min(pending.length - 1, i + (e.key === 'j' ? 1 : -1)))]!.id);
      } else if (e.key === ' ') {
        e.preventDefault();
        if (current.kind !== 'decision') void act('tick', run.id, current.id);
      } else if (e.key === 'o') {
        // open the step's override form (a reason is still required); never press an answer
        e.preventDefault();
        document.querySelector<HTMLButtonElement>(`[data-step-id="${current.id}"] [data-action="override"]`)?.click();
      } else if (e.key === 'c') {
        // a probe step that cannot pass in this outage: continue without it (audited)
        e.preventDefault();
        document.querySelector<HTMLButtonElement>(`[data-step-id="${current.id}"] [data-action="cannot-verify"]`)?.click();
      } else if (/^[1-9]$/.test(e.key) && current.kind === 'decision') {
        // the focused decision's option by its number, shown on its button: the person's own answer, in one key
        const option = current.options?.[Number(e.key) - 1];
        if (option) {
          e.preventDefault();
          void act('answer', run.id, current.id, { answer: option });
        }
      } else if (e.key === 'n') {
        // open the step's note field; nothing is recorded until the person chooses "Done with note"
        e.preventDefault();
        document.querySelector<HTMLButtonElement>(`[data-step-id="${current.id}"] [data-action="note"]`)?.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, focus, act]);

  return (
    <section className="view" aria-labelledby="view-runbooks">
      <div className="view-header">
        <h1 id="view-runbooks">Runbooks</h1>
        <span className="muted">space tick · c cannot verify · o override · n note · j/k move</span>
      </div>
      {errors.length > 0 && (
        <div className="config-errors" role="alert">
          {errors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      )}
      <div className="split">
        <div className="runbook-side">
          <h2 className="section-heading">Start a runbook</h2>
          <ul className="catalogue">
            {catalogue.map((r) => (
              <li key={r.id}>
                <button type="button" className="link" onClick={() => void start(r.id)} data-testid={`start-${r.id}`}>
                  {r.title}
                </button>
              </li>
            ))}
          </ul>
          <h2 className="section-heading">Runs</h2>
          <ul className="runs">
            {runs.map((r) => (
              <li key={r.id}>
                <button type="button" className={r.id === selected ? 'run selected' : 'run'} onClick={() => select(r.id)}>
                  {r.title} <span className="muted">{r.incidentId ?? 'standalone'} · {r.state}</span>
                </button>
              </li>
            ))}
          </ul>
          {runsTotal > runs.length && <p className="muted" data-testid="runs-more">… and {runsTotal - runs.length} older runs not listed</p>}
        </div>
        <div className="runbook-main">{run ? <RunbookChecklist run={run} focusedStepId={(run.steps.find((x) => x.id === focus && x.status === 'pending') ?? run.steps.find((x) => x.status === 'pending'))?.id ?? null} numberKeys /> : <p className="empty">Select or start a runbook.</p>}</div>
      </div>
    </section>
  );
}
