// What a screen reader hears without looking: new incidents (politely) and a
// SEV1 waiting for acknowledgement (at once). Counts and severities only —
// the same allow-listed figures as the lock screen, never alert text.
import { useEffect, useRef, useState } from 'react';
import { useConsole } from '../state/context.js';

export function Announcer() {
  const open = useConsole((s) => s.status?.incidents.open ?? 0);
  const alarm = useConsole((s) => s.status?.alarm ?? null);
  const [polite, setPolite] = useState('');
  const [urgent, setUrgent] = useState('');
  const before = useRef({ open, sev1: 0 });
  const sev1 = alarm?.severity === 'SEV1' ? alarm.count : 0;
  useEffect(() => {
    const was = before.current;
    if (open > was.open) setPolite(`${open - was.open} new incident${open - was.open === 1 ? '' : 's'}; ${open} open.`);
    if (sev1 > was.sev1) setUrgent(`${sev1} SEV1 incident${sev1 === 1 ? '' : 's'} not acknowledged. Press g to go to the oldest.`);
    before.current = { open, sev1 };
  }, [open, sev1]);
  return (
    <>
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announce-polite">
        {polite}
      </div>
      <div className="visually-hidden" role="alert" aria-live="assertive" data-testid="announce-urgent">
        {urgent}
      </div>
    </>
  );
}
