// "?": every key the console answers to, on one sheet; Escape or ? closes it.
import { useEffect, useRef, useState } from 'react';
import { isTyping } from './keyboard.js';

const SECTIONS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      ['g', 'Go to the oldest of the worst unacknowledged incidents'],
      ['Alt+1 … Alt+8', 'Incidents, Health, Runbooks, Contacts, Dashboard, Hand-off, Audit, Status'],
      ['Ctrl+L', 'Lock the console now'],
      ['?', 'This sheet'],
    ],
  },
  {
    title: 'Incidents',
    keys: [
      ['j / k', 'Next / previous incident'],
      ['Enter or Space', 'Select the focused row'],
      ['a', 'Acknowledge the focused (else selected) incident; on a folded row, all of it after a yes'],
      ['x, → / ←', 'Open / fold a folded row (alike incidents in a storm)'],
      ['r', 'Resolve it — sent after 5 s'],
      ['u', 'Undo the resolve before it is sent'],
      ['e', 'Escalate to the next level'],
      ['b', "Go to the incident's runbook (its next step)"],
      ['n', 'Write a note'],
      ['/', 'Search'],
      ['Escape', 'Leave a text field'],
    ],
  },
  {
    title: 'Runbooks',
    keys: [
      ['j / k', 'Next / previous pending step'],
      ['Space', 'Done (not for decisions)'],
      ['1 … 9', 'Answer the focused decision with that option'],
      ['o', 'Open the override form (a reason is required)'],
      ['c', 'Cannot verify — continue (a probe step that cannot pass in this outage)'],
      ['n', 'Open the note form (nothing is recorded until you choose "Done with note")'],
    ],
  },
  {
    title: 'Hand-off',
    keys: [
      ['Ctrl+Enter', 'Prepare the hand-off from the summary or to-do field (the receiving operator then signs with their PIN)'],
    ],
  },
];

export function KeyHelp() {
  const [open, setOpen] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !isTyping(e) && !e.ctrlKey && !e.altKey && !e.metaKey) {
        e.preventDefault();
        setOpen((o) => !o);
      } else if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (open) closeRef.current?.focus();
  }, [open]);
  if (!open) return null;
  return (
    <div className="key-help-backdrop" onClick={() => setOpen(false)}>
      <div className="key-help" role="dialog" aria-modal="true" aria-labelledby="key-help-title" data-testid="key-help" onClick={(e) => e.stopPropagation()}>
        <div className="view-header">
          <h2 id="key-help-title">Keys</h2>
          <span className="spacer" />
          <button ref={closeRef} type="button" onClick={() => setOpen(false)}>
            Close (Esc)
          </button>
        </div>
        {SECTIONS.map((s) => (
          <section key={s.title} aria-label={s.title}>
            <h3 className="section-heading">{s.title}</h3>
            <dl className="key-list">
              {s.keys.map(([k, what]) => (
                <div key={k}>
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </div>
  );
}
